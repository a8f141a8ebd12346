"""The blocking client without the generated methods: calls by name, files, life cycle.

:class:`~telewire.client.bot.Bot` adds the typed methods on top. ``telewire send`` uses
this class directly, so a one-shot command does not load the whole API surface.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from telewire.client._shared import ClientBase, result_type
from telewire.core.errors import TelewireError
from telewire.core.exchange import Exchange, Send
from telewire.transports.sync import SyncTransport

if TYPE_CHECKING:
    from typing_extensions import Self

    from telewire.api._generated.types import File
    from telewire.core.retry import RetryPolicy

Progress = Callable[[int, int], None]


def drive(transport: SyncTransport, exchange: Exchange, progress: Progress | None = None) -> Any:
    """Run a core exchange with blocking I/O and return its result."""
    action = next(exchange)
    while True:
        try:
            if isinstance(action, Send):
                try:
                    reply = transport.request(
                        *action[:4],
                        timeout=action.timeout,
                        what=action.what,
                        sink=action.sink,
                        progress=progress,
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


class BlockingClient(ClientBase):
    """Token, server, retries and a keep-alive pool; results as plain JSON values."""

    __slots__ = ("upload_progress",)
    _transport: SyncTransport

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(token, base_url=base_url, timeout=timeout, retry=retry)
        self.upload_progress: Progress | None = None
        """Called with (bytes sent, total) while a request body is uploaded."""

    def _connect(self, base_url: str) -> SyncTransport:
        return SyncTransport(base_url)

    def request(self, method: str, params: dict[str, Any], returns: Any = Any) -> Any:
        """Call ``method`` decoding its result into ``returns`` (plain JSON by default)."""
        return drive(
            self._transport, self._method_call(method, params, returns), self.upload_progress
        )

    @overload
    def download(self, file: str | File, destination: None = None) -> bytes: ...
    @overload
    def download(self, file: str | File, destination: str | Path) -> Path: ...
    def download(self, file: Any, destination: str | Path | None = None) -> Any:
        """Download a file by file_id or File: its bytes, or the Path written if given one."""
        if isinstance(file, str):  # typed, as AsyncBot.download has it
            file = self.request("getFile", {"file_id": file}, returns=result_type("getFile"))
        if destination is None:
            return drive(self._transport, self._download(file, None))
        target = self._prepare(destination)
        with open(target, "wb") as sink:
            try:
                drive(self._transport, self._download(file, sink))
            except BaseException:
                sink.close()
                target.unlink(missing_ok=True)
                raise
        return target

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
