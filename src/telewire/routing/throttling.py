"""Throttling: at most ``rate`` handled updates per ``per`` seconds for each user.

The rule is GCRA (the "generic cell rate algorithm", a token bucket kept as one number):
each user has a *theoretical arrival time*; an update is allowed when pushing it
``per / rate`` seconds later still stays within ``per`` seconds of now, so a user may burst
``rate`` updates and then one every ``per / rate`` seconds. That one number per user lives
in the storage, updated by compare-and-set, so several processes share one limit per user.

The excess is answered once per burst (a toast for a button press, a reply for a message)
and otherwise dropped; no handler runs for it. If the storage cannot be reached, updates
are let through and a warning logged: a broken limiter must not silence the bot.
"""

from __future__ import annotations

import logging
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from telewire.routing.context import Context
from telewire.storage import Storage

log = logging.getLogger("telewire.routing")
_STATE = struct.Struct(">dd")  # theoretical arrival time, warned until


def admit(arrival: float, now: float, *, rate: int, per: float) -> tuple[bool, float, float]:
    """GCRA, sans I/O: (allowed, the new arrival time to store, seconds until allowed)."""
    interval = per / rate
    pushed = max(arrival, now) + interval
    if pushed - now <= per + 1e-9:
        return True, pushed, 0.0
    return False, arrival, pushed - now - per


def throttle(
    storage: Storage,
    *,
    rate: int,
    per: float,
    scope: Literal["user", "chat"] = "user",
    message: str | None = "Easy there! Please wait {wait} s and try again.",
    clock: Callable[[], float] = time.time,
) -> Callable[[Context, Callable[[], Awaitable[bool]]], Awaitable[Any]]:
    """A middleware: ``router.use(throttle(storage, rate=5, per=10))``.

    ``scope="chat"`` limits a whole chat instead of each user. ``message`` (``{wait}``:
    whole seconds) answers the first excess update of a burst; None stays silent.
    """
    if rate < 1 or not per > 0:
        raise ValueError(f"throttle needs rate >= 1 and per > 0 seconds, got {rate=} {per=}")

    async def middleware(ctx: Context, call_next: Callable[[], Awaitable[bool]]) -> Any:
        who = ctx.user_id if scope == "user" else ctx.chat_id
        if who is None:
            return await call_next()
        try:
            allowed, wait, warn = await _check(storage, f"throttle:{scope}:{who}", clock())
        except Exception as exc:
            log.warning("throttling skipped for %s %s: storage failed (%s)", scope, who, exc)
            return await call_next()
        if allowed:
            return await call_next()
        log.info("throttled %s %s for %.1f s", scope, who, wait)
        if warn and message is not None:
            text = message.format(wait=max(1, round(wait)))
            if ctx.callback_query is not None:
                await ctx.answer(text)
            elif ctx.kind == "message" and ctx.chat_id is not None:
                await ctx.reply(text)
        elif ctx.callback_query is not None:
            await ctx.answer()  # stop the button's spinner, silently
        return True

    async def _check(storage: Storage, key: str, now: float) -> tuple[bool, float, bool]:
        for _ in range(16):  # compare-and-set retries; contention per user is tiny
            item = await storage.get(key)
            arrival, warned_until = _STATE.unpack(item.value) if item else (0.0, 0.0)
            allowed, arrival, wait = admit(arrival, now, rate=rate, per=per)
            warn = not allowed and now >= warned_until
            if allowed or warn:
                warned_until = now + wait if warn else warned_until
                state = _STATE.pack(arrival, warned_until)
                written = await storage.compare_and_set(
                    key, state, expected=item.version if item else None, ttl=per * 2
                )
                if written is None:
                    continue
            return allowed, wait, warn
        return True, 0.0, False  # endless contention: let it through rather than drop

    middleware.__qualname__ = f"throttle(rate={rate}, per={per:g}, scope={scope!r})"
    return middleware
