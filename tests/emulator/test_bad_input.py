"""Malformed and hostile requests get Telegram's JSON errors (400/413), never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest

from telewire.testing import EmulatorHandle, TestUser
from tests.emulator.helpers import MULTIPART, call, multipart, raw


def post(emulator: EmulatorHandle, path: str, body: bytes, ctype: str) -> tuple[int, Any]:
    return raw(f"{emulator.base_url}{path}", data=body, content_type=ctype)


def telegram_error(status: int, reply: dict[str, Any]) -> str:
    assert reply["ok"] is False and reply["error_code"] == status, reply
    return str(reply["description"])


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        (
            "sendMessage",
            {"text": "x", "parse_mode": 123},
            "Bad Request: unsupported parse_mode '123'",
        ),
        ("deleteMessage", {"message_id": [1]}, "Bad Request: invalid message_id specified"),
        ("sendChatAction", {"action": []}, "Bad Request: invalid action specified"),
        ("sendMessage", {"text": "x", "chat_id": {}}, "Bad Request: invalid chat_id specified"),
        ("getUpdates", {"timeout": []}, "Bad Request: invalid timeout specified"),
        ("getUpdates", {"limit": {"a": 1}}, "Bad Request: invalid limit specified"),
        ("getUpdates", {"offset": 2**70}, "Bad Request: invalid offset specified"),
        (
            "sendLocation",
            {"latitude": "nan", "longitude": 1},
            "Bad Request: invalid latitude specified",
        ),
        ("deleteMessages", {"message_ids": [1, "x"]}, "Bad Request: invalid message_ids specified"),
        ("setMyCommands", {"commands": 5}, "Bad Request: can't parse commands JSON object"),
    ],
)
def test_a_parameter_of_the_wrong_type_is_a_400(
    emulator: EmulatorHandle,
    alice: TestUser,
    quiet: None,
    method: str,
    params: dict[str, Any],
    description: str,
) -> None:
    status, reply = call(
        emulator.base_url, emulator.token, method, **{"chat_id": alice.id, **params}
    )
    assert status == 400
    assert telegram_error(status, reply) == description


def test_a_number_where_text_is_expected_is_its_text_as_with_telegram(
    emulator: EmulatorHandle, alice: TestUser, quiet: None
) -> None:
    status, reply = call(
        emulator.base_url, emulator.token, "sendMessage", chat_id=alice.id, text=42
    )
    assert status == 200 and reply["result"]["text"] == "42"


@pytest.mark.parametrize(
    ("body", "description"),
    [
        (b'{"chat_id": 1, "text": "\xff\xfe"}', "Bad Request: can't parse JSON request body"),
        (b"not json at all", "Bad Request: can't parse JSON request body"),
        (b"[" * 50_000 + b"]" * 50_000, "Bad Request: can't parse JSON request body"),
        (b"[1, 2]", "Bad Request: JSON request body must be an object"),
    ],
    ids=["bad-utf8", "not-json", "too-deep", "array"],
)
def test_a_json_body_that_cannot_be_read_is_a_400(
    emulator: EmulatorHandle, quiet: None, body: bytes, description: str
) -> None:
    status, reply = post(emulator, f"/bot{emulator.token}/sendMessage", body, "application/json")
    assert status == 400 and telegram_error(status, reply) == description


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (
            b"--x\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--x--\r\n",
            "multipart/form-data; boundary=x",
        ),
        (b"text=%FF%FE&chat_id=1", "application/x-www-form-urlencoded"),
        (b"text=hi", "application/x-www-form-urlencoded; charset=no-such-charset"),
        (b"--x\r\n\r\n", "multipart/form-data"),
    ],
    ids=["part-without-name", "bad-utf8-form", "unknown-charset", "no-boundary"],
)
def test_a_form_that_cannot_be_read_is_a_400(
    emulator: EmulatorHandle, quiet: None, body: bytes, ctype: str
) -> None:
    status, reply = post(emulator, f"/bot{emulator.token}/sendMessage", body, ctype)
    assert status == 400 and telegram_error(status, reply).startswith("Bad Request: ")


@pytest.mark.parametrize("ctype", ["application/json", "application/x-www-form-urlencoded"])
def test_a_60_mb_body_is_a_413(emulator: EmulatorHandle, quiet: None, ctype: str) -> None:
    body = b"x" * (60 * 1024 * 1024)
    status, reply = post(emulator, f"/bot{emulator.token}/sendDocument", body, ctype)
    assert status == 413 and telegram_error(status, reply) == "Request Entity Too Large"
    status, reply = call(emulator.base_url, emulator.token, "getMe")
    assert status == 200 and reply["ok"]


def test_unknown_routes_and_verbs_answer_in_telegram_json(
    emulator: EmulatorHandle, quiet: None
) -> None:
    status, reply = raw(f"{emulator.base_url}/emulator/chats/abc")
    assert status == 404 and telegram_error(status, reply) == "Not Found"
    status, reply = raw(f"{emulator.base_url}/emulator/send")
    assert status == 405 and telegram_error(status, reply) == "Method Not Allowed"


@pytest.mark.parametrize(
    ("path", "body", "description"),
    [
        (
            "/emulator/send",
            {"user": {"id": "42x"}, "text": "hi"},
            "Expected `int`, got `str` - at `user.id`",
        ),
        ("/emulator/send", {"user": 42, "text": "hi"}, "Expected `object`, got `int` - at `user`"),
        ("/emulator/send", {"text": "hi"}, "Object missing required field `user`"),
        (
            "/emulator/send",
            {"user": {"id": -3}, "text": "hi"},
            "Expected `int` >= 1 - at `user.id`",
        ),
        (
            "/emulator/press",
            {"user": {"id": 5}, "chat_id": [5], "message_id": 1, "callback_data": "x"},
            "Expected `int`, got `array` - at `chat_id`",
        ),
        (
            "/emulator/press",
            {"user": {"id": 5}, "chat_id": 5, "message_id": 1},
            "Object missing required field `callback_data`",
        ),
        (
            "/emulator/block",
            {"user": {"id": 5}, "blocked": "yes"},
            "Expected `bool`, got `str` - at `blocked`",
        ),
        (
            "/emulator/chats",
            {"members": [{"id": "x"}]},
            "Expected `int`, got `str` - at `members[0].id`",
        ),
        (
            "/emulator/bots",
            {"token": "not a token"},
            "a token is digits, a colon, then 1-128 letters, digits, _ or -",
        ),
        (
            "/emulator/faults",
            {"spec": "latency_ms=inf"},
            "fault 'latency_ms' needs a number, e.g. latency_ms=0.1",
        ),
    ],
)
def test_a_control_call_of_the_wrong_shape_is_a_400_naming_the_field(
    emulator: EmulatorHandle, quiet: None, path: str, body: dict[str, Any], description: str
) -> None:
    data = json.dumps({"token": emulator.token, **body}).encode()
    status, reply = post(emulator, path, data, "application/json")
    assert status == 400 and telegram_error(status, reply) == f"Bad Request: {description}"


@pytest.mark.parametrize("body", [b"[1]", b'"text"', b"\xff", b"{"])
def test_a_control_body_that_is_no_json_object_is_a_400(
    emulator: EmulatorHandle, quiet: None, body: bytes
) -> None:
    status, reply = post(emulator, "/emulator/send", body, "application/json")
    assert status == 400 and telegram_error(status, reply).startswith("Bad Request: ")
    assert "JSON object" in reply["description"]


def test_a_control_upload_with_a_bad_user_or_chat_is_a_400(
    emulator: EmulatorHandle, quiet: None
) -> None:
    def upload(user: str, chat_id: str) -> tuple[int, Any]:
        fields = {"token": emulator.token, "user": user, "chat_id": chat_id}
        body = multipart(fields, {"file": ("a.txt", b"hi")})
        return post(emulator, "/emulator/upload", body, MULTIPART)

    status, reply = upload('{"id": "42x"}', "")
    assert status == 400 and "user.id" in telegram_error(status, reply)
    status, reply = upload("{not json", "")
    assert (
        status == 400
        and telegram_error(status, reply) == "Bad Request: can't parse user JSON object"
    )
    status, reply = upload('{"id": 42}', "12ab")
    assert (
        status == 400 and telegram_error(status, reply) == "Bad Request: invalid chat_id specified"
    )
    status, reply = upload('{"id": 42}', "")
    assert status == 200 and reply["document"]["file_name"] == "a.txt"


def test_a_press_of_a_button_the_message_does_not_have_is_a_400(
    emulator: EmulatorHandle, alice: TestUser, quiet: None
) -> None:
    keyboard = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}
    _, sent = call(
        emulator.base_url,
        emulator.token,
        "sendMessage",
        chat_id=alice.id,
        text="?",
        reply_markup=keyboard,
    )
    message_id = sent["result"]["message_id"]

    def press(data: str) -> tuple[int, Any]:
        body = {
            "token": emulator.token,
            "user": alice.as_json(),
            "chat_id": alice.id,
            "message_id": message_id,
            "callback_data": data,
            "timeout": 0,
        }
        return post(emulator, "/emulator/press", json.dumps(body).encode(), "application/json")

    assert press("yes")[0] == 200
    status, reply = press("no")
    assert status == 400 and "no inline button with this callback_data" in telegram_error(
        status, reply
    )
    call(
        emulator.base_url,
        emulator.token,
        "editMessageReplyMarkup",
        chat_id=alice.id,
        message_id=message_id,
    )  # the keyboard is gone
    status, reply = press("yes")
    assert status == 400 and "no inline button with this callback_data" in telegram_error(
        status, reply
    )
