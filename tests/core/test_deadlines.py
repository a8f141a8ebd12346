"""Time limits that never lose a cancellation (asyncio.wait_for did, before Python 3.12)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

import telewire
from telewire.deadlines import wait_event, within


def finishing_as_cancelled(limit: Callable[[Awaitable[Any], float], Awaitable[Any]]) -> str:
    """Cancel a waiter in the same loop iteration as the thing it awaits finishes."""

    async def main() -> str:
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        waiter = asyncio.ensure_future(limit(done, 10))
        await asyncio.sleep(0)  # the waiter is now awaiting ``done``
        done.set_result(1)
        waiter.cancel()
        try:
            await waiter
        except asyncio.CancelledError:
            return "cancelled"
        return "cancellation lost"

    return asyncio.run(main())


def test_a_cancellation_is_never_swallowed() -> None:
    assert finishing_as_cancelled(within) == "cancelled"


def test_the_race_is_real_for_wait_for_on_this_python() -> None:
    """The reason within() exists; on Python 3.12+ wait_for is fixed and both agree."""
    import sys

    outcome = finishing_as_cancelled(asyncio.wait_for)
    expected = "cancelled" if sys.version_info >= (3, 12) else "cancellation lost"
    assert outcome == expected


def test_time_up_cancels_the_awaited_thing_and_raises_timeout() -> None:
    async def main() -> bool:
        slow = asyncio.ensure_future(asyncio.sleep(10))
        with pytest.raises(asyncio.TimeoutError):
            await within(slow, 0.01)
        return slow.cancelled()

    assert asyncio.run(main())


def test_results_and_errors_pass_through() -> None:
    async def fails() -> None:
        raise KeyError("x")

    async def main() -> int:
        with pytest.raises(KeyError):
            await within(fails(), 1)
        return await within(asyncio.sleep(0, 7), None)

    assert asyncio.run(main()) == 7


def test_wait_event_says_whether_it_was_set() -> None:
    async def main() -> tuple[bool, bool]:
        event = asyncio.Event()
        timed_out = await wait_event(event, 0.01)
        asyncio.get_running_loop().call_later(0.01, event.set)
        return timed_out, await wait_event(event, 5)

    assert asyncio.run(main()) == (False, True)


def test_no_module_awaits_with_asyncio_wait_for() -> None:
    """Every time limit goes through telewire.deadlines (the race above loses cancels)."""
    source = Path(telewire.__file__).parent
    offenders = [
        f"{path.relative_to(source)}:{number}"
        for path in source.rglob("*.py")
        if path.name != "deadlines.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "asyncio.wait_for(" in line
    ]
    assert offenders == [], "use telewire.deadlines.within or wait_event"
