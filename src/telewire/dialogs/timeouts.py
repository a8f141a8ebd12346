"""When a silent dialog is closed: a scheduled job, or a timer in this process.

With a :class:`~telewire.jobs.Scheduler`, each waiting step replaces one job (id
``timeout:<dialog key>``) due at the deadline: whichever process runs the scheduler then
closes the dialog, also after a restart, and the scheduler's clock is the dialogs' clock
(a test's ``FakeClock``). Without one, an event-loop timer in the process that stored the
step does it; a dialog whose timer died with its process is closed when its user next
writes. Either way the dialog is closed only if it is still at the version that set the
deadline: an answer, a cancel or another process's step since then makes it a no-op.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telewire.client.async_bot import AsyncBot
    from telewire.jobs import Job, Scheduler

log = logging.getLogger("telewire.dialogs")
TIMEOUT_JOB = "telewire.dialogs.timeout"
Expire = Callable[["AsyncBot", str, int], Awaitable[None]]
"""Close the dialog at (bot, key, version) if it is still at that version."""


class Timeouts:
    def __init__(self, expire: Expire, jobs: Scheduler | None) -> None:
        self._expire = expire
        self.jobs = jobs
        self.now: Callable[[], float] = jobs.clock.now if jobs is not None else time.time
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        if jobs is not None:
            jobs.handler(name=TIMEOUT_JOB)(self._run_job)

    async def arm(self, bot: AsyncBot, key: str, version: int, deadline: float) -> None:
        """Close the dialog at ``key`` at ``deadline`` unless it moved on from ``version``."""
        self.disarm(key)
        if self.jobs is not None:
            data = {"key": key, "version": version}
            await self.jobs.run_once(TIMEOUT_JOB, at=deadline, id=f"timeout:{key}", data=data)
            return
        loop = asyncio.get_running_loop()

        def fire() -> None:
            self._timers.pop(key, None)
            task = loop.create_task(self._expire_quietly(bot, key, version))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        self._timers[key] = loop.call_later(max(deadline - self.now(), 0), fire)

    def disarm(self, key: str) -> None:
        """Forget this process's timer for ``key`` (a job left behind finds nothing to do)."""
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    async def _run_job(self, job: Job) -> None:
        await self._expire(job.bot, job.data["key"], job.data["version"])

    async def _expire_quietly(self, bot: AsyncBot, key: str, version: int) -> None:
        try:
            await self._expire(bot, key, version)
        except Exception:
            log.warning("could not close timed-out dialog %s", key, exc_info=True)
