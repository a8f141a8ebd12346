"""The store's scheduled jobs in one place: their handlers, and what runs by default.

``telewire store bot`` runs them beside polling (:func:`~telewire.apps.store.bot.run_bot`).
They live in the store's ``state.db``, so a restart keeps them, and one due while the bot
was down runs once when it starts:

* the closing report, daily at the owner's chosen time and zone (``/closing``; 20:00 UTC
  until chosen);
* the list of payments due, daily at 08:00 in the same zone;
* shift reminders, 15 minutes before each planned shift; shifts are planned from the till
  (another process), so a sweep every few minutes schedules reminders for the shifts
  ahead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telewire.apps.store.closing import closing_jobs, schedule_closing
from telewire.apps.store.dues import due_jobs, schedule_due_list
from telewire.apps.store.shifts import schedule_reminder, shift_jobs
from telewire.jobs import Job, Scheduler

if TYPE_CHECKING:
    from telewire.apps.store.service import Store
    from telewire.jobs import Clock

SWEEP_JOB = "store.shift_sweep"
SWEEP_EVERY = 5 * 60
REMIND_BEFORE = 15 * 60
HORIZON = 2 * 86400  # shifts starting within this long get their reminder scheduled


def store_scheduler(store: Store, *, clock: Clock | None = None) -> Scheduler:
    """A scheduler on the store's storage with every store job's handler registered."""
    jobs = Scheduler(store.storage, clock=clock)
    closing_jobs(jobs, store)
    due_jobs(jobs, store)
    shift_jobs(jobs, store)

    async def sweep(job: Job) -> None:
        await schedule_shift_reminders(job.scheduler, store)

    jobs.handler(name=SWEEP_JOB)(sweep)
    return jobs


async def start_jobs(jobs: Scheduler, store: Store) -> None:
    """Schedule the store's jobs (again: each keeps its id, so nothing doubles)."""
    at, tz = store.closing_time()
    await schedule_closing(jobs, at=at, tz=tz)
    await schedule_due_list(jobs, at="08:00", tz=tz)
    await jobs.run_repeating(SWEEP_JOB, every=SWEEP_EVERY, id=SWEEP_JOB)
    await schedule_shift_reminders(jobs, store)


async def schedule_shift_reminders(jobs: Scheduler, store: Store) -> int:
    """Schedule the reminder of every shift whose reminder time is still ahead."""
    now = jobs.clock.now()
    rows = store.db.execute(
        "SELECT id FROM shifts WHERE starts - ? > ? AND starts < ? AND checked_in IS NULL",
        (REMIND_BEFORE, now, now + HORIZON),
    ).fetchall()
    for row in rows:
        await schedule_reminder(jobs, store, int(row["id"]), before=REMIND_BEFORE)
    return len(rows)
