"""Awaiting with a time limit without ever losing a cancellation.

``asyncio.wait_for`` before Python 3.12 returns the result, instead of raising
``CancelledError``, when the awaited thing finishes in the same loop iteration as its
caller is cancelled (CPython gh-86296). A cancelled poller then keeps polling and whoever
awaits it waits forever. :func:`within` never swallows a cancellation: it awaits the thing
itself and cancels it when the time is up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def within(awaitable: Awaitable[T], seconds: float | None) -> T:
    """``await awaitable``, or cancel it and raise :class:`asyncio.TimeoutError` after
    ``seconds`` (``None``: no limit). A cancellation of the caller always propagates."""
    inner = asyncio.ensure_future(awaitable)
    if inner.done() or seconds is None:
        return await inner
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        inner.cancel()

    timer = asyncio.get_running_loop().call_later(max(0.0, seconds), expire)
    try:
        return await inner
    except asyncio.CancelledError:
        if expired and inner.cancelled():
            raise asyncio.TimeoutError from None
        raise
    finally:
        timer.cancel()


async def wait_event(event: asyncio.Event, seconds: float | None) -> bool:
    """Whether ``event`` was set within ``seconds`` (False on time out, never an error)."""
    if event.is_set():
        return True
    try:
        await within(event.wait(), seconds)
    except asyncio.TimeoutError:
        return False
    return True
