"""Staff shifts: planned by the owner, reminded by a job, checked in and out with a button.

A shift belongs to a person (a cashier's name, or a delivery person) with a Telegram user
id for the reminder and the buttons. Only that user may check in or out of it, and only
from ``EARLY`` before its start until its end; a check-in with no such shift is refused
and recorded. Checking in more than ``GRACE`` after the start tells the owner who is
late. A cashier signing in at the till during their shift needs no approval; outside it,
the owner is asked as before.
"""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from telewire.features.ledger import Ledger
    from telewire.features.outbox import Outbox
    from telewire.jobs import Job, ScheduledJob, Scheduler

from telewire.apps.store.errors import StoreError
from telewire.storage import transaction
from telewire.types import InlineKeyboardButton, InlineKeyboardMarkup

SHIFT_PREFIX = "shift:"
REMINDER_JOB = "store.shift_reminder"
EARLY = 30 * 60  # a check-in may come this early
GRACE = 5 * 60  # later than this is late


def shift_buttons(shift_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text="🟢 Check in", callback_data=f"shift:{shift_id}:in"),
                InlineKeyboardButton(text="🔴 Check out", callback_data=f"shift:{shift_id}:out"),
            ]
        ]
    )


def _clock(moment: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(moment))


class Shifts:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger
    outbox: Outbox

    def plan_shift(self, person: str, user_id: int, starts: float, ends: float, actor: str) -> int:
        if not person.strip():
            raise StoreError("a shift needs a person")
        if ends <= starts:
            raise StoreError("a shift must end after it starts")
        with transaction(self.db) as db:
            cursor = db.execute(
                "INSERT INTO shifts (person, user_id, starts, ends) VALUES (?, ?, ?, ?)",
                (person, user_id, starts, ends),
            )
            shift_id = int(cursor.lastrowid or 0)
        self.ledger.record(
            "shift.plan",
            actor=actor,
            message=f"🗓 Shift #{shift_id}: {person}, {_clock(starts)} – {_clock(ends)}",
            data={"shift": shift_id, "person": person, "starts": starts, "ends": ends},
        )
        return shift_id

    def shift(self, shift_id: int) -> dict[str, Any]:
        row = self.db.execute("SELECT * FROM shifts WHERE id = ?", (shift_id,)).fetchone()
        if row is None:
            raise StoreError(f"no shift #{shift_id}")
        return dict(row)

    def on_shift(self, person: str, now: float | None = None) -> bool:
        """Whether ``person`` has a shift running at ``now`` (from EARLY before its start)."""
        moment = time.time() if now is None else now
        row = self.db.execute(
            "SELECT 1 FROM shifts WHERE person = ? AND starts - ? <= ? AND ? <= ends",
            (person, EARLY, moment, moment),
        ).fetchone()
        return row is not None

    def check(self, shift_id: int, user_id: int, way: str, now: float | None = None) -> str:
        """Check in (``way="in"``) or out of a shift; returns what the owner is told."""
        moment = time.time() if now is None else now
        if way not in ("in", "out"):
            raise StoreError(f"check 'in' or 'out', not {way!r}")
        try:
            shift = self.shift(shift_id)
        except StoreError:
            shift = None
        if shift is None or shift["user_id"] != user_id:
            self._refuse(user_id, f"check-{way} without a shift (#{shift_id})")
        if not shift["starts"] - EARLY <= moment <= shift["ends"]:
            self._refuse(user_id, f"check-{way} outside shift #{shift_id}")
        column = "checked_in" if way == "in" else "checked_out"
        if shift[column] is not None:
            raise StoreError(f"shift #{shift_id}: already checked {way}")
        if way == "out" and shift["checked_in"] is None:
            raise StoreError(f"shift #{shift_id}: check in first")
        with transaction(self.db) as db:
            update = {
                "in": "UPDATE shifts SET checked_in = ? WHERE id = ?",
                "out": "UPDATE shifts SET checked_out = ? WHERE id = ?",
            }[way]
            db.execute(update, (moment, shift_id))
        late = int((moment - shift["starts"]) // 60) if way == "in" else 0
        told = f"🕘 {shift['person']} checked {way} (shift #{shift_id})"
        if late * 60 > GRACE:
            told = f"⏰ {shift['person']} is {late} min late: checked in (shift #{shift_id})"
        self.ledger.record(
            f"shift.{way}",
            actor=f"user:{user_id}",
            message=told,
            data={"shift": shift_id, "late_minutes": max(late, 0)},
        )
        return told

    def _refuse(self, user_id: int, what: str) -> NoReturn:
        self.ledger.record(
            "shift.refused",
            actor=f"user:{user_id}",
            message=f"⚠️ User {user_id}: {what}; refused",
            data={"what": what},
        )
        raise StoreError(f"refused: {what}")

    def shifts_of(self, day: str, actor: str) -> list[dict[str, Any]]:
        """The day's shifts, each with ``late`` (checked in late, or not in after GRACE)."""
        rows = [
            dict(r)
            for r in self.db.execute(
                "SELECT * FROM shifts WHERE date(starts, 'unixepoch', 'localtime') = ?"
                " ORDER BY starts",
                (day,),
            )
        ]
        now = time.time()
        for row in rows:
            arrived = row["checked_in"] if row["checked_in"] is not None else now
            row["late"] = arrived - row["starts"] > GRACE
        self.ledger.record("access.shifts", actor=actor, data={"day": day, "shifts": len(rows)})
        return rows

    def remind(self, shift_id: int) -> None:
        """Send the person their shift with the check-in/out buttons (the job's work)."""
        shift = self.shift(shift_id)
        self.outbox.notify(
            f"🗓 Your shift #{shift_id} starts {_clock(shift['starts'])} "
            f"(until {_clock(shift['ends'])}). Check in when you arrive.",
            chat_id=shift["user_id"],
            reply_markup=shift_buttons(shift_id),
        )


def shift_jobs(jobs: Scheduler, store: Shifts) -> None:
    """Register the reminder's handler on ``jobs`` (each process that runs jobs does)."""

    async def shift_reminder(job: Job) -> None:
        store.remind(int(job.data["shift"]))

    jobs.handler(name=REMINDER_JOB)(shift_reminder)


async def schedule_reminder(
    jobs: Scheduler, store: Shifts, shift_id: int, *, before: float = 15 * 60
) -> ScheduledJob:
    """Remind the person ``before`` seconds before shift ``shift_id`` starts."""
    starts = float(store.shift(shift_id)["starts"])
    return await jobs.run_once(
        REMINDER_JOB, at=starts - before, data={"shift": shift_id}, id=f"shift:{shift_id}"
    )
