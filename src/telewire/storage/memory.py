"""``memory://``: a dict in this process, for tests and throwaway bots.

Nothing survives the process and nothing is shared with other processes; everything else
(versions, expiry, compare-and-set) behaves exactly as in the durable backends, so code
tested here runs unchanged on SQLite, Redis or PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from telewire.storage.base import DELETED, Item, check_key, check_ttl


class MemoryStorage:
    """A :class:`~telewire.storage.Storage` in a dict; safe from several threads."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._rows: dict[str, tuple[bytes, int, float | None]] = {}
        self._last_version = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryStorage({len(self._rows)} keys)"

    def _live(self, key: str) -> tuple[bytes, int, float | None] | None:
        row = self._rows.get(key)
        if row is not None and row[2] is not None and row[2] <= self._clock():
            del self._rows[key]
            return None
        return row

    def _write(self, key: str, value: bytes, ttl: float | None) -> int:
        self._last_version += 1
        expires = None if ttl is None else self._clock() + ttl
        self._rows[key] = (bytes(value), self._last_version, expires)
        return self._last_version

    async def get(self, key: str) -> Item | None:
        with self._lock:
            row = self._live(check_key(key))
        return None if row is None else Item(row[0], row[1])

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> int:
        check_key(key)
        with self._lock:
            return self._write(key, value, check_ttl(ttl))

    async def compare_and_set(
        self, key: str, value: bytes | None, *, expected: int | None, ttl: float | None = None
    ) -> int | None:
        check_key(key)
        check_ttl(ttl)
        with self._lock:
            row = self._live(key)
            if (None if row is None else row[1]) != expected:
                return None
            if value is None:
                self._rows.pop(key, None)
                return DELETED
            return self._write(key, value, ttl)

    async def delete(self, key: str) -> None:
        with self._lock:
            self._rows.pop(check_key(key), None)

    async def keys(self, prefix: str) -> list[str]:
        with self._lock:
            return sorted(k for k in list(self._rows) if k.startswith(prefix) and self._live(k))

    async def close(self) -> None:
        with self._lock:
            self._rows.clear()
