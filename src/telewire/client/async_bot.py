"""The asyncio client: every Bot API method as a coroutine."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from telewire.api._generated.bot import AsyncBotMethods
from telewire.client._shared import ClientBase
from telewire.core.errors import TelewireError
from telewire.core.exchange import Exchange, Send
from telewire.transports.aio import AsyncTransport

if TYPE_CHECKING:
    from telewire.api._generated.types import File


class AsyncBot(ClientBase, AsyncBotMethods):
    """A Telegram bot for asyncio: ``await AsyncBot(token).send_message(chat_id=..., text=...)``.

    One keep-alive connection pool serves all concurrent calls. Use ``async with``, or
    await :meth:`close`, to release it. With no arguments the token and server come from
    ``TELEGRAM_BOT_TOKEN`` and ``TELEGRAM_API_URL``, else from what ``telewire setup`` saved.
    """

    __slots__ = ()
    _transport: AsyncTransport

    def _connect(self, base_url: str) -> AsyncTransport:
        return AsyncTransport(base_url)

    async def _drive(self, exchange: Exchange) -> Any:
        """Run a core exchange with asyncio I/O."""
        transport = self._transport
        action = next(exchange)
        while True:
            try:
                if isinstance(action, Send):
                    try:
                        reply = await transport.request(
                            *action[:4], timeout=action.timeout, what=action.what, sink=action.sink
                        )
                    except TelewireError as error:
                        action = exchange.throw(error)
                        continue
                else:
                    await asyncio.sleep(action.seconds)
                    reply = None
                action = exchange.send(reply)
            except StopIteration as done:
                return done.value

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        return await self._drive(self._method_call(method, params))

    async def call(self, method: str, /, **params: Any) -> Any:
        """Call any method by name: typed when the spec knows it, plain JSON otherwise."""
        return await self._drive(self._method_call(method, params))

    async def request(self, method: str, params: dict[str, Any], returns: Any = Any) -> Any:
        """Call ``method`` decoding its result into ``returns`` (plain JSON by default)."""
        return await self._drive(self._method_call(method, params, returns))

    @overload
    async def download(self, file: str | File, destination: None = None) -> bytes: ...
    @overload
    async def download(self, file: str | File, destination: str | Path) -> Path: ...
    async def download(self, file: Any, destination: str | Path | None = None) -> Any:
        """Download a file by file_id or File: its bytes, or the Path written if given one.

        The body is read into memory (the Bot API serves at most 20 MB) and written to
        ``destination`` in a worker thread, so the event loop never waits on the disk.
        """
        if isinstance(file, str):
            file = await self.get_file(file_id=file)
        data = await self._drive(self._download(file, None))
        if destination is None:
            return data
        return await asyncio.to_thread(_write, self._prepare, destination, data)

    async def close(self) -> None:  # type: ignore[override]
        await self._transport.close()

    async def __aenter__(self) -> AsyncBot:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _write(prepare: Callable[[str | Path], Path], destination: str | Path, data: bytes) -> Path:
    target = prepare(destination)
    try:
        target.write_bytes(data)
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written file left behind
        raise
    return target
