"""The blocking client: every Bot API method as a plain, typed call."""

from __future__ import annotations

from typing import Any

from telewire.api._generated.bot import BotMethods
from telewire.client.blocking import BlockingClient, drive


class Bot(BlockingClient, BotMethods):  # type: ignore[misc]
    """A Telegram bot, called synchronously: ``Bot(token).send_message(chat_id=..., text=...)``.

    Connections are kept alive and shared between threads. Use as a context manager, or
    call :meth:`close`, to release them. With no arguments the token and server come from
    ``TELEGRAM_BOT_TOKEN`` and ``TELEGRAM_API_URL``, else from what ``telewire setup`` saved.
    """

    __slots__ = ()

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        return drive(self._transport, self._method_call(method, params), self.upload_progress)

    def call(self, method: str, /, **params: Any) -> Any:
        """Call any method by name: typed when the spec knows it, plain JSON otherwise."""
        return self._call(method, params)

    def __enter__(self) -> Bot:
        return self
