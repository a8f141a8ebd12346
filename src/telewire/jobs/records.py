"""A job as stored: what to run, when next, and who holds its lease.

One record per job under ``jobs:<id>``, encoded as JSON (readable with any Redis or SQL
client when debugging). Leases live inside the record, on the scheduler's clock, so a
compare-and-set on the record claims the run: of several processes, exactly one wins.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from telewire.jobs.schedules import Schedule

Misfire = Literal["run_once", "skip"]


class ScheduledJob(msgspec.Struct, kw_only=True, frozen=True):
    """A job as stored and as :meth:`Scheduler.list` shows it."""

    id: str
    handler: str
    schedule: Schedule
    data: Any = None
    next_run: float | None
    """POSIX time of the next run; None once a one-off job failed for good (kept so the
    failure stays visible in listings until cancelled)."""
    misfire: Misfire = "run_once"
    misfire_grace: float = 60.0
    attempts: int = 3
    backoff: float = 5.0
    max_backoff: float = 300.0
    failures: int = 0
    runs: int = 0
    lease_owner: str | None = None
    lease_until: float = 0.0
    last_error: str | None = None
    created: float = 0.0

    @property
    def failed(self) -> bool:
        return self.next_run is None

    def leased(self, now: float) -> bool:
        return self.lease_owner is not None and self.lease_until > now


_encoder = msgspec.json.Encoder()


def encode(job: ScheduledJob) -> bytes:
    return _encoder.encode(job)


def decode(raw: bytes) -> ScheduledJob:
    """Through telewire.core.typed, the one place typed decoders are built (thread-safe)."""
    from telewire.core import typed

    return typed.decode(raw, ScheduledJob)
