"""Throttling: the GCRA rule by properties, and the middleware on every storage backend."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telewire import Context, Router
from telewire.jobs import FakeClock
from telewire.routing.throttling import admit, throttle
from telewire.storage import open_storage
from telewire.testing import EmulatorHandle


def replay(times: list[float], rate: int, per: float) -> list[float]:
    arrival, allowed = 0.0, []
    for now in times:
        ok, arrival, _ = admit(arrival, now, rate=rate, per=per)
        if ok:
            allowed.append(now)
    return allowed


@given(
    gaps=st.lists(st.floats(0, 30), max_size=80),
    rate=st.integers(1, 10),
    per=st.floats(1, 60),
)
def test_no_window_holds_more_than_the_burst_plus_the_refill(
    gaps: list[float], rate: int, per: float
) -> None:
    times = [1000.0 + sum(gaps[: i + 1]) for i in range(len(gaps))]
    allowed = replay(times, rate, per)
    interval = per / rate
    for i, start in enumerate(allowed):
        for end in allowed[i:]:
            inside = sum(start <= t <= end for t in allowed)
            assert inside <= rate + (end - start) / interval + 1e-6


@given(rate=st.integers(1, 10), per=st.floats(1, 60), count=st.integers(1, 60))
def test_a_user_at_the_steady_rate_is_never_refused(rate: int, per: float, count: int) -> None:
    times = [1000.0 + n * per / rate for n in range(count)]
    assert replay(times, rate, per) == times


def test_a_burst_is_allowed_then_the_wait_is_told() -> None:
    arrival = 0.0
    for _ in range(3):
        ok, arrival, _ = admit(arrival, 100.0, rate=3, per=30)
        assert ok
    ok, _, wait = admit(arrival, 100.0, rate=3, per=30)
    assert not ok and wait == pytest.approx(10.0)


def test_the_excess_is_answered_once_and_dropped_per_user(
    emulator: EmulatorHandle, storage_url: str
) -> None:
    clock = FakeClock()
    storage = open_storage(storage_url)
    router = Router()
    router.use(throttle(storage, rate=2, per=60, clock=clock.now))
    handled: list[str] = []

    @router.message()
    async def echo(ctx: Context) -> None:
        handled.append(ctx.text or "")
        await ctx.reply(f"echo {ctx.text}")

    alice, bob = emulator.user("Alice"), emulator.user("Bob")
    with emulator.run(router):
        for n in range(1, 5):
            emulator.send(alice, f"a{n}")
            emulator.wait_for(
                alice.id, lambda m, n=n: m.text == f"echo a{n}" or "wait" in (m.text or "")
            )
        emulator.send(bob, "b1")
        emulator.wait_for(bob.id, lambda m: m.text == "echo b1")
        clock.advance(30)  # one more allowed after per / rate seconds
        emulator.send(alice, "a5")
        emulator.wait_for(alice.id, lambda m: m.text == "echo a5")
    texts = [m.text for m in emulator.bot_messages(alice.id)]
    assert texts == ["echo a1", "echo a2", "Easy there! Please wait 30 s and try again.", "echo a5"]
    assert handled == ["a1", "a2", "b1", "a5"]
    asyncio.run(storage.close())


def test_throttle_refuses_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="rate >= 1 and per > 0"):
        throttle(open_storage("memory://"), rate=0, per=10)
