"""telewire's exceptions: one base class, a name for each thing that can go wrong.

Each API error carries the method, Telegram's ``error_code`` and its ``description``
verbatim (people match on it), and, where a user can act, what to do about it. Messages
never contain the bot token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TelewireError(Exception):
    """Base class of every error telewire raises on purpose."""


class NetworkError(TelewireError):
    """The request did not get a reply: connection refused, reset, DNS, TLS...

    ``sent`` tells whether the request may have reached Telegram. When it is False the
    request is safe to retry; when True a retry may repeat its effect (a second message).
    """

    def __init__(self, message: str, *, method: str | None = None, sent: bool = False) -> None:
        super().__init__(message)
        self.method = method
        self.sent = sent


class TimedOut(NetworkError):
    """No reply arrived in time. The request may or may not have been carried out."""


class MalformedReply(TelewireError):
    """The server answered with something that is not a Bot API reply (not JSON, no ``ok``)."""

    def __init__(self, message: str, *, method: str, status: int, body: bytes) -> None:
        super().__init__(message)
        self.method = method
        self.status = status
        self.body = body[:500]


class APIError(TelewireError):
    """Telegram answered ``ok: false``."""

    hint = ""

    def __init__(
        self,
        *,
        method: str,
        error_code: int,
        description: str,
        parameters: Mapping[str, object] | None = None,
    ) -> None:
        self.method = method
        self.error_code = error_code
        self.description = description
        self.parameters: dict[str, object] = dict(parameters or {})
        message = f"{method}: {description} (error {error_code})"
        hint = self._hint()
        if hint:
            message += f". {hint}"
        super().__init__(message)

    def _hint(self) -> str:
        return self.hint

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild,
            (type(self), self.method, self.error_code, self.description, self.parameters),
        )


def _rebuild(
    cls: type[APIError], method: str, code: int, description: str, parameters: Any
) -> APIError:
    return cls(method=method, error_code=code, description=description, parameters=parameters)


NOT_STARTED = (
    "A user must start a chat with the bot first (open it in Telegram and press Start); "
    "a group or channel must have the bot as a member"
)


class BadRequest(APIError):
    """400: the request was wrong (bad parameters, chat not found, text too long...)."""

    def _hint(self) -> str:
        # Telegram says only "chat not found" when a user never wrote to the bot, which is
        # what nearly every newcomer hits first; say what to do about it.
        return NOT_STARTED if "chat not found" in self.description.lower() else ""


class ChatMigrated(BadRequest):
    """400: the group became a supergroup; send to ``migrate_to_chat_id`` from now on."""

    @property
    def migrate_to_chat_id(self) -> int:
        return int(str(self.parameters["migrate_to_chat_id"]))

    def _hint(self) -> str:
        return f"Use the new chat id {self.parameters.get('migrate_to_chat_id')}"


class Unauthorized(APIError):
    """401: the token is wrong or was revoked."""

    hint = "Check the bot token (TELEGRAM_BOT_TOKEN); @BotFather can show or revoke it"


class Forbidden(APIError):
    """403: the bot may not do this (blocked by the user, kicked from the group...)."""

    def _hint(self) -> str:
        return NOT_STARTED if "can't initiate conversation" in self.description else ""


class NotFound(APIError):
    """404: no such method (or a malformed token in the URL)."""

    hint = "Check the method name and the API base URL (TELEGRAM_API_URL)"


class Conflict(APIError):
    """409: another getUpdates is running for this bot, or a webhook is set."""

    def _hint(self) -> str:
        if "webhook" in self.description:
            return "Delete the webhook (bot.delete_webhook()) or receive updates by webhook"
        return "Another instance is polling this bot; stop it (only one may poll at a time)"


class RetryAfter(APIError):
    """429: flood control; wait ``retry_after`` seconds before the next request."""

    @property
    def retry_after(self) -> float:
        return float(str(self.parameters.get("retry_after", 1)))


class ServerError(APIError):
    """5xx: Telegram had a problem; the request may be retried later."""


_BY_CODE: dict[int, type[APIError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: RetryAfter,
}


def api_error(
    method: str, error_code: int, description: str, parameters: Mapping[str, object] | None
) -> APIError:
    """Build the right :class:`APIError` subclass for an ``ok: false`` reply."""
    if parameters and "migrate_to_chat_id" in parameters:
        cls: type[APIError] = ChatMigrated
    elif parameters and "retry_after" in parameters:
        cls = RetryAfter
    elif error_code >= 500:
        cls = ServerError
    else:
        cls = _BY_CODE.get(error_code, APIError)
    return cls(method=method, error_code=error_code, description=description, parameters=parameters)
