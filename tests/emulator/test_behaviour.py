"""Each error text and limit of spec/BEHAVIOUR.md, as the emulator answers it."""

from __future__ import annotations

import json
import threading
import time

import pytest

from telewire.core.flood import FloodLimiter
from telewire.testing import EmulatorHandle, TestUser
from tests.emulator.helpers import call, error_of, raw

KEYBOARD = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}


@pytest.fixture
def api(emulator: EmulatorHandle):  # type: ignore[no-untyped-def]
    return lambda method, **params: error_of(emulator.base_url, emulator.token, method, **params)


def test_unknown_token_is_unauthorized(emulator: EmulatorHandle) -> None:
    assert error_of(emulator.base_url, "123456:" + "x" * 30, "getMe") == (401, "Unauthorized")


def test_unknown_method_and_malformed_token_path_are_not_found(emulator: EmulatorHandle) -> None:
    assert error_of(emulator.base_url, emulator.token, "sendTelepathy") == (404, "Not Found")
    status, reply = raw(f"{emulator.base_url}/botNOTATOKEN/getMe")
    assert (status, reply["description"]) == (404, "Not Found")


def test_methods_of_the_spec_not_emulated_say_so(api) -> None:  # type: ignore[no-untyped-def]
    code, text = api("verifyUser", user_id=1)
    assert code == 400 and "verifyUser is not supported by the telewire emulator" in text


def test_chat_errors(api, emulator: EmulatorHandle, alice: TestUser) -> None:  # type: ignore[no-untyped-def]
    assert api("sendMessage", chat_id=424242, text="x") == (400, "Bad Request: chat not found")
    assert api("sendMessage", text="x") == (400, "Bad Request: chat_id is empty")
    stranger = emulator.user("Never wrote")
    emulator.block(stranger)
    emulator.block(stranger, blocked=False)
    newcomer = emulator.user("Newcomer")
    emulator.group("G", [newcomer])
    assert api("sendMessage", chat_id=newcomer.id, text="x") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    emulator.block(alice)
    assert api("sendMessage", chat_id=alice.id, text="x") == (
        403,
        "Forbidden: bot was blocked by the user",
    )


def test_text_errors(api, alice: TestUser) -> None:  # type: ignore[no-untyped-def]
    assert api("sendMessage", chat_id=alice.id, text="") == (
        400,
        "Bad Request: message text is empty",
    )
    assert api("sendMessage", chat_id=alice.id, text="x" * 4097) == (
        400,
        "Bad Request: message is too long",
    )
    assert api("sendMessage", chat_id=alice.id, text="<b></b>", parse_mode="HTML") == (
        400,
        "Bad Request: message text is empty",
    )


def test_text_limits_count_utf16_after_parsing(emulator: EmulatorHandle, alice: TestUser) -> None:
    status, reply = call(
        emulator.base_url,
        emulator.token,
        "sendMessage",
        chat_id=alice.id,
        text="*" + "a" * 4096 + "*",
        parse_mode="MarkdownV2",
    )
    assert status == 200 and reply["result"]["entities"][0] == {
        "type": "bold",
        "offset": 0,
        "length": 4096,
    }
    assert error_of(
        emulator.base_url, emulator.token, "sendMessage", chat_id=alice.id, text="😀" * 2049
    )[1] == ("Bad Request: message is too long")


def test_caption_limit(api, emulator: EmulatorHandle, alice: TestUser) -> None:  # type: ignore[no-untyped-def]
    from telewire import Bot, InputFile

    photo = Bot(emulator.token, base_url=emulator.base_url).send_photo(
        chat_id=alice.id, photo=InputFile(b"\x89PNG\r\n\x1a\n" + b"\0" * 20, filename="p.png")
    )
    assert photo.photo
    assert api("sendPhoto", chat_id=alice.id, photo=photo.photo[0].file_id, caption="c" * 1025) == (
        400,
        "Bad Request: message caption is too long",
    )


@pytest.mark.parametrize(
    ("text", "mode", "error"),
    [
        ("*bold", "MarkdownV2", "Can't find end of the entity starting at byte offset 0"),
        ("éé _x", "MarkdownV2", "Can't find end of the entity starting at byte offset 5"),
        (
            "1.5",
            "MarkdownV2",
            "Character '.' is reserved and must be escaped with the preceding '\\'",
        ),
        (
            "a-b",
            "MarkdownV2",
            "Character '-' is reserved and must be escaped with the preceding '\\'",
        ),
        ("<blink>x</blink>", "HTML", 'Unsupported start tag "blink" at byte offset 0'),
        ("ok <x>", "HTML", 'Unsupported start tag "x" at byte offset 3'),
        ("_open", "Markdown", "Can't find end of the entity starting at byte offset 0"),
    ],
)
def test_entity_parse_errors(api, alice: TestUser, text: str, mode: str, error: str) -> None:  # type: ignore[no-untyped-def]
    assert api("sendMessage", chat_id=alice.id, text=text, parse_mode=mode) == (
        400,
        f"Bad Request: can't parse entities: {error}",
    )


@pytest.mark.parametrize(
    ("text", "mode", "plain", "entities"),
    [
        (
            "*b* _i_ __u__ ~s~ ||sp|| `c` [l](http://x.y)",
            "MarkdownV2",
            "b i u s sp c l",
            [
                ("bold", 0, 1),
                ("italic", 2, 1),
                ("underline", 4, 1),
                ("strikethrough", 6, 1),
                ("spoiler", 8, 2),
                ("code", 11, 1),
                ("text_link", 13, 1),
            ],
        ),
        (
            "<b>b</b> <i>i</i> <u>u</u> <s>s</s> <tg-spoiler>sp</tg-spoiler> <code>c</code> "
            "<a href='http://x.y'>l</a> &lt;&amp;&gt;",
            "HTML",
            "b i u s sp c l <&>",
            [
                ("bold", 0, 1),
                ("italic", 2, 1),
                ("underline", 4, 1),
                ("strikethrough", 6, 1),
                ("spoiler", 8, 2),
                ("code", 11, 1),
                ("text_link", 13, 1),
            ],
        ),
        (
            "*bold* _it_ `code` [link](http://x.y)",
            "Markdown",
            "bold it code link",
            [("bold", 0, 4), ("italic", 5, 2), ("code", 8, 4), ("text_link", 13, 4)],
        ),
        ("😀 *x*", "MarkdownV2", "😀 x", [("bold", 3, 1)]),
    ],
)
def test_parse_modes_produce_entities(
    emulator: EmulatorHandle,
    alice: TestUser,
    text: str,
    mode: str,
    plain: str,
    entities: list[tuple[str, int, int]],
) -> None:
    status, reply = call(
        emulator.base_url,
        emulator.token,
        "sendMessage",
        chat_id=alice.id,
        text=text,
        parse_mode=mode,
    )
    assert status == 200, reply
    result = reply["result"]
    assert result["text"] == plain
    assert [(e["type"], e["offset"], e["length"]) for e in result["entities"]] == entities


@pytest.mark.parametrize("data", ["", "x" * 65, "é" * 33])
def test_callback_data_must_be_1_to_64_bytes(api, alice: TestUser, data: str) -> None:  # type: ignore[no-untyped-def]
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": data}]]}
    assert api("sendMessage", chat_id=alice.id, text="x", reply_markup=markup) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )


def test_edit_and_delete_errors(api, emulator: EmulatorHandle, alice: TestUser) -> None:  # type: ignore[no-untyped-def]
    _, reply = call(
        emulator.base_url,
        emulator.token,
        "sendMessage",
        chat_id=alice.id,
        text="same",
        reply_markup=KEYBOARD,
    )
    message_id = reply["result"]["message_id"]
    assert api("editMessageText", chat_id=alice.id, message_id=9999, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    code, text = api(
        "editMessageText",
        chat_id=alice.id,
        message_id=message_id,
        text="same",
        reply_markup=KEYBOARD,
    )
    assert code == 400 and text == (
        "Bad Request: message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message"
    )
    assert api("deleteMessage", chat_id=alice.id, message_id=9999) == (
        400,
        "Bad Request: message to delete not found",
    )


def test_query_too_old_or_invalid(
    api, emulator: EmulatorHandle, alice: TestUser, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert api("answerCallbackQuery", callback_query_id="nope") == (400, too_old)
    _, reply = call(
        emulator.base_url,
        emulator.token,
        "sendMessage",
        chat_id=alice.id,
        text="q",
        reply_markup=KEYBOARD,
    )
    import msgspec

    from telewire.types import Message

    message = msgspec.convert(reply["result"], Message)
    threading.Thread(
        target=emulator.press, args=(alice, message, "a"), kwargs={"timeout": 0.5}
    ).start()
    time.sleep(0.2)
    updates = call(emulator.base_url, emulator.token, "getUpdates", offset=-1)[1]["result"]
    query_id = updates[-1]["callback_query"]["id"]
    assert (
        call(emulator.base_url, emulator.token, "answerCallbackQuery", callback_query_id=query_id)[
            0
        ]
        == 200
    )
    assert api("answerCallbackQuery", callback_query_id=query_id) == (
        400,
        too_old,
    )  # answered once only
    import telewire.emulator.methods.updates as updates_module

    monkeypatch.setattr(updates_module, "ANSWER_WINDOW", 0.0)
    threading.Thread(
        target=emulator.press, args=(alice, message, "a"), kwargs={"timeout": 0.5}
    ).start()
    time.sleep(0.2)
    late = call(emulator.base_url, emulator.token, "getUpdates", offset=-1)[1]["result"][-1]
    assert api("answerCallbackQuery", callback_query_id=late["callback_query"]["id"]) == (
        400,
        too_old,
    )


def test_wrong_file_identifier(api, alice: TestUser) -> None:  # type: ignore[no-untyped-def]
    assert api("sendPhoto", chat_id=alice.id, photo="no-such-file") == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )


def test_bot_kicked_from_a_group(api, emulator: EmulatorHandle) -> None:  # type: ignore[no-untyped-def]
    owner = emulator.user("Owner")
    group = emulator.group("Team", [owner])
    assert call(emulator.base_url, emulator.token, "leaveChat", chat_id=group.id)[0] == 200
    assert api("sendMessage", chat_id=group.id, text="x") == (
        403,
        "Forbidden: bot was kicked from the group chat",
    )


def test_conflicts(emulator: EmulatorHandle) -> None:
    results: list[tuple[int, str]] = []
    first = threading.Thread(
        target=lambda: results.append(
            error_of(emulator.base_url, emulator.token, "getUpdates", timeout=5)
        )
    )
    first.start()
    time.sleep(0.3)
    assert call(emulator.base_url, emulator.token, "getUpdates", timeout=0)[0] == 200
    first.join(5)
    assert results == [
        (
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one "
            "bot instance is running",
        )
    ]
    assert (
        call(emulator.base_url, emulator.token, "setWebhook", url="http://127.0.0.1:9/hook")[0]
        == 200
    )
    assert error_of(emulator.base_url, emulator.token, "getUpdates") == (
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first",
    )


def test_flood_limits_answer_429_with_retry_after() -> None:
    limiter = FloodLimiter()
    assert [limiter.admit(5, group=False, now=0.0) for _ in range(3)] == [0, 0, 0]
    assert limiter.admit(5, group=False, now=0.5) == 2.5  # private chat: 3 in any 3 s
    assert limiter.admit(5, group=False, now=3.01) == 0
    for i in range(20):
        assert limiter.admit(-7, group=True, now=10 + i * 0.01) == 0
    assert limiter.admit(-7, group=True, now=11) == pytest.approx(59)  # group: 20 in any 60 s
    burst = FloodLimiter()
    assert all(burst.admit(chat, group=False, now=0.0) == 0 for chat in range(30))
    assert burst.admit(99, group=False, now=0.5) == 0.5  # 30 per second overall


def test_flood_limits_over_http(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from telewire.emulator import Emulator

    with Emulator(telegram_limits=True) as server:
        handle = EmulatorHandle(server.base_url, server.token)
        user = handle.user("Flood")
        handle.send(user, "hi")
        codes = [
            call(server.base_url, server.token, "sendMessage", chat_id=user.id, text=str(i))
            for i in range(4)
        ]
        assert [c for c, _ in codes] == [200, 200, 200, 429]
        refused = codes[-1][1]
        assert refused["description"].startswith("Too Many Requests: retry after ")
        assert refused["parameters"]["retry_after"] >= 1
        assert json.loads(json.dumps(refused))["error_code"] == 429


def test_an_upgraded_group_answers_with_its_new_id(emulator: EmulatorHandle) -> None:
    from telewire import Bot, ChatMigrated

    owner = emulator.user("Owner")
    group = emulator.group("Old group", [owner])
    supergroup = emulator.upgrade(group.id)
    status, reply = call(
        emulator.base_url, emulator.token, "sendMessage", chat_id=group.id, text="x"
    )
    assert (status, reply["description"]) == (
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
    )
    assert reply["parameters"] == {"migrate_to_chat_id": supergroup.id}
    with pytest.raises(ChatMigrated) as caught:
        Bot(emulator.token, base_url=emulator.base_url).send_message(chat_id=group.id, text="x")
    assert caught.value.migrate_to_chat_id == supergroup.id


def test_uploads_over_telegrams_size_limits_are_refused(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    from telewire import Bot, InputFile, TelewireError

    bot = Bot(emulator.token, base_url=emulator.base_url)
    with pytest.raises(TelewireError, match="Request Entity Too Large"):
        bot.send_photo(
            chat_id=alice.id,
            photo=InputFile(b"\x89PNG" + b"\0" * (10 * 1024 * 1024), filename="p.png"),
        )
    sent = bot.send_document(
        chat_id=alice.id, document=InputFile(b"\0" * (10 * 1024 * 1024 + 5), filename="d.bin")
    )
    assert sent.document is not None and sent.document.file_size == 10 * 1024 * 1024 + 5
