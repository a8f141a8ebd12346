"""Appending an update to its partition stream, once: what ingress and pump share.

One script does the check and the append, so they cannot come apart: the update's
``seen`` key is set (with expiry: the deduplication window) and the entry added in one
step, or neither. A Telegram retry, or a pump replaying updates it fetched but had not
confirmed, finds the key and appends nothing. Afterwards ``WAIT`` can hold the answer
until that many replicas have the write (``replicas``, default 0: the primary's memory,
plus its AOF if so configured; see docs/how-to/distributed.md).
"""

from __future__ import annotations

from typing import Any

import msgspec

from telewire.distributed.layout import Layout

APPEND = """
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  return redis.call('XADD', KEYS[2], '*', 'u', ARGV[2])
end
return false
"""
DEDUP_WINDOW = 3600.0
"""Seconds an update_id is remembered (Telegram retries a webhook for far less)."""


class NotReplicated(RuntimeError):
    """The append reached the primary but not enough replicas in time."""


class Appender:
    """``await append(body)``: validate an update, put it in its partition, exactly once."""

    def __init__(
        self,
        client: Any,
        layout: Layout,
        *,
        dedup_window: float = DEDUP_WINDOW,
        replicas: int = 0,
        replica_timeout: float = 1.0,
    ) -> None:
        from telewire.api._generated.types import Update
        from telewire.core import typed

        self.client = client
        self.layout = layout
        self.dedup_ms = int(dedup_window * 1000)
        self.replicas = replicas
        self.replica_timeout_ms = int(replica_timeout * 1000)
        self.decoder: msgspec.json.Decoder[Any] = typed.decoder(Update)
        self._append = client.register_script(APPEND)
        self.appended = 0
        self.duplicates = 0

    def decode(self, body: bytes) -> Any:
        """The Update in ``body``; raises ``ValueError`` saying why it is not one."""
        try:
            body.decode()  # Telegram sends UTF-8; msgspec would skip a bad unknown field
            return self.decoder.decode(body)
        except (UnicodeDecodeError, msgspec.DecodeError, RecursionError) as exc:
            why = "too deeply nested" if isinstance(exc, RecursionError) else str(exc)
            raise ValueError(f"not a Telegram Update: {why}") from None

    async def append_all(self, bodies: list[bytes]) -> int:
        """Append a batch (the pump's) in one round trip; how many were new.

        Each update is still its own script call, so each is appended once or not at all.
        """
        updates = [self.decode(body) for body in bodies]
        async with self.client.pipeline(transaction=False) as pipe:
            for body, update in zip(bodies, updates, strict=True):
                partition = self.layout.partition_of(update)
                keys = [self.layout.seen(update.update_id), self.layout.stream(partition)]
                pipe.evalsha(self._append.sha, 2, *keys, self.dedup_ms, body)
            try:
                added = await pipe.execute()
            except Exception as exc:
                import redis.exceptions

                if not isinstance(exc, redis.exceptions.NoScriptError):
                    raise
                await self.client.script_load(APPEND)
                return await self.append_all(bodies)
        fresh = sum(1 for reply in added if reply)
        self.appended += fresh
        self.duplicates += len(bodies) - fresh
        if fresh and self.replicas:
            await self._wait_for_replicas(fresh)
        return fresh

    async def _wait_for_replicas(self, what: object) -> None:
        copies = await self.client.execute_command("WAIT", self.replicas, self.replica_timeout_ms)
        if int(copies) < self.replicas:
            raise NotReplicated(f"update {what} reached {copies} of {self.replicas} replicas")

    async def append(self, body: bytes, update: Any | None = None) -> bool:
        """Append ``body`` (an Update's JSON); False if it was appended before.

        Raises redis-py's errors when Redis is unreachable (nothing was appended, or it
        was and the caller's retry will be deduplicated) and :class:`NotReplicated`.
        """
        update = update if update is not None else self.decode(body)
        partition = self.layout.partition_of(update)
        keys = [self.layout.seen(update.update_id), self.layout.stream(partition)]
        added = await self._append(keys=keys, args=[self.dedup_ms, body])
        if not added:
            self.duplicates += 1
            return False
        if self.replicas:
            await self._wait_for_replicas(update.update_id)
        self.appended += 1
        return True
