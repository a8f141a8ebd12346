"""Jobs that survive restarts: run once, every N seconds, daily, or by cron.

    jobs = Scheduler(open_storage(), bot=bot)

    @jobs.handler
    async def remind(job):
        await job.bot.send_message(job.data["chat"], job.data["text"])

    await jobs.run_once(remind, after=600, data={"chat": 42, "text": "tea"})
    await jobs.run()          # beside the poller: asyncio.gather(poller, jobs.run())

Jobs are records in a :class:`~telewire.storage.Storage`, so they outlive the process and
are shared by every process on that storage; handlers are found by name, so each process
registers them (``@jobs.handler`` at import). Handlers reach the scheduler as ``ctx.jobs``
once ``router.use(jobs.middleware)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, overload

import msgspec

from telewire.core.retry import RetryPolicy
from telewire.jobs import records
from telewire.jobs.calendar import CalendarError, parse_cron, parse_time, parse_weekdays, zone
from telewire.jobs.clock import Clock, SystemClock
from telewire.jobs.records import Misfire, ScheduledJob
from telewire.jobs.running import Job, claim_due, execute
from telewire.jobs.schedules import Cron, Daily, Every, Once, Schedule
from telewire.storage import Storage

log = logging.getLogger("telewire.jobs")
H = TypeVar("H", bound=Callable[..., Any])
DEFAULT_RETRY = RetryPolicy(attempts=3, backoff=5.0, max_backoff=300.0)


class Scheduler:
    """Schedules, lists, cancels and runs jobs kept in ``storage``.

    ``clock``: a :class:`~telewire.jobs.clock.FakeClock` in tests. ``poll``: how often to
    look for jobs other processes added (this process's own wake it at once). ``lease``:
    how long a run is held before another process may take it over if this one died.

    Each look reads every job record (pipelined on Redis, one file read on SQLite): made
    for hundreds or a few thousand jobs. With more, raise ``poll``.
    """

    def __init__(
        self,
        storage: Storage,
        *,
        bot: Any = None,
        clock: Clock | None = None,
        namespace: str = "jobs:",
        poll: float = 1.0,
        lease: float = 60.0,
    ) -> None:
        self.storage, self.bot, self.namespace = storage, bot, namespace
        self.clock: Clock = clock or SystemClock()
        self.poll, self.lease = poll, lease
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.handlers: dict[str, Callable[[Job], Any]] = {}
        self._warned: set[str] = set()
        self._wakeup: asyncio.Event | None = None
        self._stopping = False
        self._running: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"Scheduler({self.storage!r}, {len(self.handlers)} handlers)"

    # -- handlers --------------------------------------------------------------------------

    @overload
    def handler(self, function: H) -> H: ...
    @overload
    def handler(self, *, name: str | None = None) -> Callable[[H], H]: ...
    def handler(self, function: H | None = None, *, name: str | None = None) -> Any:
        """Register a job handler (``@jobs.handler`` or ``@jobs.handler(name="…")``)."""

        def register(handler: H) -> H:
            self.handlers[name or _name_of(handler)] = handler
            return handler

        return register(function) if function is not None else register

    def _handler_name(self, handler: Callable[[Job], Any] | str) -> str:
        if isinstance(handler, str):
            return handler
        name = _name_of(handler)
        self.handlers.setdefault(name, handler)
        return name

    # -- scheduling ------------------------------------------------------------------------

    async def run_once(
        self,
        handler: Callable[[Job], Any] | str,
        *,
        at: float | dt.datetime | None = None,
        after: float | dt.timedelta | None = None,
        **options: Any,
    ) -> ScheduledJob:
        """Run once at ``at`` (POSIX time or aware datetime) or ``after`` a delay."""
        if (at is None) == (after is None):
            raise ValueError("run_once needs exactly one of at= (a time) or after= (a delay)")
        when = self._instant(at) if at is not None else self.clock.now() + _seconds(after)
        return await self._add(handler, Once(when), when, **options)

    async def run_repeating(
        self,
        handler: Callable[[Job], Any] | str,
        *,
        every: float | dt.timedelta,
        first: float | dt.timedelta | dt.datetime | None = None,
        **options: Any,
    ) -> ScheduledJob:
        """Run every ``every`` seconds, first at ``first``: an aware datetime, or a delay
        (seconds or timedelta; default: one interval from now)."""
        seconds = _seconds(every)
        if not seconds > 0:
            raise ValueError(f"every= must be a positive interval, got {every!r}")
        if isinstance(first, dt.datetime):
            start = self._instant(first)
        else:
            start = self.clock.now() + (seconds if first is None else _seconds(first))
        return await self._add(handler, Every(seconds, start), start, **options)

    async def run_daily(
        self,
        handler: Callable[[Job], Any] | str,
        *,
        at: str | dt.time,
        tz: str = "UTC",
        weekdays: str | tuple[int, ...] | list[int] | None = None,
        **options: Any,
    ) -> ScheduledJob:
        """Run at wall-clock ``at`` in ``tz``, on ``weekdays`` ("mon-fri", or ISO 1-7)."""
        time, days = parse_time(at), parse_weekdays(weekdays)
        zone(tz)
        schedule = Daily(time.isoformat(), tz, days)
        return await self._add(handler, schedule, schedule.next_after(self.clock.now()), **options)

    async def run_cron(
        self, handler: Callable[[Job], Any] | str, expression: str, *, tz: str = "UTC",
        **options: Any,
    ) -> ScheduledJob:  # fmt: skip
        """Run by a five-field cron expression ("30 9 * * mon-fri") evaluated in ``tz``."""
        parse_cron(expression)
        schedule = Cron(expression, tz)
        first = schedule.next_after(self.clock.now())
        if first is None:
            raise CalendarError(f"cron expression {expression!r} never fires")
        return await self._add(handler, schedule, first, **options)

    async def _add(
        self,
        handler: Callable[[Job], Any] | str,
        schedule: Schedule,
        first: float | None,
        *,
        id: str | None = None,
        data: Any = None,
        misfire: Misfire = "run_once",
        misfire_grace: float = 60.0,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> ScheduledJob:
        if misfire not in ("run_once", "skip"):
            raise ValueError(f"misfire must be 'run_once' or 'skip', got {misfire!r}")
        job = ScheduledJob(
            id=id or uuid.uuid4().hex, handler=self._handler_name(handler), schedule=schedule,
            data=data, next_run=first, misfire=misfire, misfire_grace=misfire_grace,
            attempts=max(1, retry.attempts), backoff=retry.backoff,
            max_backoff=retry.max_backoff, created=self.clock.now(),
        )  # fmt: skip
        try:
            encoded = records.encode(job)
        except (msgspec.EncodeError, TypeError) as exc:
            raise ValueError(
                f"job data must be JSON-like (dicts, lists, str, numbers, datetimes): {exc}"
            ) from None
        await self.storage.set(self.namespace + job.id, encoded)
        if self._wakeup is not None:
            self._wakeup.set()
        return job

    @staticmethod
    def _instant(when: float | dt.datetime) -> float:
        """A POSIX time from one, or from an aware datetime (naive ones are ambiguous)."""
        if isinstance(when, dt.datetime):
            if when.tzinfo is None:
                raise ValueError(
                    f"{when!r} has no time zone; pass an aware datetime (tzinfo=ZoneInfo(...))"
                )
            return when.timestamp()
        return float(when)

    # -- looking and cancelling ------------------------------------------------------------

    async def list(self, prefix: str = "") -> list[ScheduledJob]:
        """Every job whose id starts with ``prefix``, soonest first (failed one-off jobs
        last). Give ids a prefix per chat (``f"{chat}:…"``) to list one chat's cheaply."""
        found = []
        for key in await self.storage.keys(self.namespace + prefix):
            item = await self.storage.get(key)
            if item is None:
                continue
            try:
                found.append(records.decode(item.value))
            except msgspec.DecodeError as exc:
                self.warn_once(key, f"job record {key!r} cannot be read ({exc}); left alone")
        return sorted(found, key=lambda job: (job.next_run is None, job.next_run or 0, job.id))

    async def get(self, id: str) -> ScheduledJob | None:
        item = await self.storage.get(self.namespace + id)
        return None if item is None else records.decode(item.value)

    async def cancel(self, id: str) -> bool:
        """Remove the job; True if it existed. A run in progress finishes, but is not
        rescheduled."""
        key = self.namespace + id
        while True:
            item = await self.storage.get(key)
            if item is None:
                return False
            if await self.storage.compare_and_set(key, None, expected=item.version) is not None:
                return True

    # -- running ---------------------------------------------------------------------------

    async def run_due(self) -> int:
        """Run every job due now and wait for them; returns how many ran here. Tests call
        this after ``clock.advance(…)``; :meth:`run` calls the same machinery."""
        claims, _ = await claim_due(self)
        await asyncio.gather(*(execute(self, claim) for claim in claims))
        return len(claims)

    async def run(self) -> None:
        """Run jobs as they fall due until :meth:`stop` (then let running jobs finish)."""
        self._wakeup, self._stopping = asyncio.Event(), False
        failing: Exception | None = None
        try:
            while not self._stopping:
                earliest = None
                try:
                    claims, earliest = await claim_due(self)
                except Exception as exc:
                    claims = []
                    if not failing:  # one traceback per outage, not one per poll
                        log.exception("could not look for due jobs; trying every %s s", self.poll)
                    failing = failing or exc
                else:
                    if failing:
                        log.warning("looking for due jobs works again (after: %s)", failing)
                    failing = None
                for claim in claims:
                    task = asyncio.create_task(execute(self, claim))
                    self._running.add(task)
                    task.add_done_callback(self._running.discard)
                next_look = self.clock.now() + self.poll
                await self._sleep(next_look if earliest is None else min(earliest, next_look))
            if self._running:
                await asyncio.gather(*self._running)
        finally:
            for task in self._running:
                task.cancel()
            self._wakeup = None

    async def _sleep(self, until: float) -> None:
        assert self._wakeup is not None
        self._wakeup.clear()
        sleeping = asyncio.create_task(self.clock.sleep_until(until))
        woken = asyncio.create_task(self._wakeup.wait())
        try:
            await asyncio.wait({sleeping, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeping.cancel()
            woken.cancel()

    def stop(self) -> None:
        """Ask :meth:`run` to return once running jobs finish."""
        self._stopping = True
        if self._wakeup is not None:
            self._wakeup.set()

    @contextlib.asynccontextmanager
    async def beside(self, bot: Any) -> AsyncIterator[None]:
        """Run the jobs while the block runs (a poller, a worker), with ``bot`` unless
        they have one; on leaving, stop and let running jobs finish (after the runner's
        drain: its handlers may still have scheduled some)."""
        if self.bot is None:
            self.bot = bot
        scheduling = asyncio.create_task(self.run())
        try:
            yield
        finally:
            self.stop()
            await scheduling

    # -- routing ---------------------------------------------------------------------------

    async def middleware(self, ctx: Any, call_next: Callable[[], Awaitable[bool]]) -> Any:
        """``router.use(jobs.middleware)`` gives handlers ``ctx.jobs``."""
        ctx.data["jobs"] = self
        return await call_next()

    def warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning("%s", message)


def _name_of(handler: Callable[..., Any]) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def _seconds(value: float | dt.timedelta | None) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value or 0)
