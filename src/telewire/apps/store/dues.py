"""Payments due: a bill or order paid by transfer or on account is owed until marked paid.

What is owed falls due ``payment_terms_days`` (config, default 14) after the bill's day or
the order's due date, and is overdue after that. Marking paid above ``approve_paid_above``
(config, default 100.00) needs the owner's approval: it is where money can quietly go
missing. The owner sees the list on ``/due`` and each day from a job
(:func:`schedule_due_list`), and every look is in the ledger.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.approvals import Decision
    from telewire.features.ledger import Ledger
    from telewire.jobs import Job, ScheduledJob, Scheduler

from telewire.apps.store.errors import StoreError
from telewire.apps.store.money import format_amount
from telewire.storage import transaction

ON_CREDIT = ("transfer", "account")
DUE_JOB = "store.due_list"


class Dues:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger
    payment_terms_days: int
    approve_paid_above: int

    def approve(self, action: str, question: str, actor: str, note: str | None = None) -> Decision:
        raise NotImplementedError

    def _owed(self) -> list[dict[str, Any]]:
        """Everything on credit and not yet paid: source, total, the day it falls due."""
        terms = dt.timedelta(days=self.payment_terms_days)
        rows = self.db.execute(
            "SELECT 'bill:' || id AS source, day AS start, total - refunded AS total FROM bills"
            " WHERE payment IN (?, ?) AND 'bill:' || id NOT IN (SELECT source FROM paid)"
            " UNION ALL SELECT 'order:' || id, due, total FROM orders"
            " WHERE payment IN (?, ?) AND status != 'cancelled'"
            " AND 'order:' || id NOT IN (SELECT source FROM paid)",
            ON_CREDIT * 2,
        )
        owed = []
        for row in rows:
            due = dt.date.fromisoformat(row["start"]) + terms
            owed.append({"source": row["source"], "total": row["total"], "due": due.isoformat()})
        return sorted(owed, key=lambda o: (o["due"], o["source"]))

    def dues(self, on: str | None = None) -> list[dict[str, Any]]:
        """What is owed, soonest due first, each marked overdue or not on ``on`` (today)."""
        day = on or time.strftime("%Y-%m-%d")
        return [{**o, "overdue": o["due"] < day} for o in self._owed()]

    def due_list(self, actor: str, on: str | None = None, *, tell: bool = False) -> str:
        """The list as the owner reads it; the look is recorded (``tell``: and the ledger's
        mirror message carries the list to the owner, as the daily job does)."""
        owed = self.dues(on)
        lines = ["✅ Nothing is owed to the store."]
        if owed:
            total = sum(o["total"] for o in owed)
            lines = [f"💶 Owed to the store: {format_amount(total)} in {len(owed)}"]
            for o in owed:
                late = "OVERDUE " if o["overdue"] else ""
                name = o["source"].replace(":", " #")
                lines.append(f"  {late}{name}: {format_amount(o['total'])}, due {o['due']}")
        text = "\n".join(lines)
        self.ledger.record(
            "access.due",
            actor=actor,
            message=text if tell else None,
            data={"due": len(owed), "overdue": sum(o["overdue"] for o in owed)},
        )
        return text

    def mark_paid(self, source: str, actor: str) -> None:
        """Record that ``bill:N`` / ``order:N`` was paid; above the limit, only if approved."""
        amount_name = source.replace(":", " #")
        owed = {o["source"]: o for o in self._owed()}.get(source)
        if owed is None:
            raise StoreError(f"{source} is not owed (unknown, already paid, or not on credit)")
        if owed["total"] > self.approve_paid_above:
            self.approve(
                "marking paid",
                f"Mark {source.replace(':', ' #')} as paid ({format_amount(owed['total'])})?",
                actor,
            )
        with transaction(self.db) as db:
            try:
                db.execute(
                    "INSERT INTO paid (source, amount, paid, actor) VALUES (?, ?, ?, ?)",
                    (source, owed["total"], time.time(), actor),
                )
            except sqlite3.IntegrityError:
                raise StoreError(f"{source} was marked paid meanwhile; nothing changed") from None
        self.ledger.record(
            "payment.paid",
            actor=actor,
            message=f"💶 {amount_name} paid: {format_amount(owed['total'])} by {actor}",
            data={"source": source, "amount": format_amount(owed["total"])},
        )


def due_jobs(jobs: Scheduler, store: Dues) -> None:
    """Register the daily list's handler on ``jobs`` (each process that runs jobs does)."""

    async def due_list(job: Job) -> None:
        store.due_list(actor="job:due", tell=True)

    jobs.handler(name=DUE_JOB)(due_list)


async def schedule_due_list(jobs: Scheduler, *, at: str = "08:00", tz: str = "UTC") -> ScheduledJob:
    """Send the owner what is due and overdue every day at ``at`` (once, however often called)."""
    return await jobs.run_daily(DUE_JOB, at=at, tz=tz, id=DUE_JOB)
