"""``sqlite:///path``: the embedded default, one file, zero set-up.

One table of ``(key, value, version, expires)`` in WAL mode, so several processes may share
the file and readers never wait for the writer. A write is one upsert statement; a
compare-and-set is one ``BEGIN IMMEDIATE`` transaction, so the check and the write cannot
interleave with another process. A key's version counts up from a random 48-bit start
chosen when the key is created, so a key deleted and created again does not repeat the
versions a stale compare-and-set may still hold (a shared counter row would make every
write touch one more page; measured, it doubled the cost of a write).

The calls are short local writes, so they run on the caller's thread (no thread hop per
call, which would cost more than the write); a lock makes one object safe to share between
the event loop and threads that run sync handlers. ``synchronous=NORMAL`` keeps everything a
``kill -9`` can threaten; pass ``durable=True`` (``?durable=1``) to survive a power cut too.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telewire.storage.base import DELETED, Item, check_key, check_ttl
from telewire.storage.loops import PerLoop
from telewire.storage.sqlite_files import StorageError, connect, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS telewire_kv (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    version INTEGER NOT NULL,
    expires REAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS telewire_kv_expiring ON telewire_kv (expires)
    WHERE expires IS NOT NULL;
"""
_UPSERT = """
INSERT INTO telewire_kv (key, value, version, expires) VALUES (?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET
    value = excluded.value, version = telewire_kv.version + 1, expires = excluded.expires
"""
_RETURNING = sqlite3.sqlite_version_info >= (3, 35)  # older SQLite: two statements instead

_LIVE = "(expires IS NULL OR expires > ?)"
_CLEAN_EVERY = 256  # writes between two sweeps of expired rows
_CLEAN_BATCH = 500  # rows per sweep, so one sweep never holds the lock for long


class SQLiteStorage:
    """A :class:`~telewire.storage.Storage` in one SQLite file."""

    def __init__(
        self, path: str | Path, *, durable: bool = False, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        self._writes = 0
        self._queues: PerLoop[list[tuple[Callable[[sqlite3.Connection], Any], Any]]] = PerLoop()
        self._db: sqlite3.Connection | None = connect(self.path, durable=durable)
        try:
            with self._lock, transaction(self._db) as db:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
        except sqlite3.Error as exc:
            raise StorageError(
                f"cannot use {self.path} as telewire storage ({exc}); check the path, or move "
                "the file away to start afresh"
            ) from None

    def __repr__(self) -> str:
        return f"SQLiteStorage({str(self.path)!r})"

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise StorageError(f"{self!r} is closed")
        return self._db

    # -- the synchronous core, shared by the async methods --------------------------------

    def get_now(self, key: str) -> Item | None:
        """:meth:`get` without the event loop, for sync handlers and threads."""
        check_key(key)
        with self._lock:
            row = (
                self._connection()
                .execute(
                    f"SELECT value, version FROM telewire_kv WHERE key = ? AND {_LIVE}",
                    (key, self._clock()),
                )
                .fetchone()
            )
        return None if row is None else Item(row[0], row[1])

    def set_now(self, key: str, value: bytes, *, ttl: float | None = None) -> int:
        check_key(key)
        check_ttl(ttl)
        with self._lock:
            if _RETURNING:  # one statement is its own transaction
                return self._write(self._connection(), key, value, ttl)
            with transaction(self._connection()) as db:
                return self._write(db, key, value, ttl)

    def compare_and_set_now(
        self, key: str, value: bytes | None, *, expected: int | None, ttl: float | None = None
    ) -> int | None:
        check_key(key)
        check_ttl(ttl)
        with self._lock, transaction(self._connection()) as db:
            return self._compare_and_set(db, key, value, expected, ttl)

    def _compare_and_set(
        self,
        db: sqlite3.Connection,
        key: str,
        value: bytes | None,
        expected: int | None,
        ttl: float | None,
    ) -> int | None:
        row = db.execute(
            f"SELECT version FROM telewire_kv WHERE key = ? AND {_LIVE}", (key, self._clock())
        ).fetchone()
        if (None if row is None else row[0]) != expected:
            return None
        if value is None:
            db.execute("DELETE FROM telewire_kv WHERE key = ?", (key,))
            return DELETED
        return self._write(db, key, value, ttl)

    def delete_now(self, key: str) -> None:
        check_key(key)
        with self._lock:
            self._connection().execute("DELETE FROM telewire_kv WHERE key = ?", (key,))

    def keys_now(self, prefix: str) -> list[str]:
        # A range scan on the primary key; no LIKE, so '%' and '_' in a prefix are literal.
        with self._lock:
            rows = (
                self._connection()
                .execute(
                    f"SELECT key FROM telewire_kv WHERE key >= ? AND substr(key, 1, ?) = ? "
                    f"AND {_LIVE} ORDER BY key",
                    (prefix, len(prefix), prefix, self._clock()),
                )
                .fetchall()
            )
        return [row[0] for row in rows]

    def close_now(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _write(self, db: sqlite3.Connection, key: str, value: bytes, ttl: float | None) -> int:
        now = self._clock()
        row = (key, bytes(value), _fresh_version(), None if ttl is None else now + ttl)
        if _RETURNING:
            (version,) = db.execute(_UPSERT + " RETURNING version", row).fetchone()
        else:  # inside the caller's transaction
            db.execute(_UPSERT, row)
            (version,) = db.execute(
                "SELECT version FROM telewire_kv WHERE key = ?", (key,)
            ).fetchone()
        self._writes += 1
        if self._writes % _CLEAN_EVERY == 0:
            db.execute(
                "DELETE FROM telewire_kv WHERE key IN (SELECT key FROM telewire_kv "
                "WHERE expires <= ? LIMIT ?)",
                (now, _CLEAN_BATCH),
            )
        return int(version)

    # -- the Storage protocol ---------------------------------------------------------------

    async def get(self, key: str) -> Item | None:
        return self.get_now(key)

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> int:
        check_key(key)
        check_ttl(ttl)
        return await self._group(lambda db: self._write(db, key, value, ttl))  # type: ignore[no-any-return]

    async def compare_and_set(
        self, key: str, value: bytes | None, *, expected: int | None, ttl: float | None = None
    ) -> int | None:
        check_key(key)
        check_ttl(ttl)
        return await self._group(  # type: ignore[no-any-return]
            lambda db: self._compare_and_set(db, key, value, expected, ttl)
        )

    def _group(self, write: Callable[[sqlite3.Connection], Any]) -> asyncio.Future[Any]:
        """Group commit: writes made in one turn of the event loop (concurrent handlers)
        share one transaction, and each caller resumes only once it is committed. Measured,
        a commit costs more than the write it carries."""
        loop = asyncio.get_running_loop()
        queue = self._queues.current() or self._queues.keep([])
        future: asyncio.Future[Any] = loop.create_future()
        if not queue:
            loop.call_soon(self._commit, queue)
        queue.append((write, future))
        return future

    def _commit(self, queue: list[tuple[Callable[[sqlite3.Connection], Any], Any]]) -> None:
        batch = queue[:]
        queue.clear()
        try:
            with self._lock, transaction(self._connection()) as db:
                results = [write(db) for write, _ in batch]
        except Exception as exc:  # nothing of the batch was written
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def delete(self, key: str) -> None:
        self.delete_now(key)

    async def keys(self, prefix: str) -> list[str]:
        return self.keys_now(prefix)

    async def close(self) -> None:
        self.close_now()


def _fresh_version() -> int:
    """Where a new key's versions start: random, so a re-created key does not repeat the
    versions of its previous life (2**-48 odds per stale compare-and-set), never 0."""
    return secrets.randbits(48) + 1
