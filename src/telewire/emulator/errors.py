"""Errors the emulator answers with, worded exactly as Telegram words them."""

from __future__ import annotations

from typing import Any


class ApiFailure(Exception):
    """Raised by a method implementation; the server turns it into ``ok: false``."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad_request(text: str) -> ApiFailure:
    return ApiFailure(400, f"Bad Request: {text}")


def forbidden(text: str) -> ApiFailure:
    return ApiFailure(403, f"Forbidden: {text}")


ENTITY_TOO_LARGE = "Request Entity Too Large"
CHAT_NOT_FOUND = "chat not found"
TEXT_EMPTY = "message text is empty"
TEXT_TOO_LONG = "message is too long"
CAPTION_TOO_LONG = "message caption is too long"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
EDIT_NOT_FOUND = "message to edit not found"
DELETE_NOT_FOUND = "message to delete not found"
NO_MESSAGE_ID = "message identifier is not specified"
INLINE_ID_INVALID = "invalid inline message identifier specified"
MESSAGE_ID_INVALID = "MESSAGE_ID_INVALID"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
WRONG_FILE = "wrong file identifier/HTTP URL specified"
BLOCKED = "bot was blocked by the user"
CANT_INITIATE = "bot can't initiate conversation with a user"
KICKED = "bot was kicked from the group chat"
UPGRADED = "group chat was upgraded to a supergroup chat"
CONFLICT_POLLING = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)


def too_many_requests(retry_after: int) -> ApiFailure:
    return ApiFailure(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )
