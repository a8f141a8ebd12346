"""The blocking client: every Bot API method as a plain call."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from telewire.api._generated.bot import BotMethods
from telewire.client._shared import ClientBase
from telewire.core.errors import TelewireError
from telewire.core.exchange import Exchange, Send
from telewire.transports.sync import SyncTransport


class Bot(ClientBase, BotMethods):
    """A Telegram bot, called synchronously: ``Bot(token).send_message(chat_id=..., text=...)``.

    Connections are kept alive and shared between threads. Use as a context manager, or
    call :meth:`close`, to release them. With no arguments the token and server come from
    ``TELEGRAM_BOT_TOKEN`` and ``TELEGRAM_API_URL``.
    """

    __slots__ = ()
    _transport: SyncTransport

    def _connect(self, base_url: str) -> SyncTransport:
        return SyncTransport(base_url)

    def _drive(self, exchange: Exchange) -> Any:
        """Run a core exchange with blocking I/O."""
        transport = self._transport
        action = next(exchange)
        while True:
            try:
                if isinstance(action, Send):
                    try:
                        reply = transport.request(
                            *action[:4], timeout=action.timeout, what=action.what, sink=action.sink
                        )
                    except TelewireError as error:
                        action = exchange.throw(error)
                        continue
                else:
                    time.sleep(action.seconds)
                    reply = None
                action = exchange.send(reply)
            except StopIteration as done:
                return done.value

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        return self._drive(self._method_call(method, params))

    def call(self, method: str, /, **params: Any) -> Any:
        """Call any method by name: typed when the spec knows it, plain JSON otherwise."""
        return self._drive(self._method_call(method, params))

    def request(self, method: str, params: dict[str, Any], returns: Any = Any) -> Any:
        """Call ``method`` decoding its result into ``returns`` (plain JSON by default)."""
        return self._drive(self._method_call(method, params, returns))

    def download(self, file: Any, destination: str | Path | None = None) -> Any:
        """Download a file by file_id or File: its bytes, or the Path written if given one."""
        if isinstance(file, str):
            file = self.get_file(file_id=file)
        if destination is None:
            return self._drive(self._download(file, None))
        target = self._prepare(destination)
        with open(target, "wb") as sink:
            try:
                self._drive(self._download(file, sink))
            except BaseException:
                sink.close()
                target.unlink(missing_ok=True)
                raise
        return target

    def close(self) -> None:  # type: ignore[override]
        self._transport.close()

    def __enter__(self) -> Bot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
