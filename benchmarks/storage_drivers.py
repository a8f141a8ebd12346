"""Why asyncpg and redis-py: one-row read + upsert round trips per second, per driver.

Starts its own redis-server and PostgreSQL (telewire.testing.servers) and runs the same
statements telewire's backends run, sequentially from one coroutine (latency-bound, as a
handler's per-update read and write are). ``python benchmarks/storage_drivers.py``.
"""

from __future__ import annotations

import asyncio
import time

from telewire.testing.servers import PostgresServer, RedisServer

ROUNDS = 3000
UPSERT = (
    "INSERT INTO kv VALUES ($1, $2, 1) ON CONFLICT (key) DO UPDATE "
    "SET value = EXCLUDED.value, version = kv.version + 1 RETURNING version"
)


async def asyncpg_rate(url: str) -> float:
    import asyncpg

    async def keep(connection: object) -> None:
        """telewire sets no session state, so skip the RESET round trip per release."""

    pool = await asyncpg.create_pool(url, min_size=1, max_size=2, reset=keep)
    await pool.execute(
        "CREATE TABLE IF NOT EXISTS kv (key text PRIMARY KEY, value bytea, version bigint)"
    )
    started = time.perf_counter()
    for n in range(ROUNDS):
        await pool.fetchrow("SELECT value, version FROM kv WHERE key = $1", f"k{n % 100}")
        await pool.fetchval(UPSERT, f"k{n % 100}", b"x" * 100)
    elapsed = time.perf_counter() - started
    await pool.close()
    return ROUNDS / elapsed


async def asyncpg_connection_rate(url: str) -> float:
    import asyncpg

    db = await asyncpg.connect(url)
    started = time.perf_counter()
    for n in range(ROUNDS):
        await db.fetchrow("SELECT value, version FROM kv WHERE key = $1", f"k{n % 100}")
        await db.fetchval(UPSERT, f"k{n % 100}", b"x" * 100)
    elapsed = time.perf_counter() - started
    await db.close()
    return ROUNDS / elapsed


async def psycopg_rate(url: str) -> float:
    import psycopg_pool  # type: ignore[import-not-found]

    async with psycopg_pool.AsyncConnectionPool(url, min_size=1, max_size=2, open=False) as pool:
        async with pool.connection() as db:
            await db.execute(
                "CREATE TABLE IF NOT EXISTS kv (key text PRIMARY KEY, value bytea, version bigint)"
            )
        query = UPSERT.replace("$1", "%s").replace("$2", "%s")
        started = time.perf_counter()
        for n in range(ROUNDS):
            async with pool.connection() as db:
                await (
                    await db.execute(
                        "SELECT value, version FROM kv WHERE key = %s", (f"k{n % 100}",)
                    )
                ).fetchone()
                await (await db.execute(query, (f"k{n % 100}", b"x" * 100))).fetchone()
        return ROUNDS / (time.perf_counter() - started)


async def psycopg_connection_rate(url: str) -> float:
    import psycopg

    async with await psycopg.AsyncConnection.connect(
        url, autocommit=True, prepare_threshold=0
    ) as db:
        query = UPSERT.replace("$1", "%s").replace("$2", "%s")
        started = time.perf_counter()
        for n in range(ROUNDS):
            await (
                await db.execute("SELECT value, version FROM kv WHERE key = %s", (f"k{n % 100}",))
            ).fetchone()
            await (await db.execute(query, (f"k{n % 100}", b"x" * 100))).fetchone()
        return ROUNDS / (time.perf_counter() - started)


async def redis_rate(url: str) -> float:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(url)
    script = client.register_script(
        "redis.call('HSET', KEYS[1], 'd', ARGV[1]) return redis.call('HINCRBY', KEYS[1], 'v', 1)"
    )
    started = time.perf_counter()
    for n in range(ROUNDS):
        await client.hmget(f"k{n % 100}", "d", "v")
        await script(keys=[f"k{n % 100}"], args=[b"x" * 100])
    elapsed = time.perf_counter() - started
    await client.aclose()
    return ROUNDS / elapsed


def main() -> None:
    redis_server, postgres = RedisServer(), PostgresServer()
    try:
        rows = [("redis-py asyncio", asyncio.run(redis_rate(redis_server.url)))]
        rows.append(("asyncpg (pool)", asyncio.run(asyncpg_rate(postgres.url))))
        rows.append(
            ("asyncpg (one connection)", asyncio.run(asyncpg_connection_rate(postgres.url)))
        )
        try:  # the driver we did not pick; benchmarks/requirements.txt installs it
            psycopg = asyncio.run(psycopg_connection_rate(postgres.url))
            rows.append(("psycopg 3 async (one connection)", psycopg))
            rows.append(("psycopg 3 async (pool)", asyncio.run(psycopg_rate(postgres.url))))
        except ImportError as missing:
            print(f"(psycopg skipped: {missing})")
    finally:
        redis_server.stop()
        postgres.stop()
    print("| driver | read + write round trips/s |\n|---|---:|")
    for name, rate in rows:
        print(f"| {name} | {rate:.0f} |")


if __name__ == "__main__":
    main()
