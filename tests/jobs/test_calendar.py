"""Cron and daily calendars: checked against a minute-by-minute scan, and at DST edges."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telewire.jobs.calendar import (
    CalendarError,
    next_daily,
    parse_cron,
    parse_time,
    parse_weekdays,
)

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str, tz: ZoneInfo = UTC) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=tz).timestamp()


def wall(instant: float, tz: ZoneInfo = UTC) -> str:
    return dt.datetime.fromtimestamp(instant, tz).strftime("%Y-%m-%d %H:%M %a")


def brute_force(expression: str, after: float, tz: ZoneInfo, limit_minutes: int) -> float | None:
    """The slow, obviously right answer: try every minute."""
    cron = parse_cron(expression)
    minute = (int(after) // 60 + 1) * 60
    for _ in range(limit_minutes):
        local = dt.datetime.fromtimestamp(minute, tz)
        if (
            local.minute in cron.minutes
            and local.hour in cron.hours
            and cron.matches_day(local.date())
        ):
            return float(minute)
        minute += 60
    return None


def field(low: int, high: int) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    single = number.map(str)
    span = st.tuples(number, number).map(lambda p: f"{min(p)}-{max(p)}")
    step = st.tuples(st.sampled_from(["*", f"{low}-{high}"]), st.integers(1, 7)).map(
        lambda p: f"{p[0]}/{p[1]}"
    )
    part = st.one_of(single, span, step)
    return st.one_of(st.just("*"), st.lists(part, min_size=1, max_size=3).map(",".join))


expressions = st.tuples(field(0, 59), field(0, 23), field(1, 31), field(1, 12), field(0, 6)).map(
    " ".join
)


@settings(max_examples=150, deadline=None)
@given(
    expression=expressions,
    after=st.floats(at("2026-01-01T00:00"), at("2030-01-01T00:00")),
    tz=st.sampled_from([UTC, ZoneInfo("Asia/Kolkata")]),  # no DST: one answer per minute
)
def test_cron_agrees_with_a_minute_by_minute_scan(expression: str, after: float, tz: ZoneInfo):
    found = parse_cron(expression).next_after(after, tz)
    limit = 60 * 24 * 400
    expected = brute_force(expression, after, tz, limit)
    if expected is None:
        assert found is None or found - after > limit * 60 - 120
    else:
        assert found == expected


def test_weekday_names_ranges_and_steps() -> None:
    cron = parse_cron("30 9 * * mon-fri")
    friday = at("2026-12-04T09:30")
    assert wall(cron.next_after(friday, UTC)) == "2026-12-07 09:30 Mon"
    assert parse_cron("*/15 * * * *").minutes == (0, 15, 30, 45)
    assert parse_cron("0 0 * jan,jul sun").months == frozenset({1, 7})
    assert parse_cron("0 0 * * 7").weekdays == frozenset({0})
    assert parse_cron("@daily") == parse_cron("0 0 * * *")


def test_day_of_month_and_weekday_both_restricted_match_either() -> None:
    cron = parse_cron("0 12 13 * fri")
    assert wall(cron.next_after(at("2026-12-05T00:00"), UTC)) == "2026-12-11 12:00 Fri"
    assert wall(cron.next_after(at("2026-12-12T00:00"), UTC)) == "2026-12-13 12:00 Sun"


def test_29_february_is_found_years_ahead_and_30_february_never() -> None:
    leap = parse_cron("0 0 29 2 *").next_after(at("2026-03-01T00:00"), UTC)
    assert wall(leap) == "2028-02-29 00:00 Tue"
    assert parse_cron("0 0 30 2 *").next_after(at("2026-01-01T00:00"), UTC) is None


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("* * * *", "needs 5"),
        ("60 * * * *", "minute field"),
        ("* 24 * * *", "hour field"),
        ("* * 0 * *", "day-of-month"),
        ("* * * 13 *", "month field"),
        ("* * * * fri-mon", "reversed"),
        ("*/0 * * * *", "cannot read"),
        ("a * * * *", "cannot read"),
    ],
)
def test_bad_cron_expressions_name_the_field(expression: str, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        parse_cron(expression)


def test_a_time_skipped_in_spring_runs_an_hour_later_on_the_wall_clock() -> None:
    # Europe/Berlin jumps from 02:00 to 03:00 on 2027-03-28.
    instant = next_daily(at("2027-03-27T12:00", BERLIN), dt.time(2, 30), (7,), BERLIN)
    assert wall(instant, BERLIN) == "2027-03-28 03:30 Sun"
    cron = parse_cron("30 2 * * *").next_after(at("2027-03-27T12:00", BERLIN), BERLIN)
    assert wall(cron, BERLIN) == "2027-03-28 03:30 Sun"


def test_a_time_repeated_in_autumn_runs_once() -> None:
    # Europe/Berlin repeats 02:00-03:00 on 2027-10-31.
    cron = parse_cron("30 2 * * *")
    first = cron.next_after(at("2027-10-30T12:00", BERLIN), BERLIN)
    assert first is not None and wall(first, BERLIN) == "2027-10-31 02:30 Sun"
    following = cron.next_after(first, BERLIN)
    assert following is not None and wall(following, BERLIN) == "2027-11-01 02:30 Mon"
    assert following - first == 25 * 3600  # not 02:30 again an hour later


def test_daily_at_a_time_in_a_zone_on_weekdays() -> None:
    friday_evening = at("2026-12-04T22:00", BERLIN)
    instant = next_daily(friday_evening, dt.time(9, 0), parse_weekdays("mon-fri"), BERLIN)
    assert wall(instant, BERLIN) == "2026-12-07 09:00 Mon"
    assert dt.datetime.fromtimestamp(instant, UTC).hour == 8


def test_times_and_weekdays_are_read_clearly() -> None:
    assert parse_time("21:05:30") == dt.time(21, 5, 30)
    assert parse_weekdays("sat,sun") == (6, 7)
    assert parse_weekdays([1, 3]) == (1, 3)
    with pytest.raises(CalendarError, match="HH:MM"):
        parse_time("9pm")
    with pytest.raises(CalendarError, match="ISO numbers"):
        parse_weekdays([0])
