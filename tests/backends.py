"""Storage backends as fixtures: tests taking `storage_url` run on SQLite, memory, Redis and
PostgreSQL (real servers); `shared_storage_url` on those several processes can share."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from telewire.testing.servers import PostgresServer, RedisServer

BACKENDS = ["sqlite", "memory", "redis", "postgres"]
SHARED = ["sqlite", "redis", "postgres"]  # several processes can share these


def empty(url: str) -> None:
    """Remove what earlier tests left on a shared server."""
    if url.startswith("redis"):
        import redis

        with redis.Redis.from_url(url) as client:
            client.flushdb()
    elif url.startswith("postgresql"):
        import asyncpg

        async def truncate() -> None:
            db = await asyncpg.connect(url)
            try:
                await db.execute("DROP TABLE IF EXISTS telewire_kv")
                await db.execute("DROP SEQUENCE IF EXISTS telewire_kv_version")
            finally:
                await db.close()

        asyncio.run(truncate())


def url_for(backend: str, request: pytest.FixtureRequest, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite://{folder / 'storage.sqlite3'}"
    if backend == "memory":
        return "memory://"
    server: RedisServer | PostgresServer = request.getfixturevalue(f"{backend}_server")
    empty(server.url)
    return server.url


@pytest.fixture(params=BACKENDS)
def storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield url_for(request.param, request, tmp_path)


@pytest.fixture(params=SHARED)
def shared_storage_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield url_for(request.param, request, tmp_path)
