"""Claiming and running due jobs: the part of the scheduler that several processes share.

A pass reads every job record, and for each one due and not leased writes a lease into it
with compare-and-set; only the process whose write lands runs the job. While it runs, the
lease is renewed; afterwards one more compare-and-set stores the next run (or the retry)
and drops the lease. If the process dies mid-run, the lease expires and another process
runs the job again: at least once, and exactly once unless a process dies mid-run.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from telewire.core.retry import backoff
from telewire.jobs import records
from telewire.jobs.records import ScheduledJob

if TYPE_CHECKING:
    from telewire.jobs.scheduler import Scheduler

log = logging.getLogger("telewire.jobs")


class Job:
    """What a job handler receives: its data, when it was due, and the scheduler."""

    __slots__ = ("attempt", "bot", "data", "due", "id", "scheduler")

    def __init__(self, record: ScheduledJob, scheduler: Scheduler) -> None:
        self.id = record.id
        self.data: Any = record.data
        self.due: float = record.next_run or 0.0
        self.attempt = record.failures + 1
        self.bot: Any = scheduler.bot
        self.scheduler = scheduler

    def __repr__(self) -> str:
        return f"Job({self.id!r}, attempt={self.attempt})"


class Claim:
    """A job this process holds the lease of, with the record's current version."""

    def __init__(self, key: str, record: ScheduledJob, version: int) -> None:
        self.key, self.record, self.version = key, record, version


async def claim_due(scheduler: Scheduler) -> tuple[list[Claim], float | None]:
    """Lease every due job this process can run; also the earliest future run seen."""
    storage, now = scheduler.storage, scheduler.clock.now()
    claims: list[Claim] = []
    earliest: float | None = None
    for key in await storage.keys(scheduler.namespace):
        item = await storage.get(key)
        if item is None:
            continue
        try:
            record = records.decode(item.value)
        except msgspec.DecodeError as exc:
            scheduler.warn_once(key, f"job record {key!r} cannot be read ({exc}); left alone")
            continue
        if record.next_run is None or record.handler not in scheduler.handlers:
            if record.next_run is not None:
                scheduler.warn_once(
                    key, f"job {record.id!r} needs handler {record.handler!r}, not registered "
                    "in this process; left for a process that has it"
                )  # fmt: skip
            continue
        if record.next_run > now or record.leased(now):
            due = record.next_run if record.next_run > now else record.lease_until
            earliest = due if earliest is None else min(earliest, due)
            continue
        if record.misfire == "skip" and now - record.next_run > record.misfire_grace:
            await _skip_missed(scheduler, key, record, item.version, now)
            continue
        leased = msgspec.structs.replace(
            record, lease_owner=scheduler.owner, lease_until=now + scheduler.lease
        )
        version = await storage.compare_and_set(key, records.encode(leased), expected=item.version)
        if version is not None:
            claims.append(Claim(key, leased, version))
    return claims, earliest


async def _skip_missed(
    scheduler: Scheduler, key: str, record: ScheduledJob, version: int, now: float
) -> None:
    following = record.schedule.next_after(now)
    log.info("job %r missed its run at %s; skipped (misfire='skip')", record.id, record.next_run)
    if following is None:
        await scheduler.storage.compare_and_set(key, None, expected=version)
    else:
        skipped = msgspec.structs.replace(record, next_run=following, failures=0)
        await scheduler.storage.compare_and_set(key, records.encode(skipped), expected=version)


async def execute(scheduler: Scheduler, claim: Claim) -> None:
    """Run one claimed job and store its outcome; never raises (a job cannot kill the bot)."""
    record = claim.record
    handler = scheduler.handlers[record.handler]
    renewing = asyncio.create_task(_renew(scheduler, claim))
    error: BaseException | None = None
    try:
        await _call(handler, Job(record, scheduler))
    except Exception as exc:
        error = exc
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
    try:
        await _finish(scheduler, claim, error)
    except Exception:
        log.exception("job %r ran, but its outcome could not be stored", record.id)


async def _call(handler: Callable[[Job], Any], job: Job) -> None:
    if inspect.iscoroutinefunction(handler):
        await handler(job)
    else:
        result = await asyncio.to_thread(handler, job)
        if inspect.isawaitable(result):
            await result


async def _renew(scheduler: Scheduler, claim: Claim) -> None:
    """Keep the lease while the handler runs, so a long job is not taken over."""
    while True:
        await scheduler.clock.sleep_until(scheduler.clock.now() + scheduler.lease / 3)
        renewed = msgspec.structs.replace(
            claim.record, lease_until=scheduler.clock.now() + scheduler.lease
        )
        version = await scheduler.storage.compare_and_set(
            claim.key, records.encode(renewed), expected=claim.version
        )
        if version is None:
            return  # cancelled or replaced meanwhile; the outcome write will notice too
        claim.record, claim.version = renewed, version


async def _finish(scheduler: Scheduler, claim: Claim, error: BaseException | None) -> None:
    record, now = claim.record, scheduler.clock.now()
    free: dict[str, Any] = {"lease_owner": None, "lease_until": 0.0}
    if error is None:
        following = record.schedule.next_after(max(now, record.next_run or now))
        outcome = msgspec.structs.replace(
            record, next_run=following, failures=0, runs=record.runs + 1, last_error=None, **free
        )
    else:
        failures = record.failures + 1
        described = f"{type(error).__name__}: {error}"
        if failures < record.attempts:
            wait = backoff(failures, record.backoff, record.max_backoff)
            log.warning(
                "job %r failed (try %d of %d), retrying in %.1f s",
                record.id, failures, record.attempts, wait, exc_info=error,
            )  # fmt: skip
            outcome = msgspec.structs.replace(
                record, next_run=now + wait, failures=failures, last_error=described, **free
            )
        else:
            following = record.schedule.next_after(now)
            log.error(
                "job %r failed %d times; %s", record.id, failures,
                "giving up on this run" if following else "giving up (kept as failed)",
                exc_info=error,
            )  # fmt: skip
            outcome = msgspec.structs.replace(
                record, next_run=following, failures=0, last_error=described, **free
            )
    if error is None and outcome.next_run is None:
        written = await scheduler.storage.compare_and_set(claim.key, None, expected=claim.version)
    else:
        written = await scheduler.storage.compare_and_set(
            claim.key, records.encode(outcome), expected=claim.version
        )
    if written is None:
        log.info("job %r was cancelled or replaced while it ran", record.id)
