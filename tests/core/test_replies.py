"""Reply decoding: results, every error class, and replies that are not the Bot API's."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from telewire.core import errors
from telewire.core.replies import decode_reply
from telewire.types import Message, User


def body(**data: Any) -> bytes:
    return msgspec.json.encode(data)


def test_a_result_decodes_into_the_method_type() -> None:
    user = decode_reply(
        "getMe", 200, body(ok=True, result={"id": 1, "is_bot": True, "first_name": "B"}), User
    )
    assert user == User(id=1, is_bot=True, first_name="B")


@pytest.mark.parametrize(
    ("code", "description", "parameters", "cls"),
    [
        (400, "Bad Request: chat not found", None, errors.BadRequest),
        (
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": -1001},
            errors.ChatMigrated,
        ),
        (401, "Unauthorized", None, errors.Unauthorized),
        (403, "Forbidden: bot was blocked by the user", None, errors.Forbidden),
        (404, "Not Found", None, errors.NotFound),
        (
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running",
            None,
            errors.Conflict,
        ),
        (429, "Too Many Requests: retry after 7", {"retry_after": 7}, errors.RetryAfter),
        (500, "Internal Server Error", None, errors.ServerError),
        (502, "Bad Gateway", None, errors.ServerError),
    ],
)
def test_errors_carry_method_code_and_description(
    code: int, description: str, parameters: Any, cls: type
) -> None:
    reply = {"ok": False, "error_code": code, "description": description}
    if parameters:
        reply["parameters"] = parameters
    with pytest.raises(cls) as caught:
        decode_reply("sendMessage", code, msgspec.json.encode(reply), Message)
    error = caught.value
    assert isinstance(error, errors.APIError) and isinstance(error, errors.TelewireError)
    assert (error.method, error.error_code, error.description) == ("sendMessage", code, description)
    assert description in str(error) and "sendMessage" in str(error)


def test_errors_say_what_to_do_where_a_user_can_act() -> None:
    with pytest.raises(errors.Conflict, match="delete_webhook"):
        decode_reply(
            "getUpdates",
            409,
            body(
                ok=False,
                error_code=409,
                description=(
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to "
                    "delete the webhook first"
                ),
            ),
        )
    with pytest.raises(errors.RetryAfter) as caught:
        decode_reply(
            "sendMessage",
            429,
            body(
                ok=False,
                error_code=429,
                description="Too Many Requests: retry after 3",
                parameters={"retry_after": 3},
            ),
        )
    assert caught.value.retry_after == 3
    with pytest.raises(errors.ChatMigrated) as migrated:
        decode_reply(
            "sendMessage",
            400,
            body(
                ok=False,
                error_code=400,
                description="Bad Request: x",
                parameters={"migrate_to_chat_id": -100123},
            ),
        )
    assert migrated.value.migrate_to_chat_id == -100123


def test_a_non_json_reply_is_malformed_and_a_non_json_5xx_is_a_server_error() -> None:
    with pytest.raises(errors.MalformedReply, match="not a Bot API reply"):
        decode_reply("getMe", 200, b"<html>hello</html>", User)
    with pytest.raises(errors.ServerError, match="HTTP 502"):
        decode_reply("getMe", 502, b"<html>Bad Gateway</html>", User)


def test_a_result_of_the_wrong_shape_is_reported_not_crashed_on() -> None:
    with pytest.raises(errors.MalformedReply, match="does not match the Bot API types"):
        decode_reply("getMe", 200, body(ok=True, result={"id": "not a number"}), User)


def test_errors_survive_pickling() -> None:
    import pickle

    error = errors.RetryAfter(
        method="sendMessage", error_code=429, description="x", parameters={"retry_after": 2}
    )
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is errors.RetryAfter and again.retry_after == 2
