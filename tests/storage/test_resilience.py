"""Servers that close idle connections: the next call reconnects instead of failing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from telewire.storage import open_storage
from telewire.testing.servers import PostgresServer, RedisServer
from tests.backends import empty


def redis_idle_timeout(url: str, seconds: int) -> None:
    import redis

    with redis.Redis.from_url(url) as client:
        client.config_set("timeout", seconds)


def postgres_idle_timeout(url: str, seconds: int) -> None:
    import asyncpg

    async def configure() -> None:
        db = await asyncpg.connect(url)
        try:
            await db.execute(f"ALTER SYSTEM SET idle_session_timeout = '{seconds}s'")
            await db.execute("SELECT pg_reload_conf()")
        finally:
            await db.close()

    asyncio.run(configure())


@pytest.fixture(params=["redis", "postgres"])
def impatient_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, Callable[[int], None]]]:
    server: RedisServer | PostgresServer = request.getfixturevalue(f"{request.param}_server")
    configure = redis_idle_timeout if request.param == "redis" else postgres_idle_timeout
    empty(server.url)
    yield server.url, lambda seconds: configure(server.url, seconds)
    configure(server.url, 0)


def test_a_connection_the_server_closed_while_idle_is_replaced(
    impatient_server: tuple[str, Callable[[int], None]],
) -> None:
    url, idle_timeout = impatient_server

    async def scenario() -> None:
        storage = open_storage(url)
        try:
            await storage.set("k", b"1")
            await asyncio.to_thread(idle_timeout, 1)
            await asyncio.sleep(2.5)  # the server's own timer has to fire: nothing to wait on
            version = await storage.set("k", b"2")
            item = await storage.get("k")
            assert item is not None and (item.value, item.version) == (b"2", version)
        finally:
            await storage.close()

    asyncio.run(scenario())
