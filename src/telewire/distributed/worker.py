"""A worker: leases a fair share of partitions and handles their updates in order.

Every ``lease/3`` seconds a worker renews its heartbeat in the set of live workers and
the leases of its partitions, then aims at ``ceil(partitions / live workers)``: it takes
free partitions while below that, and gives back the extra ones while above, after their
updates in hand are finished (so a worker joining or leaving moves partitions without a
stop, and no chat is handled by two workers at once).

On taking a partition the worker first claims every entry still pending in it
(``XAUTOCLAIM``: delivered to a worker that died or left, never acknowledged) and handles
those, oldest first, before any new ones: a crashed worker's in-flight updates are handled
again (at least once), and nothing overtakes them. Updates go through the same
:class:`~telewire.updates.dispatcher.Dispatcher` an in-process bot uses: chats overlap,
each chat in order, transient failures re-run, poison updates parked. An entry is
acknowledged, and deleted from its stream, only once its handler finished, so the streams
hold only what is waiting or in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import random
from typing import TYPE_CHECKING, Any

from telewire.deadlines import wait_event
from telewire.distributed.layout import GROUP, Layout
from telewire.distributed.leases import Leases
from telewire.distributed.metrics import Metrics
from telewire.distributed.redis_client import holder_name

if TYPE_CHECKING:
    from telewire.client.async_bot import AsyncBot
    from telewire.routing.router import Router
    from telewire.updates.dispatcher import Dispatcher

log = logging.getLogger("telewire.distributed")

HEARTBEAT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[2] == '1' then redis.call('ZADD', KEYS[1], now + ARGV[3], ARGV[1]) end
return redis.call('ZCARD', KEYS[1])
"""

ACK = """
local at = 2
for _, stream in ipairs(KEYS) do
  local last = at + tonumber(ARGV[at])
  for first = at + 1, last, 500 do
    local ids = {unpack(ARGV, first, math.min(first + 499, last))}
    redis.call('XACK', stream, ARGV[1], unpack(ids))
    redis.call('XDEL', stream, unpack(ids))
  end
  at = last + 1
end
return 0
"""
"""Acknowledge and delete finished entries of several streams in one step. KEYS: the
streams; ARGV: the group, then per stream how many entries and their ids (at most 500 to
one XACK: Lua's unpack has a stack limit)."""


class Worker:
    def __init__(
        self,
        client: Any,
        layout: Layout,
        router: Router,
        bot: AsyncBot,
        *,
        lease: float = 5.0,
        max_in_flight: int = 256,
        concurrency: int = 64,
        metrics: Metrics | None = None,
        freeze_gc: bool = False,
    ) -> None:
        """``freeze_gc``: once ready, :func:`gc.freeze` what is alive, as
        :func:`~telewire.updates.polling.run_polling` does (for a process of its own, such as
        ``telewire serve``'s): full collections then skip the start-up heap."""
        self.client = client
        self.freeze_gc = freeze_gc
        self.layout = layout
        self.router = router
        self.bot = bot
        self.name = holder_name("worker")
        self.leases = Leases(client, self.name, int(lease * 1000))
        self.max_in_flight = max_in_flight
        self.concurrency = concurrency
        self.metrics = metrics or Metrics()
        self.owned: set[int] = set()
        """Partitions leased to this worker."""
        self.reading: set[int] = set()
        """Owned partitions whose new entries are being read (not being given back)."""
        self.in_flight: dict[int, int] = {}
        self.problem: str | None = None
        self._entries: dict[int, list[tuple[int, bytes]]] = {}
        self._acks: list[tuple[int, bytes]] = []
        self._holding: set[tuple[int, bytes]] = set()
        """Entries submitted and not yet acknowledged: on taking a partition back after an
        outage, its pending entries that are still in hand here are not handled again."""
        self._acked = asyncio.Event()
        self._room = asyncio.Event()
        """Set when acknowledgements freed room for more entries."""
        self._heartbeat = client.register_script(HEARTBEAT)
        self._ack = client.register_script(ACK)
        self._stopping = asyncio.Event()
        self._closing = False
        """Set before the background loops are cancelled: they also end by themselves,
        since redis-py can swallow a cancellation that lands inside one of its calls
        (a drain then waited forever for the read loop; seen in tests/distributed)."""
        self._reads = 0
        self._leases_valid_until = 0.0
        """Loop time until which this worker's leases are known to hold (see _balance)."""
        self._lost: set[int] = set()
        self._giving: set[asyncio.Task[None]] = set()
        self._dispatcher: Dispatcher | None = None
        self._decoder: Any = None
        self._lag: dict[str, float] = {}
        self.metrics.gauges["telewire_partitions_owned"] = lambda: {"": len(self.owned)}
        self.metrics.gauges["telewire_partition_lag"] = lambda: self._lag
        self.metrics.health = lambda: self.problem

    def stop(self) -> None:
        """Drain: read nothing new, finish what is in hand, give every partition back."""
        self._stopping.set()

    @property
    def busy(self) -> int:
        return sum(self.in_flight.values())

    async def run(self, drain_timeout: float = 30.0) -> None:
        from telewire.api._generated.types import Update
        from telewire.core import typed
        from telewire.updates.dispatcher import Dispatcher

        self._decoder = typed.decoder(Update)
        self._dispatcher = Dispatcher(
            self.router, self.bot, concurrency=self.concurrency, on_finished=self._finished
        )
        await self._dispatcher.start()
        if self.freeze_gc:
            gc.collect()  # start-up garbage goes now, not into the frozen heap
            gc.freeze()
        tasks = [
            asyncio.create_task(self._balance_forever(), name="telewire-balance"),
            asyncio.create_task(self._read_forever(), name="telewire-read"),
            asyncio.create_task(self._ack_forever(), name="telewire-ack"),
        ]
        try:
            await self._stopping.wait()
        finally:
            self.reading.clear()
            tasks[1].cancel()
            await asyncio.gather(tasks[1], return_exceptions=True)
            if not await self._dispatcher.drain(drain_timeout):
                log.warning("worker: %d updates unfinished at exit; others take them", self.busy)
            try:
                await self._flush_acks()
            except Exception as exc:  # Redis away: the entries stay pending; others redo them
                log.warning("worker: could not acknowledge %d updates at exit (%s)",
                            len(self._acks), exc)  # fmt: skip
            self._closing = True
            self._acked.set()
            tasks[0].cancel()
            tasks[2].cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                for partition in list(self.owned):
                    await self.leases.give_back(self.layout.lease(partition))
                await self.client.zrem(self.layout.workers, self.name)
            self.owned.clear()
            await self._dispatcher.close()

    # -- balancing ----------------------------------------------------------------------

    async def _balance_forever(self) -> None:
        tick = self.leases.milliseconds / 3000
        while not self._closing:
            try:
                await self._balance()
                self._lag = await self.lag()
                self.problem = None
            except Exception as exc:
                self.problem = f"{type(exc).__name__}: {exc}"
                log.warning("worker: cannot balance partitions (%s); trying again", self.problem)
            await asyncio.sleep(tick * random.uniform(0.8, 1.0))

    async def _balance(self) -> None:
        asked = asyncio.get_running_loop().time()
        live = await self._heartbeat(
            keys=[self.layout.workers], args=[self.name, "1", self.leases.milliseconds]
        )
        held = sorted(self.owned)
        kept = set(await self.leases.renew_all([self.layout.lease(p) for p in held]))
        # Renewed leases hold for a lease from when we asked (less a margin for clock rates).
        # Until the next renewal succeeds, nothing new is read past that moment: a worker
        # cut off from Redis longer than a lease may have lost its partitions to another,
        # and reading on would hand later updates of a chat to two workers out of order.
        self._leases_valid_until = asked + 0.9 * self.leases.milliseconds / 1000
        for partition in held:
            if self.layout.lease(partition) not in kept:
                log.warning("worker: lost partition %d (lease expired)", partition)
                self._lost.add(partition)
                self.owned.discard(partition)
                self.reading.discard(partition)
        if self._stopping.is_set():  # draining: keep what we hold, take nothing new
            return
        share = math.ceil(self.layout.partitions / max(1, int(live)))
        if len(self.owned) > share:
            for partition in sorted(self.owned)[share:]:
                if partition in self.reading:
                    task = asyncio.create_task(self._give_back(partition))
                    self._giving.add(task)
                    task.add_done_callback(self._giving.discard)
        free = [p for p in range(self.layout.partitions) if p not in self.owned]
        random.shuffle(free)
        free.sort(key=lambda p: p not in self._lost)  # ours before an outage: take them back
        for partition in free:
            if len(self.owned) >= share:
                break
            if await self.leases.take(self.layout.lease(partition)):
                self._lost.discard(partition)
                self.owned.add(partition)
                await self._take_over(partition)

    async def _give_back(self, partition: int) -> None:
        if partition not in self.reading:
            return
        self.reading.discard(partition)
        reads = self._reads
        # A read under way may still bring entries of this partition; then they finish.
        while (self._reads == reads or self.in_flight.get(partition)) and not (  # noqa: ASYNC110
            self._stopping.is_set()
        ):
            await asyncio.sleep(0.02)
        await self._flush_acks()
        if partition in self.owned:
            self.owned.discard(partition)
            await self.leases.give_back(self.layout.lease(partition))

    async def _take_over(self, partition: int) -> None:
        """Claim what the partition's previous holders left pending; handle it first."""
        import redis.exceptions

        stream = self.layout.stream(partition)
        with contextlib.suppress(redis.exceptions.ResponseError):  # BUSYGROUP: exists
            await self.client.xgroup_create(stream, GROUP, id="0", mkstream=True)
        claimed: list[tuple[bytes, dict[bytes, bytes]]] = []
        cursor: Any = "0-0"
        while True:
            reply = await self.client.xautoclaim(
                stream, GROUP, self.name, min_idle_time=0, start_id=cursor, count=500
            )
            cursor, entries = reply[0], reply[1]
            claimed += [entry for entry in entries if entry[1]]
            if cursor in (b"0-0", "0-0"):
                break
        claimed = [entry for entry in claimed if (partition, entry[0]) not in self._holding]
        claimed.sort(key=lambda entry: tuple(int(n) for n in entry[0].split(b"-")))
        if claimed:
            log.info(
                "worker: took over %d pending updates of partition %d", len(claimed), partition
            )
            self.metrics.count("telewire_updates_retried_total", len(claimed))
        for entry_id, fields in claimed:
            self._submit(partition, entry_id, fields)
        self.reading.add(partition)

    # -- reading and acknowledging ------------------------------------------------------

    async def _read_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            room = self.max_in_flight - self.busy
            partitions = sorted(self.reading)
            if loop.time() >= self._leases_valid_until:  # unconfirmed: see _balance
                partitions = []
            if room <= 0 or not partitions:
                self._room.clear()  # acknowledgements make room: read again at once then
                await wait_event(self._room, 0.05)
                self._reads += 1
                continue
            if room < len(partitions):  # a turn each: at most one entry from each of `room`
                start = self._reads % len(partitions)
                partitions = (partitions[start:] + partitions[:start])[:room]
            # COUNT applies to each stream: share the room out, so that no more than
            # max_in_flight entries are ever in hand (they are what a crash repeats).
            streams = {self.layout.stream(p): ">" for p in partitions}
            try:
                replies = await self.client.xreadgroup(
                    GROUP, self.name, streams, count=room // len(partitions), block=200
                )
            except Exception as exc:
                self._reads += 1
                self.problem = f"{type(exc).__name__}: {exc}"
                log.warning("worker: cannot read updates (%s); trying again", self.problem)
                await asyncio.sleep(0.5)
                continue
            self._reads += 1
            by_stream = {self.layout.stream(p): p for p in partitions}
            for stream, entries in replies or []:
                name = stream.decode() if isinstance(stream, bytes) else stream
                partition = by_stream[name]
                for entry_id, fields in entries:
                    self._submit(partition, entry_id, fields)

    def _submit(self, partition: int, entry_id: bytes, fields: dict[bytes, bytes]) -> None:
        assert self._dispatcher is not None
        self.in_flight[partition] = self.in_flight.get(partition, 0) + 1
        self._holding.add((partition, entry_id))
        try:
            update = self._decoder.decode(fields[b"u"])
        except Exception as exc:  # written by something else: drop it, loudly
            log.error("worker: entry %s of partition %d is no update (%s); dropped",
                      entry_id, partition, exc)  # fmt: skip
            self._acks.append((partition, entry_id))
            self._acked.set()
            return
        self._entries.setdefault(update.update_id, []).append((partition, entry_id))
        self._dispatcher.submit(update)

    def _finished(self, update_id: int) -> None:
        partition, entry_id = self._entries[update_id].pop(0)
        if not self._entries[update_id]:
            del self._entries[update_id]
        self._acks.append((partition, entry_id))
        self._acked.set()
        self.metrics.count("telewire_updates_handled_total")

    async def _ack_forever(self) -> None:
        while not self._closing:
            await self._acked.wait()
            try:
                await self._flush_acks()
            except Exception as exc:
                log.warning("worker: cannot acknowledge (%s); trying again", exc)
                await asyncio.sleep(0.5)

    async def _flush_acks(self) -> None:
        """XACK and XDEL what was finished, in one command; then count it done.

        One script call rather than a pipeline of two commands per stream: redis-py's
        packing and parsing per command was a tenth of the worker's CPU (measured with
        benchmarks/distributed.py under BENCH_PROFILE).
        """
        self._acked.clear()
        batch, self._acks = self._acks, []
        if not batch:
            return
        try:
            by_partition: dict[int, list[bytes]] = {}
            for partition, entry_id in batch:
                by_partition.setdefault(partition, []).append(entry_id)
            args: list[Any] = [GROUP]
            for ids in by_partition.values():
                args += (len(ids), *ids)
            streams = [self.layout.stream(partition) for partition in by_partition]
            await self._ack(keys=streams, args=args)
        except BaseException:
            self._acks = batch + self._acks
            self._acked.set()
            raise
        for partition, entry_id in batch:
            self.in_flight[partition] -= 1
            self._holding.discard((partition, entry_id))
        self._room.set()

    async def lag(self) -> dict[str, float]:
        """Entries waiting or in flight per partition (XLEN: acknowledged ones are deleted)."""
        async with self.client.pipeline(transaction=False) as pipe:
            for partition in range(self.layout.partitions):
                pipe.xlen(self.layout.stream(partition))
            lengths = await pipe.execute()
        return {f'{{partition="{p}"}}': float(n) for p, n in enumerate(lengths)}
