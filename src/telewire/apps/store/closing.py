"""The daily closing report: the day's sales, open orders and what is owed, in one message.

Sent by a job (:func:`schedule_closing`) at the hour the store closes, as the ledger's
mirror message of an ``access.closing`` entry, so the report is itself on the record.
"""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.ledger import Ledger
    from telewire.jobs import Job, ScheduledJob, Scheduler

from telewire.apps.store.money import format_amount

CLOSING_JOB = "store.closing"


class Closing:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger

    def dues(self, on: str | None = None) -> list[dict[str, Any]]:
        raise NotImplementedError

    def closing_report(self, actor: str, day: str | None = None) -> str:
        """Tell the owner how the day closed (recorded, and mirrored as the report)."""
        day = day or time.strftime("%Y-%m-%d")
        sales = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(total), 0), COALESCE(SUM(refunded), 0)"
            " FROM bills WHERE day = ?",
            (day,),
        ).fetchone()
        statuses = dict(
            self.db.execute(
                "SELECT status, COUNT(*) FROM orders"
                " WHERE status NOT IN ('delivered', 'cancelled') GROUP BY status"
            ).fetchall()
        )
        owed = self.dues(day)
        overdue = [o for o in owed if o["overdue"]]
        text = "\n".join(
            [
                f"🌙 Closing {day}: {sales[0]} bills, total {format_amount(sales[1])}, "
                f"refunded {format_amount(sales[2])}",
                "Open orders: "
                + (", ".join(f"{n} {status}" for status, n in sorted(statuses.items())) or "none"),
                f"Owed: {format_amount(sum(o['total'] for o in owed))} in {len(owed)}, "
                f"overdue {format_amount(sum(o['total'] for o in overdue))} in {len(overdue)}",
            ]
        )
        self.ledger.record(
            "access.closing",
            actor=actor,
            message=text,
            data={"day": day, "open_orders": sum(statuses.values()), "owed": len(owed)},
        )
        return text


def closing_jobs(jobs: Scheduler, store: Closing) -> None:
    """Register the closing report's handler on ``jobs``."""

    async def closing(job: Job) -> None:
        store.closing_report(actor="job:closing")

    jobs.handler(name=CLOSING_JOB)(closing)


async def schedule_closing(jobs: Scheduler, *, at: str = "20:00", tz: str = "UTC") -> ScheduledJob:
    """Send the closing report every day at ``at`` (once, however often called)."""
    return await jobs.run_daily(CLOSING_JOB, at=at, tz=tz, id=CLOSING_JOB)
