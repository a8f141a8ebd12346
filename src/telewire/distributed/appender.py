"""Appending an update to its partition stream, once: what ingress and pump share.

One script does the check and the append, so they cannot come apart: the update's
``seen`` key is set (with expiry: the deduplication window) and the entry added in one
step, or neither. A Telegram retry, or a pump replaying updates it fetched but had not
confirmed, finds the key and appends nothing. Afterwards ``WAIT`` can hold the answer
until that many replicas have the write (``replicas``, default 0: the primary's memory,
plus its AOF if so configured; see docs/how-to/distributed.md).

The pump appends a whole ``getUpdates`` batch with another script, in one command: it
checks and renews the pump's lease, appends each update once (as above), and stores the
next offset, all in one step, or (lease lost) does nothing. One command rather than a
pipeline of one script call per update: measured (benchmarks/distributed.py) the
pipeline's packing and per-reply parsing in redis-py were most of the pump's CPU.
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
APPEND_BATCH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return -1
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local fresh = 0
for i = 5, #ARGV do
  local seen = 2 * i - 7
  if redis.call('SET', KEYS[seen], '1', 'NX', 'PX', ARGV[3]) then
    redis.call('XADD', KEYS[seen + 1], '*', 'u', ARGV[i])
    fresh = fresh + 1
  end
end
redis.call('SET', KEYS[2], ARGV[4])
return fresh
"""
"""KEYS: the lease, the offset key, then each update's seen key and stream; ARGV: the
holder, the lease's milliseconds, the dedup window's, the next offset, then the bodies."""
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
        self._append_batch = client.register_script(APPEND_BATCH)
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

    async def append_batch(
        self, bodies: list[bytes], *, lease: str, holder: str, lease_ms: int, offset: str
    ) -> tuple[int, int] | None:
        """Append a batch of updates (the pump's) in one command: how many were new, and
        the next offset.

        Only while ``holder`` holds ``lease`` (renewed to ``lease_ms``), and together with
        storing the next offset (the last update_id + 1) in ``offset``; None, and nothing
        written, if the lease was lost. Each update is appended once, as :meth:`append`.
        """
        updates = [self.decode(body) for body in bodies]
        keys = [lease, offset]
        for update in updates:
            keys += (self.layout.seen(update.update_id),
                     self.layout.stream(self.layout.partition_of(update)))  # fmt: skip
        next_offset = max(update.update_id for update in updates) + 1
        args = [holder, lease_ms, self.dedup_ms, next_offset, *bodies]
        fresh = int(await self._append_batch(keys=keys, args=args))
        if fresh < 0:
            return None
        self.appended += fresh
        self.duplicates += len(bodies) - fresh
        if fresh and self.replicas:
            await self._wait_for_replicas(fresh)
        return fresh, next_offset

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
