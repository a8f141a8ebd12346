"""Calendar arithmetic for jobs: cron expressions and local wall-clock times, sans I/O.

Times are POSIX seconds; calendars are evaluated in a named time zone (zoneinfo). Two rules
for daylight saving, chosen so a job neither vanishes nor doubles:

* a local time that does not exist (the hour skipped in spring) runs at the instant it maps
  to, one hour later on the wall clock (02:30 → 03:30), instead of being skipped;
* a local time that happens twice (the hour repeated in autumn) runs the first time only.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_SEARCH_DAYS = 366 * 8  # 29 February on a Monday can be years away; further is impossible


class CalendarError(ValueError):
    """A cron expression, time or time zone that cannot be used; says what and why."""


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(
            f"unknown time zone {name!r}; use an IANA name like 'Europe/Berlin' or 'UTC'"
        ) from None


def local_instant(day: dt.date, at: dt.time, tz: ZoneInfo) -> float:
    """POSIX time of wall-clock ``at`` on ``day`` in ``tz`` (fold 0: first of two, and a
    skipped time maps forward)."""
    return dt.datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz).timestamp()


class Cron(NamedTuple):
    """A parsed five-field cron expression: minute hour day-of-month month day-of-week."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday, as in cron
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, day: dt.date) -> bool:
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = (day.isoweekday() % 7) in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays  # cron's rule: either field may match
        return in_days and in_weekdays

    def next_after(self, after: float, tz: ZoneInfo) -> float | None:
        """The first firing strictly after ``after``, or None if the expression never fires
        (30 February)."""
        start = dt.datetime.fromtimestamp(after, tz).date()
        for offset in range(_SEARCH_DAYS):
            day = start + dt.timedelta(days=offset)
            if not self.matches_day(day):
                continue
            for hour in self.hours:
                for minute in self.minutes:
                    instant = local_instant(day, dt.time(hour, minute), tz)
                    if instant > after:
                        return instant
        return None


@lru_cache(maxsize=256)
def parse_cron(expression: str) -> Cron:
    """Parse ``expression`` (``*``, lists, ranges, ``/`` steps, month and day names, and the
    ``@daily``-style macros); raise :class:`CalendarError` naming the bad field."""
    text = _MACROS.get(expression.strip().lower(), expression)
    fields = text.split()
    if len(fields) != 5:
        raise CalendarError(
            f"cron expression {expression!r} has {len(fields)} fields; it needs 5: "
            "minute hour day-of-month month day-of-week (e.g. '30 9 * * mon-fri')"
        )
    minute, hour, day, month, weekday = fields
    weekdays = _field(weekday, "day-of-week", 0, 7, _DAYS)
    return Cron(
        minutes=tuple(sorted(_field(minute, "minute", 0, 59))),
        hours=tuple(sorted(_field(hour, "hour", 0, 23))),
        days=frozenset(_field(day, "day-of-month", 1, 31)),
        months=frozenset(_field(month, "month", 1, 12, _MONTHS, first=1)),
        weekdays=frozenset(d % 7 for d in weekdays),
        days_restricted=not day.startswith("*"),
        weekdays_restricted=not weekday.startswith("*"),
    )


def _field(
    text: str, name: str, low: int, high: int, names: list[str] | None = None, first: int = 0
) -> set[int]:
    values: set[int] = set()
    for part in text.lower().split(","):
        body, slash, step_text = part.partition("/")
        try:
            step = int(step_text) if slash else 1
            if step < 1:
                raise ValueError
            if body == "*":
                start, end = low, high
            else:
                start_text, dash, end_text = body.partition("-")
                start = _number(start_text, names, first)
                end = _number(end_text, names, first) if dash else (high if slash else start)
        except ValueError:
            raise CalendarError(f"cron {name} field {text!r}: cannot read {part!r}") from None
        if not low <= start <= end <= high:
            raise CalendarError(
                f"cron {name} field {text!r}: {part!r} is outside {low}-{high} or reversed"
            )
        values.update(range(start, end + 1, step))
    return values


def _number(text: str, names: list[str] | None, first: int) -> int:
    if names and text in names:
        return names.index(text) + first
    return int(text)


def parse_time(text: str | dt.time) -> dt.time:
    """``"09:30"``, ``"21:05:30"`` or a ``time``; one-line error otherwise."""
    if isinstance(text, dt.time):
        return text.replace(tzinfo=None)
    try:
        return dt.time.fromisoformat(text.strip())
    except ValueError:
        raise CalendarError(f"time {text!r} is not HH:MM or HH:MM:SS (24-hour clock)") from None


def parse_weekdays(text: str | tuple[int, ...] | list[int] | None) -> tuple[int, ...]:
    """Weekdays as ISO numbers 1 (Monday) … 7 (Sunday), from ``"mon-fri"``, ``"sat,sun"`` or
    numbers; None means every day."""
    if text is None:
        return (1, 2, 3, 4, 5, 6, 7)
    if isinstance(text, str):
        cron_days = _field(text, "weekdays", 0, 7, _DAYS)
        return tuple(sorted({d % 7 or 7 for d in cron_days}))
    days = tuple(sorted(set(text)))
    if not days or not all(1 <= d <= 7 for d in days):
        raise CalendarError(f"weekdays {text!r}: use ISO numbers 1 (Monday) to 7 (Sunday)")
    return days


def next_daily(after: float, at: dt.time, weekdays: tuple[int, ...], tz: ZoneInfo) -> float:
    """The first ``at`` (wall clock in ``tz``) on one of ``weekdays`` strictly after ``after``."""
    start = dt.datetime.fromtimestamp(after, tz).date()
    for offset in range(9):
        day = start + dt.timedelta(days=offset)
        if day.isoweekday() in weekdays:
            instant = local_instant(day, at, tz)
            if instant > after:
                return instant
    raise AssertionError("a weekly calendar always fires within 9 days")  # pragma: no cover
