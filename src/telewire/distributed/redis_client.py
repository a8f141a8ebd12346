"""Opening Redis for the distributed roles, with errors that say what to fix."""

from __future__ import annotations

import os
import socket
from typing import Any

from telewire.distributed.layout import Layout


class RedisUnavailable(RuntimeError):
    """Redis refused or did not answer; the message names the server (never a password)."""


def describe(url: str) -> str:
    """``url`` without its password, for messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return f"{parts.scheme}://{host}:{parts.port or 6379}{parts.path}"


def connect(url: str | None = None) -> Any:
    """A ``redis.asyncio.Redis`` for ``url`` (default: env ``TELEWIRE_REDIS``)."""
    url = url or os.environ.get("TELEWIRE_REDIS")
    if not url:
        raise ValueError("no Redis URL: pass --redis redis://host:6379/0 or set TELEWIRE_REDIS")
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"not a Redis URL: {describe(url)!r}; expected redis://host:port/db")
    import redis.asyncio

    # A blocking pool: 64 handlers sending at once wait for a connection, rather than
    # failing with "Too many connections" as the default pool does past its limit.
    pool = redis.asyncio.BlockingConnectionPool.from_url(
        url,
        max_connections=32,
        timeout=30,
        socket_connect_timeout=5,
        socket_timeout=30,
        health_check_interval=10,
    )
    return redis.asyncio.Redis(connection_pool=pool)


async def agree_on_partitions(client: Any, layout: Layout) -> None:
    """Record the partition count on first use; refuse a different one later.

    Changing the count would move chats to other partitions while their earlier updates
    still wait in the old ones: order would be lost. So it is fixed per namespace.
    """
    await client.set(layout.config, layout.partitions, nx=True)
    stored = int(await client.get(layout.config))
    if stored != layout.partitions:
        raise ValueError(
            f"{layout.namespace} was set up with {stored} partitions, not {layout.partitions}; "
            f"pass --partitions {stored} (the count cannot change while updates are stored)"
        )


def holder_name(role: str) -> str:
    """A name unique to this process, readable in ``redis-cli`` (host, pid, random)."""
    return f"{role}:{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"
