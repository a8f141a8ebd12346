"""The one interface every storage backend speaks.

Values are opaque bytes (callers encode with msgspec), so a backend never needs to know
what a dialog or a job looks like. Every write gives the key a new *version*; versions come
from one counter per store, so a key that was deleted and written again never reuses an old
version (no ABA: a stale compare-and-set cannot succeed by accident).

Expiry is enforced on read: an expired key is absent for every method, and backends clean
expired rows lazily. ``ttl`` is in seconds.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import msgspec


class StorageUnavailable(ConnectionError):
    """The storage server cannot be reached or refused us; the message says which and why."""


DELETED = 0
"""What :meth:`Storage.compare_and_set` returns when it deleted (or kept absent) a key."""


class Item(msgspec.Struct, frozen=True):
    """A stored value with the version to pass to :meth:`Storage.compare_and_set`."""

    value: bytes
    version: int


@runtime_checkable
class Storage(Protocol):
    """Keyed bytes with expiry and an atomic compare-and-set, shared by processes."""

    async def get(self, key: str) -> Item | None:
        """The live value of ``key``, or None when it is absent or expired."""
        ...

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> int:
        """Write unconditionally; returns the new version. ``ttl=None`` means no expiry."""
        ...

    async def compare_and_set(
        self, key: str, value: bytes | None, *, expected: int | None, ttl: float | None = None
    ) -> int | None:
        """Write only if the key is still at version ``expected`` (None: must be absent).

        ``value=None`` deletes. Returns the new version (``DELETED`` == 0 for a deletion), or
        None when the expectation failed and nothing was written.
        """
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        ...

    async def keys(self, prefix: str) -> list[str]:
        """Live keys starting with ``prefix``, sorted. Scans: for bounded sets (jobs), not
        for per-user data."""
        ...

    async def close(self) -> None:
        """Release connections; the object is unusable afterwards."""
        ...


def check_key(key: str) -> str:
    """Keys are non-empty text without NUL (PostgreSQL's text cannot hold one), at most
    1024 characters; anything else is a caller bug worth a clear message."""
    if not isinstance(key, str) or not key or "\0" in key or len(key) > 1024:
        shown = key if not isinstance(key, str) or len(key) <= 60 else key[:60] + "…"
        raise ValueError(
            f"storage keys are non-empty strings without NUL, at most 1024 characters; "
            f"got {shown!r}"
        )
    return key


def check_ttl(ttl: float | None) -> float | None:
    if ttl is not None and not ttl > 0:
        raise ValueError(f"ttl must be a positive number of seconds or None, got {ttl!r}")
    return ttl
