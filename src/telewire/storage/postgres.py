"""``postgresql://``: storage in a PostgreSQL table, on asyncpg.

One table ``telewire_kv (key, value, version, expires)`` and one sequence for versions.
Compare-and-set is a single statement: ``UPDATE … WHERE version = $n`` (a concurrent writer
waits for the row lock, then sees the new version and matches nothing) or
``INSERT … ON CONFLICT`` for "must not exist". Expiry uses the server's clock, so machines
with skewed clocks still agree on what has expired.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telewire.storage.base import DELETED, Item, StorageUnavailable, check_key, check_ttl
from telewire.storage.loops import PerLoop

_NOW = "extract(epoch from clock_timestamp())::float8"
_LIVE = f"(expires IS NULL OR expires > {_NOW})"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS telewire_kv (
    key text PRIMARY KEY,
    value bytea NOT NULL,
    version bigint NOT NULL,
    expires float8
);
CREATE INDEX IF NOT EXISTS telewire_kv_expiring ON telewire_kv (expires)
    WHERE expires IS NOT NULL;
CREATE SEQUENCE IF NOT EXISTS telewire_kv_version;
"""
_SCHEMA_LOCK = 0x7465_6C65  # advisory lock id: first processes may race to create the table
_WRITE = f"""
INSERT INTO telewire_kv AS row (key, value, version, expires)
VALUES ($1, $2, nextval('telewire_kv_version'), {_NOW} + $3::float8)
ON CONFLICT (key) DO UPDATE
    SET value = EXCLUDED.value, version = EXCLUDED.version, expires = EXCLUDED.expires
"""
_SET = _WRITE + " RETURNING version"
_CREATE = _WRITE + f" WHERE NOT (row.expires IS NULL OR row.expires > {_NOW}) RETURNING version"
_REPLACE = f"""
UPDATE telewire_kv SET value = $2, version = nextval('telewire_kv_version'),
    expires = {_NOW} + $3::float8
WHERE key = $1 AND version = $4 AND {_LIVE} RETURNING version
"""
_CLEAN_EVERY = 256
_CLEAN = f"""
DELETE FROM telewire_kv WHERE key IN
    (SELECT key FROM telewire_kv WHERE expires <= {_NOW} LIMIT 500)
"""


async def _keep_session(connection: object) -> None:
    """We set no session state (no LISTEN, no SET, only transaction-scoped locks), so the
    pool's default reset, one more round trip per statement, buys nothing."""


async def _close_pool(opening: asyncio.Task[Any]) -> None:
    if opening.done() and not opening.cancelled() and opening.exception() is None:
        await opening.result().close()
    else:
        opening.cancel()


class PostgresStorage:
    """A :class:`~telewire.storage.Storage` on a PostgreSQL server (a pool, opened lazily)."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        from telewire.storage.urls import _redact

        self._url = url
        self._where = _redact(url)
        self._pool_size = pool_size
        self._pools: PerLoop[asyncio.Task[Any]] = PerLoop()
        self._writes = 0

    def __repr__(self) -> str:
        return f"PostgresStorage({self._where!r})"

    async def _connected(self) -> Any:
        """This loop's pool; the first call in a loop opens it (and creates the table)."""
        opening = self._pools.current()
        if opening is None:
            opening = self._pools.keep(asyncio.ensure_future(self._open()))
        try:
            return await asyncio.shield(opening)
        except Exception:
            self._pools.forget()  # the next call tries again
            raise

    async def _open(self) -> Any:
        import asyncpg

        pool = None
        try:
            pool = await asyncpg.create_pool(
                self._url, min_size=1, max_size=self._pool_size, reset=_keep_session
            )
            async with pool.acquire() as db, db.transaction():
                await db.execute(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
                await db.execute(_SCHEMA)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            if pool is not None:
                await pool.close()
            raise StorageUnavailable(
                f"cannot use PostgreSQL at {self._where} ({exc}); check the URL, that the "
                "server is running, and that the user may create a table"
            ) from None
        return pool

    async def get(self, key: str) -> Item | None:
        pool = await self._connected()
        row = await pool.fetchrow(
            f"SELECT value, version FROM telewire_kv WHERE key = $1 AND {_LIVE}", check_key(key)
        )
        return None if row is None else Item(row[0], row[1])

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> int:
        pool = await self._connected()
        version = await pool.fetchval(_SET, check_key(key), bytes(value), check_ttl(ttl))
        await self._written(pool)
        return int(version)

    async def compare_and_set(
        self, key: str, value: bytes | None, *, expected: int | None, ttl: float | None = None
    ) -> int | None:
        check_key(key)
        check_ttl(ttl)
        pool = await self._connected()
        if value is None:
            if expected is None:
                live = await pool.fetchval(
                    f"SELECT 1 FROM telewire_kv WHERE key = $1 AND {_LIVE}", key
                )
                return None if live else DELETED
            deleted = await pool.fetchval(
                f"DELETE FROM telewire_kv WHERE key = $1 AND version = $2 AND {_LIVE} RETURNING 1",
                key,
                expected,
            )
            return DELETED if deleted else None
        if expected is None:
            version = await pool.fetchval(_CREATE, key, bytes(value), ttl)
        else:
            version = await pool.fetchval(_REPLACE, key, bytes(value), ttl, expected)
        if version is None:
            return None
        await self._written(pool)
        return int(version)

    async def _written(self, pool: Any) -> None:
        self._writes += 1
        if self._writes % _CLEAN_EVERY == 0:
            await pool.execute(_CLEAN)

    async def delete(self, key: str) -> None:
        pool = await self._connected()
        await pool.execute("DELETE FROM telewire_kv WHERE key = $1", check_key(key))

    async def keys(self, prefix: str) -> list[str]:
        pool = await self._connected()
        rows = await pool.fetch(
            f"SELECT key FROM telewire_kv WHERE left(key, char_length($1)) = $1 AND {_LIVE} "
            'ORDER BY key COLLATE "C"',
            prefix,
        )
        return [row[0] for row in rows]

    async def close(self) -> None:
        await self._pools.close(_close_pool)
