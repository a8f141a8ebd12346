"""The clients against the real emulator over HTTP: calls, errors, retries, files."""

from __future__ import annotations

import asyncio
import logging
import traceback
from pathlib import Path

import pytest

from telewire import (
    AsyncBot,
    BadRequest,
    Bot,
    Forbidden,
    InputFile,
    MalformedReply,
    NetworkError,
    NotFound,
    RetryPolicy,
    ServerError,
    TimedOut,
    Unauthorized,
)
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import Message, User
from tests.conftest import FAST_RETRY

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000002000000030806000000") + b"\0" * 40


def test_sync_bot_sends_and_receives_typed_objects(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    me = bot.get_me()
    assert isinstance(me, User) and me.is_bot
    sent = bot.send_message(chat_id=alice.id, text="Hello, *Alice*", parse_mode="MarkdownV2")
    assert isinstance(sent, Message) and sent.text == "Hello, Alice"
    assert sent.entities is not None and sent.entities[0].type == "bold"
    assert emulator.messages(alice.id)[-1].text == "Hello, Alice"


def test_async_bot_does_the_same(emulator: EmulatorHandle, alice: TestUser) -> None:
    async def main() -> list[Message]:
        async with AsyncBot(emulator.token, base_url=emulator.base_url) as bot:
            return list(
                await asyncio.gather(
                    *(bot.send_message(chat_id=alice.id, text=f"n{i}") for i in range(20))
                )
            )

    sent = asyncio.run(main())
    assert sorted(m.text for m in sent) == sorted(f"n{i}" for i in range(20))
    assert len({m.message_id for m in sent}) == 20


def test_updates_arrive_typed_with_offsets(bot: Bot, emulator: EmulatorHandle) -> None:
    bob = emulator.user("Bob")
    emulator.send(bob, "one")
    emulator.send(bob, "two")
    updates = bot.get_updates(timeout=0)
    assert [u.message.text for u in updates if u.message] == ["one", "two"]
    assert bot.get_updates(offset=updates[-1].update_id + 1, timeout=0) == []


def test_telegram_errors_become_named_exceptions(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    with pytest.raises(BadRequest, match="chat not found"):
        bot.send_message(chat_id=999999, text="hi")
    stranger = emulator.user("Stranger")
    emulator.block(stranger)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        bot.send_message(chat_id=stranger.id, text="hi")
    with pytest.raises(NotFound):
        bot.call("noSuchMethod")
    with pytest.raises(Unauthorized, match="Check the bot token"):
        Bot("123:" + "x" * 30, base_url=emulator.base_url).get_me()


def test_call_reaches_methods_by_name_and_keeps_unknown_results_plain(
    bot: Bot, alice: TestUser
) -> None:
    sent = bot.call("sendMessage", chat_id=alice.id, text="raw")
    assert isinstance(sent, Message)
    assert bot.request("sendMessage", {"chat_id": alice.id, "text": "plain"})["text"] == "plain"


def test_429_is_waited_out_and_retried(emulator: EmulatorHandle, alice: TestUser) -> None:
    emulator.faults("429=1.0,retry_after=1")
    with Bot(emulator.token, base_url=emulator.base_url, retry=RetryPolicy(attempts=2)) as bot:
        import threading

        threading.Timer(0.3, emulator.faults, args=(None,)).start()
        assert bot.send_message(chat_id=alice.id, text="after flood").text == "after flood"


PATIENT = RetryPolicy(attempts=30, backoff=0.01, max_backoff=0.02)


def test_server_errors_are_retried_only_where_repeating_is_harmless(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    bot = Bot(emulator.token, base_url=emulator.base_url, retry=PATIENT)
    emulator.faults("500=0.3,502=0.2,seed=7")
    assert len([bot.get_chat(chat_id=alice.id) for _ in range(15)]) == 15
    emulator.faults("drop=0.4,seed=3")
    assert len([bot.get_chat(chat_id=alice.id) for _ in range(10)]) == 10
    emulator.faults("502=1.0")  # a 5xx may come after the message went out: not repeated
    with pytest.raises(ServerError, match=r"not retried.*duplicate"):
        bot.send_message(chat_id=alice.id, text="never sent")
    emulator.faults(None)
    assert "never sent" not in [m.text for m in emulator.messages(alice.id)]


@pytest.mark.parametrize(("fault", "error"), [("gateway", ServerError), ("lost", NetworkError)])
def test_a_send_whose_reply_was_lost_after_it_took_effect_is_not_sent_twice(
    emulator: EmulatorHandle, alice: TestUser, fault: str, error: type[Exception]
) -> None:
    bot = Bot(emulator.token, base_url=emulator.base_url, retry=PATIENT)
    emulator.faults(f"{fault}=1.0")
    with pytest.raises(error, match=r"not retried.*duplicate"):
        bot.send_message(chat_id=alice.id, text=f"once via {fault}")
    emulator.faults(f"{fault}=0.5,seed=2")
    assert [bot.get_chat(chat_id=alice.id).id for _ in range(5)] == [alice.id] * 5  # repeated
    emulator.faults(None)
    assert [m.text for m in emulator.messages(alice.id)].count(f"once via {fault}") == 1


def test_a_send_that_timed_out_is_not_repeated_and_says_why(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    emulator.faults("latency=1.0,latency_ms=600")
    with Bot(emulator.token, base_url=emulator.base_url, timeout=0.2, retry=FAST_RETRY) as bot:
        with pytest.raises(TimedOut, match=r"not retried.*duplicate") as caught:
            bot.send_message(chat_id=alice.id, text="maybe once")
        assert caught.value.sent
    emulator.faults(None)
    import time

    time.sleep(0.8)
    assert [m.text for m in emulator.messages(alice.id)].count("maybe once") == 1


def test_connection_refused_is_a_network_error_after_retries() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bot = Bot("123:" + "a" * 30, base_url=f"http://127.0.0.1:{port}", retry=FAST_RETRY)
    with pytest.raises(NetworkError, match="cannot reach the API server") as caught:
        bot.get_me()
    assert not caught.value.sent


def test_a_server_that_is_not_the_bot_api_is_reported(emulator: EmulatorHandle) -> None:
    bot = Bot(emulator.token, base_url=emulator.base_url + "/page/index.html?", retry=FAST_RETRY)
    with pytest.raises((MalformedReply, NotFound)):
        bot.get_me()


def test_files_upload_from_path_bytes_and_file_objects_and_download(
    bot: Bot, alice: TestUser, tmp_path: Path
) -> None:
    path = tmp_path / "p.png"
    path.write_bytes(PNG)
    photo = bot.send_photo(chat_id=alice.id, photo=InputFile(path), caption="from a path")
    assert photo.photo and (photo.photo[0].width, photo.photo[0].height) == (2, 3)
    document = bot.send_document(
        chat_id=alice.id, document=InputFile(b"hello file", filename="h.txt")
    )
    assert document.document and document.document.file_name == "h.txt"
    with path.open("rb") as handle:
        bot.send_document(chat_id=alice.id, document=InputFile(handle))
    assert bot.download(photo.photo[0].file_id) == PNG
    target = bot.download(
        bot.get_file(file_id=document.document.file_id), tmp_path / "out" / "h.txt"
    )
    assert target.read_bytes() == b"hello file"
    again = bot.send_photo(chat_id=alice.id, photo=photo.photo[0].file_id)
    assert again.photo and again.photo[0].file_id == photo.photo[0].file_id


def test_media_groups_send_nested_files(bot: Bot, alice: TestUser) -> None:
    from telewire.types import InputMediaDocument, InputMediaPhoto

    messages = bot.send_media_group(
        chat_id=alice.id,
        media=[
            InputMediaPhoto(media=InputFile(PNG, filename="a.png"), caption="first"),
            InputMediaDocument(media=InputFile(b"doc", filename="d.txt")),
        ],
    )
    assert len(messages) == 2 and messages[0].media_group_id == messages[1].media_group_id
    assert messages[0].caption == "first" and messages[1].document is not None


def test_async_download(emulator: EmulatorHandle, alice: TestUser, tmp_path: Path) -> None:
    async def main() -> bytes:
        async with AsyncBot(emulator.token, base_url=emulator.base_url) as bot:
            sent = await bot.send_document(
                chat_id=alice.id, document=InputFile(b"async bytes", filename="a.bin")
            )
            assert sent.document is not None
            path = await bot.download(sent.document.file_id, tmp_path / "a.bin")
            assert path.read_bytes() == b"async bytes"
            return await bot.download(sent.document.file_id)  # type: ignore[no-any-return]

    assert asyncio.run(main()) == b"async bytes"


def test_the_token_never_leaks_on_any_error_path(
    emulator: EmulatorHandle, alice: TestUser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = emulator.token.split(":", 1)[1]
    wrong = "123:" + "s" * 30
    failures: list[BaseException] = []

    def attempt(fn: object) -> None:
        try:
            fn()  # type: ignore[operator]
        except Exception as exc:
            failures.append(exc)

    good = Bot(emulator.token, base_url=emulator.base_url, retry=FAST_RETRY, timeout=0.3)
    attempt(lambda: Bot(wrong, base_url=emulator.base_url).get_me())
    attempt(lambda: good.call("noSuchMethod"))
    attempt(lambda: good.send_message(chat_id=1, text="x"))
    attempt(lambda: good.download("nope"))
    attempt(lambda: Bot(emulator.token, base_url="http://127.0.0.1:9", retry=FAST_RETRY).get_me())
    attempt(lambda: Bot(emulator.token + "!"))
    emulator.faults("latency=1.0,latency_ms=800")
    attempt(lambda: good.send_message(chat_id=alice.id, text="slow"))
    emulator.faults("500=1.0")
    attempt(lambda: good.get_me())
    emulator.faults(None)

    async def async_paths() -> None:
        async with AsyncBot(emulator.token, base_url="http://127.0.0.1:9", retry=FAST_RETRY) as bot:
            attempt_async = bot.get_me()
            try:
                await attempt_async
            except Exception as exc:
                failures.append(exc)

    asyncio.run(async_paths())
    assert len(failures) == 9
    for exc in failures:
        shown = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)
        assert secret not in shown, shown
    assert secret not in caplog.text
    assert secret not in repr(good) and secret not in repr(AsyncBot(emulator.token))
