"""When a job runs: once, every N seconds, daily at a wall-clock time, or by cron.

Schedules are small msgspec Structs stored inside the job record, so a restarted process
(or another one) computes the same next run. Each answers one question, sans I/O:
``next_after(t)``, the first run strictly after POSIX time ``t`` (None: never again).
"""

from __future__ import annotations

import math

import msgspec

from telewire.jobs.calendar import next_daily, parse_cron, parse_time, zone


class Once(msgspec.Struct, frozen=True, tag="once"):
    at: float

    def next_after(self, after: float) -> float | None:
        return self.at if self.at > after else None

    def describe(self) -> str:
        return "once"


class Every(msgspec.Struct, frozen=True, tag="every"):
    """Every ``seconds``, on the grid ``start + k * seconds`` (no drift, however late a run
    finished)."""

    seconds: float
    start: float

    def next_after(self, after: float) -> float | None:
        if after < self.start:
            return self.start
        steps = math.floor((after - self.start) / self.seconds) + 1
        return self.start + steps * self.seconds

    def describe(self) -> str:
        return f"every {self.seconds:g} s"


class Daily(msgspec.Struct, frozen=True, tag="daily"):
    """At ``at`` (``HH:MM[:SS]``) wall-clock time in ``tz`` on ISO ``weekdays`` (1 = Monday)."""

    at: str
    tz: str
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)

    def next_after(self, after: float) -> float | None:
        return next_daily(after, parse_time(self.at), self.weekdays, zone(self.tz))

    def describe(self) -> str:
        days = "" if len(self.weekdays) == 7 else f" on days {','.join(map(str, self.weekdays))}"
        return f"daily at {self.at} {self.tz}{days}"


class Cron(msgspec.Struct, frozen=True, tag="cron"):
    expression: str
    tz: str

    def next_after(self, after: float) -> float | None:
        return parse_cron(self.expression).next_after(after, zone(self.tz))

    def describe(self) -> str:
        return f"cron {self.expression!r} {self.tz}"


Schedule = Once | Every | Daily | Cron
