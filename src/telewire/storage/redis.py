"""``redis://``: storage shared by processes and machines, on redis-py's asyncio client.

Each key is a hash ``{d: value, v: version}`` under ``telewire:kv:``; Redis enforces expiry
itself (``PEXPIRE``), so an expired key is gone for every reader at once. Writes and
compare-and-set are Lua scripts: Redis runs a script atomically, so the version check and
the write are one step for all clients, in one round trip; concurrent calls share round
trips (see :mod:`telewire.storage.redis_link`). Versions come from one counter key
(``INCR``), which ties all keys to one node: Redis Cluster is not supported.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from telewire.deadlines import within
from telewire.storage.base import DELETED, Item, StorageUnavailable, check_key, check_ttl
from telewire.storage.loops import PerLoop
from telewire.storage.redis_link import Link, pack

_NAMESPACE = "telewire:kv:"
_COUNTER = "telewire:version"
REPLY_TIMEOUT = 10.0  # seconds for a batch's replies (or a connection) before giving up

# KEYS: key, counter. ARGV: value, ttl in ms ("" = none).
_SET = """
local version = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'v', version)
if ARGV[2] == '' then redis.call('PERSIST', KEYS[1])
else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return version
"""

# KEYS: key, counter. ARGV: expected version ("" = absent), value, delete ("1"/"0"), ttl ms.
_COMPARE_AND_SET = """
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == '' then
  if current then return false end
elseif current ~= ARGV[1] then
  return false
end
if ARGV[3] == '1' then
  redis.call('DEL', KEYS[1])
  return 0
end
local version = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'd', ARGV[2], 'v', version)
if ARGV[4] == '' then redis.call('PERSIST', KEYS[1])
else redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return version
"""


_SET_SHA = hashlib.sha1(_SET.encode(), usedforsecurity=False).hexdigest()
_CAS_SHA = hashlib.sha1(_COMPARE_AND_SET.encode(), usedforsecurity=False).hexdigest()
_SCRIPTS = {_SET_SHA: _SET, _CAS_SHA: _COMPARE_AND_SET}


def _milliseconds(ttl: float | None) -> str:
    return "" if check_ttl(ttl) is None else str(max(1, round(ttl * 1000)))  # type: ignore[operator]


def _glob_escape(text: str) -> str:
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


class _Client:
    """redis-py (for scans and script loading) and a pipelined :class:`Link`, per loop."""

    def __init__(self, url: str) -> None:
        import redis.asyncio

        self.redis: Any = redis.asyncio.Redis.from_url(
            url, decode_responses=False, socket_timeout=None, socket_connect_timeout=REPLY_TIMEOUT
        )
        self.link = Link(self.redis, REPLY_TIMEOUT)

    async def call(self, *command: bytes | str | int) -> Any:
        import redis.exceptions

        try:
            return await self.link.call(pack(*command))
        except redis.exceptions.NoScriptError:  # the server forgot our scripts (a restart)
            await self.redis.script_load(_SCRIPTS[str(command[1])])
            return await self.link.call(pack(*command))

    async def close(self) -> None:
        await self.link.close()
        await self.redis.aclose()


class RedisStorage:
    """A :class:`~telewire.storage.Storage` on a Redis (or Valkey) server."""

    def __init__(self, url: str) -> None:
        import redis.asyncio

        from telewire.storage.urls import _redact

        self._url, self._where = url, _redact(url)
        redis.asyncio.Redis.from_url(url)  # a malformed URL fails here, not at first use
        self._clients: PerLoop[_Client] = PerLoop()

    def __repr__(self) -> str:
        return f"RedisStorage({self._where!r})"

    @property
    def _client(self) -> _Client:
        return self._clients.current() or self._clients.keep(_Client(self._url))

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        import redis.exceptions

        try:
            yield
        except (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
            asyncio.TimeoutError,
        ) as exc:
            raise StorageUnavailable(
                f"cannot reach Redis at {self._where} ({exc}); check the URL and that the "
                "server is running"
            ) from None

    async def get(self, key: str) -> Item | None:
        with self._reaching():
            value, version = await self._client.call("HMGET", _NAMESPACE + check_key(key), "d", "v")
        return None if version is None else Item(value, int(version))

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> int:
        command = ("EVALSHA", _SET_SHA, 2, _NAMESPACE + check_key(key), _COUNTER)
        with self._reaching():
            return int(await self._client.call(*command, bytes(value), _milliseconds(ttl)))

    async def compare_and_set(
        self, key: str, value: bytes | None, *, expected: int | None, ttl: float | None = None
    ) -> int | None:
        command = ("EVALSHA", _CAS_SHA, 2, _NAMESPACE + check_key(key), _COUNTER)
        args: list[bytes | str] = [
            "" if expected is None else str(expected),
            b"" if value is None else bytes(value),
            "1" if value is None else "0",
            _milliseconds(ttl),
        ]
        with self._reaching():
            result = await self._client.call(*command, *args)
        return None if result is None else int(result) or DELETED

    async def delete(self, key: str) -> None:
        with self._reaching():
            await self._client.call("DEL", _NAMESPACE + check_key(key))

    async def keys(self, prefix: str) -> list[str]:
        pattern = _glob_escape(_NAMESPACE + prefix) + "*"

        async def scan() -> list[bytes]:
            return [key async for key in self._client.redis.scan_iter(match=pattern, count=1000)]

        with self._reaching():
            found = await within(scan(), REPLY_TIMEOUT * 6)
        return sorted(key.decode()[len(_NAMESPACE) :] for key in found)

    async def close(self) -> None:
        await self._clients.close(_Client.close)
