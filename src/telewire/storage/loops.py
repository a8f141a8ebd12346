"""One network client per event loop, because asyncio connections belong to their loop.

A bot runs its poller in one loop, a test or a sync handler may use the same storage from
another (``asyncio.run`` in a thread). Redis and PostgreSQL connections made in one loop
fail in another, so the backends keep a client per running loop, made on first use.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerLoop(Generic[T]):
    def __init__(self) -> None:
        self._clients: dict[asyncio.AbstractEventLoop, T] = {}
        self._lock = threading.Lock()

    def current(self) -> T | None:
        return self._clients.get(asyncio.get_running_loop())

    def keep(self, client: T) -> T:
        with self._lock:
            self._clients[asyncio.get_running_loop()] = client
        return client

    def forget(self) -> None:
        with self._lock:
            self._clients.pop(asyncio.get_running_loop(), None)

    async def close(self, closer: Callable[[T], Awaitable[None]]) -> None:
        """Close this loop's client; ask other live loops to close theirs; forget the rest."""
        here = asyncio.get_running_loop()
        with self._lock:
            clients, self._clients = self._clients, {}
        for loop, client in clients.items():
            if loop is here:
                await closer(client)
            elif not loop.is_closed() and loop.is_running():
                with contextlib.suppress(RuntimeError):  # it stopped just now
                    asyncio.run_coroutine_threadsafe(_close(closer, client), loop)


async def _close(closer: Callable[[T], Awaitable[None]], client: T) -> None:
    await closer(client)
