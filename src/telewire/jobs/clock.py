"""The scheduler's sense of time, replaceable so tests move time instead of waiting for it.

:class:`SystemClock` is wall time (POSIX seconds, shared by processes and restarts).
:class:`FakeClock` stands still until a test calls :meth:`FakeClock.advance`, which wakes
every scheduler sleeping past the new time, in any thread's event loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """POSIX seconds."""
        ...

    async def sleep_until(self, when: float) -> None:
        """Return at ``when`` or soon after; cancellable."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep_until(self, when: float) -> None:
        await asyncio.sleep(max(0.0, when - time.time()))


class FakeClock:
    """Time that moves only when told: ``clock.advance(3600)`` is an hour, at once."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        self._sleepers: list[tuple[float, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def __repr__(self) -> str:
        return f"FakeClock(now={self._now})"

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward and wake the sleepers now due; returns the new time."""
        if seconds < 0:
            raise ValueError("a clock cannot go back; advance by zero or more seconds")
        with self._lock:
            self._now += seconds
            due = [entry for entry in self._sleepers if entry[0] <= self._now]
            self._sleepers = [entry for entry in self._sleepers if entry[0] > self._now]
        for _, loop, future in due:
            loop.call_soon_threadsafe(_wake, future)
        return self._now

    def set(self, when: float) -> float:
        return self.advance(max(0.0, when - self._now))

    async def sleep_until(self, when: float) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if when <= self._now:
                return
            entry = (when, loop, future)
            self._sleepers.append(entry)
        try:
            await future
        finally:
            with self._lock:
                if entry in self._sleepers:
                    self._sleepers.remove(entry)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
