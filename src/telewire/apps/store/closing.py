"""The daily closing report: the day's sales, open orders and what is owed, with the week's
sales chart, at the time and in the time zone the owner chose (``/closing 21:30
Europe/Berlin``).

Sent by a job (:func:`schedule_closing`), as the ledger's mirror message of an
``access.closing`` entry, so the report is itself on the record; the chart follows as a
photo. The owner's choice is a store setting, written like everything else through the
service layer and recorded in the ledger.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.ledger import Ledger
    from telewire.jobs import Job, ScheduledJob, Scheduler

from telewire.apps.store.errors import StoreError
from telewire.apps.store.money import format_amount
from telewire.storage import transaction

CLOSING_JOB = "store.closing"
DEFAULT_CLOSING = ("20:00", "UTC")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class Closing:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger
    owner_id: int
    client: Any

    def dues(self, on: str | None = None) -> list[dict[str, Any]]:
        raise NotImplementedError

    # Reports comes after this class in Store's bases: a stub here would shadow it.
    week: Callable[..., list[tuple[str, int]]]

    def closing_time(self) -> tuple[str, str]:
        """When the closing report comes: ``("HH:MM", "Area/City")``."""
        row = self.db.execute("SELECT value FROM settings WHERE key = 'closing'").fetchone()
        if row is None:
            return DEFAULT_CLOSING
        at, tz = json.loads(row[0])
        return str(at), str(tz)

    def set_closing_time(self, at: str, tz: str, actor: str) -> tuple[str, str]:
        """Choose when the closing report comes (recorded); returns it as stored.

        Reschedule the job afterwards (:func:`schedule_closing`): the bot does on
        ``/closing``, and on every start.
        """
        from telewire.jobs.calendar import CalendarError, zone

        match = _CLOCK.match(at.strip())
        if match is None:
            raise StoreError(f"{at!r} is not a time of day: write it like 21:30 (24-hour clock)")
        try:
            zone(tz.strip())
        except CalendarError as unknown:
            raise StoreError(str(unknown)) from None
        chosen = (f"{int(match.group(1)):02d}:{match.group(2)}", tz.strip())
        with transaction(self.db) as db:
            db.execute(
                "INSERT INTO settings (key, value) VALUES ('closing', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (json.dumps(chosen),),
            )
        self.ledger.record(
            "settings.closing",
            actor=actor,
            message=f"🌙 The closing report comes every day at {chosen[0]} {chosen[1]} ({actor})",
            data={"at": chosen[0], "tz": chosen[1]},
        )
        return chosen

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

    def closing_chart(self, day: str, end: float, actor: str) -> tuple[bytes, str]:
        """The chart of the seven days up to ``end`` (PNG) and its caption."""
        from telewire.apps.store.chart import week_chart

        days = self.week(actor=actor, end=end)
        total = format_amount(sum(total for _, total in days))
        return week_chart(days), f"🌙 Sales of the 7 days to {day}: {total}"

    def send_photo(self, png: bytes, filename: str, caption: str) -> None:
        """Upload ``png`` to the owner (blocking; the job runs it in a thread)."""
        from telewire.core.files import InputFile

        self.client.request(
            "sendPhoto",
            {
                "chat_id": self.owner_id,
                "photo": InputFile(png, filename=filename),
                "caption": caption,
            },
        )


def closing_jobs(jobs: Scheduler, store: Closing) -> None:
    """Register the closing report's handler on ``jobs``."""

    async def closing(job: Job) -> None:
        _, tz = store.closing_time()
        from telewire.jobs.calendar import zone

        # The day that closes is the owner's day at the time the report was due.
        day = dt.datetime.fromtimestamp(job.due, zone(tz)).strftime("%Y-%m-%d")
        store.closing_report(actor="job:closing", day=day)
        png, caption = store.closing_chart(day, job.due, actor="job:closing")
        await asyncio.to_thread(store.send_photo, png, f"closing-{day}.png", caption)

    jobs.handler(name=CLOSING_JOB)(closing)


async def schedule_closing(
    jobs: Scheduler, *, at: str = DEFAULT_CLOSING[0], tz: str = DEFAULT_CLOSING[1]
) -> ScheduledJob:
    """Send the closing report every day at ``at`` in ``tz`` (once, however often called;
    a new time replaces the old one)."""
    return await jobs.run_daily(CLOSING_JOB, at=at, tz=tz, id=CLOSING_JOB)
