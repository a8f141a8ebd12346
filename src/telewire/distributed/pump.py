"""The long-poll pump: one process fetches updates for all, others stand by.

Telegram allows one ``getUpdates`` poller per bot, so pumps hold a lease in Redis: the
holder polls, the others retry taking it every third of its lifetime, and one of them
takes over within a lease time (default 5 s) of the holder's death. The holder appends a
batch to the partition streams and only then confirms it to Telegram (by asking for the
next offset), and keeps the next offset in Redis for its successor: a crash between the
two replays the batch, and the appender drops what was already appended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import msgspec

from telewire.deadlines import wait_event
from telewire.distributed.appender import DEDUP_WINDOW, Appender
from telewire.distributed.layout import Layout
from telewire.distributed.leases import Leases
from telewire.distributed.metrics import Metrics
from telewire.distributed.redis_client import holder_name

log = logging.getLogger("telewire.distributed")
RAW_UPDATES = list[msgspec.Raw]
"""getUpdates's result as each update's own bytes: appended as Telegram sent them."""


class Pump:
    def __init__(
        self,
        client: Any,
        layout: Layout,
        bot: Any,
        *,
        lease: float = 5.0,
        poll_timeout: int = 10,
        metrics: Metrics | None = None,
        dedup_window: float = DEDUP_WINDOW,
    ) -> None:
        """``bot``: an AsyncBot. ``poll_timeout`` stays below ``lease`` plus a poll, so a
        pump that lost its lease stops polling before its successor's poll conflicts."""
        self.client = client
        self.layout = layout
        self.bot = bot
        self.appender = Appender(client, layout, dedup_window=dedup_window)
        self.leases = Leases(client, holder_name("pump"), int(lease * 1000))
        self.poll_timeout = poll_timeout
        self.metrics = metrics or Metrics()
        self.leading = False
        self.problem: str | None = None
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Finish the batch at hand, give the lease back, return from :meth:`run`."""
        self._stopping.set()

    async def run(self) -> None:
        tick = self.leases.milliseconds / 3000
        try:
            while not self._stopping.is_set():
                try:
                    if await self.leases.take(self.layout.pump_lease):
                        if not self.leading:
                            log.info("pump: leading (%s)", self.leases.holder)
                        self.leading = True
                        await self._lead(tick)
                    else:
                        self.leading = False
                    self.problem = None
                except Exception as exc:  # Redis or Telegram away: wait and try again
                    self.problem = f"{type(exc).__name__}: {exc}"
                    log.warning("pump: %s; trying again in %.1fs", self.problem, tick)
                    self.leading = False
                await wait_event(self._stopping, tick)
        finally:
            if self.leading:
                with contextlib.suppress(Exception):
                    await self.leases.give_back(self.layout.pump_lease)
            self.leading = False

    async def _lead(self, tick: float) -> None:
        """Poll while the lease holds; renew it at least every ``tick`` seconds.

        The offset is read once per lead: while the lease holds, nobody else writes it.
        Each batch goes to Redis as it came from Telegram (raw bytes, not re-encoded),
        in one command that also renews the lease and stores the next offset.
        """
        loop = asyncio.get_running_loop()
        renewed = loop.time()
        stored = await self.client.get(self.layout.pump_offset)
        offset = int(stored) if stored is not None else None
        lease = self.layout.pump_lease
        while not self._stopping.is_set():
            timeout = max(1, min(self.poll_timeout, int(tick * 2)))
            params: dict[str, Any] = {"offset": offset, "timeout": timeout}
            updates = await self.bot.request("getUpdates", params, RAW_UPDATES)
            if updates:
                appended = await self.appender.append_batch(
                    [bytes(update) for update in updates], lease=lease,
                    holder=self.leases.holder, lease_ms=self.leases.milliseconds,
                    offset=self.layout.pump_offset,
                )  # fmt: skip
                if appended is None:
                    log.warning("pump: lost the lease; standing by")
                    return
                renewed = loop.time()
                fresh, offset = appended
                self.metrics.count("telewire_updates_in_total", fresh)
                self.metrics.count("telewire_updates_duplicate_total", len(updates) - fresh)
            elif loop.time() - renewed > tick:
                if not await self.leases.renew(lease):
                    log.warning("pump: lost the lease; standing by")
                    return
                renewed = loop.time()
