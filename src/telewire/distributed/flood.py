"""One flood limit for every worker: Telegram's windows kept in Redis.

The windows are those of :mod:`telewire.core.flood` (:data:`~telewire.core.flood.SENDER`:
30 messages a second overall, 3 in any 3 seconds per private chat, 20 a minute per
group), kept as sorted sets scored by Redis's clock, so workers on several machines share
one count whatever their own clocks say. A send is admitted by one script, which holds its
place in the windows while it is in flight, and counted at its reply (its mark moves to
then): the server, counting at arrival, never sees more than the limit in a window, even
when a request takes longer than the window itself. A 429 seen by any worker sets a
pause key that every admission honours, so one warning slows all.
"""

from __future__ import annotations

import asyncio
import os
import random
from typing import Any

from telewire.client.async_bot import AsyncBot
from telewire.core.flood import SENDER, Limits, is_group, is_sending
from telewire.distributed.layout import Layout
from telewire.distributed.metrics import Metrics
from telewire.transports.aio import AsyncTransport

ADMIT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local paused = redis.call('PTTL', KEYS[3])
if paused > 0 then return paused end
local wait = 0
for i = 2, 1, -1 do  -- the chat's window, then the overall one (which then says "all")
  local limit, span = tonumber(ARGV[i * 2]), tonumber(ARGV[i * 2 + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - span)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = tonumber(redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')[2])
    if oldest > now then oldest = now - span + 20 end  -- all in flight: look again soon
    local this = oldest + span - now
    if i == 1 then return this end
    wait = math.max(wait, this)
  end
end
if wait > 0 then return -wait end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now + ARGV[6], ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ARGV[i * 2 + 1] + ARGV[6])
end
return 0
"""
SENT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], 'XX', now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], ARGV[i + 1])
end
return 0
"""


IN_FLIGHT_MS = 60_000
"""A send is counted from its start as if it ended this much later, until its reply moves
the mark to the reply's time: however slow the server, a message in flight keeps its
place in the window (a worker killed mid-send frees its place after this long)."""


def flood_keys(layout: Layout, limits: Limits, chat_id: Any) -> tuple[list[str], list[int]]:
    """The keys (overall, chat, pause) and numbers (overall and chat window: messages,
    milliseconds) that :data:`ADMIT` and :data:`SENT` are run with."""
    window = limits.group if is_group(chat_id) else limits.private
    keys = [layout.flood("all"), layout.flood(f"chat:{chat_id}"), layout.flood("pause")]
    numbers = [limits.overall.messages, int(limits.overall.seconds * 1000)]
    numbers += [window.messages, int(window.seconds * 1000)]
    return keys, numbers


class SharedFloodLimiter:
    """``async with limiter.sending(chat_id):`` waits for room in every window, then counts."""

    def __init__(
        self, client: Any, layout: Layout, limits: Limits = SENDER, metrics: Metrics | None = None
    ) -> None:
        self.client = client
        self.layout = layout
        self.limits = limits
        self.metrics = metrics or Metrics()
        self._admit = client.register_script(ADMIT)
        self._sent = client.register_script(SENT)
        self._serial = 0
        self._turn = asyncio.Lock()
        """One sender of this process at a time asks Redis while the bot's window is full,
        the rest queue here in order: a crowd of handlers must not poll Redis in a herd."""

    def _keys(self, chat_id: Any) -> tuple[list[str], list[int]]:
        return flood_keys(self.layout, self.limits, chat_id)

    async def admit(self, chat_id: Any) -> str:
        """Wait until a message to ``chat_id`` fits; return its mark for :meth:`sent`."""
        self._serial += 1
        mark = f"{os.getpid()}:{id(self)}:{self._serial}"
        keys, numbers = self._keys(chat_id)
        waited = False
        while True:
            async with self._turn:
                wait = int(await self._admit(keys=keys, args=[mark, *numbers, IN_FLIGHT_MS]))
                if wait == 0:
                    return mark
                if wait > 0:  # the bot's overall window (or a pause): hold the turn
                    await asyncio.sleep(wait / 1000 + random.uniform(0, 0.002))
            if not waited:
                self.metrics.count("telewire_flood_waits_total")
                waited = True
            if wait < 0:  # only this chat's window: wait without holding up other chats
                await asyncio.sleep(-wait / 1000 + random.uniform(0, 0.002))

    async def sent(self, chat_id: Any, mark: str) -> None:
        """The reply came: the server counted the message by now; measure from here."""
        keys, numbers = self._keys(chat_id)
        spans = [numbers[1] + IN_FLIGHT_MS, numbers[3] + IN_FLIGHT_MS]
        await self._sent(keys=keys[:2], args=[mark, *spans])

    async def pause(self, seconds: float) -> None:
        """Telegram said 429: every worker waits ``seconds`` before its next send."""
        self.metrics.count("telewire_429_total")
        await self.client.set(self.layout.flood("pause"), 1, px=max(1, int(seconds * 1000)))


class LimitedBot(AsyncBot):
    """An :class:`AsyncBot` whose sends wait for the shared flood limit.

    The handlers get this bot as ``ctx.bot``: they send as usual and never see the limit,
    only its pace. A 429 that still comes (another program on the same bot) pauses all.
    """

    __slots__ = ("limiter",)

    def __init__(self, limiter: SharedFloodLimiter, *args: Any, **kwargs: Any) -> None:
        self.limiter = limiter  # before the transport is made: it reports 429s here
        super().__init__(*args, **kwargs)

    def _connect(self, base_url: str, *, proxy: str | None, tls: Any) -> AsyncTransport:
        return _Watched(base_url, self.limiter, proxy=proxy, tls=tls)

    async def _limited(self, method: str, params: dict[str, Any], returns: Any) -> Any:
        chat_id = params.get("chat_id")
        if chat_id is None or not is_sending(method):
            return await self._drive(self._method_call(method, params, *returns))
        mark = await self.limiter.admit(chat_id)
        try:
            return await self._drive(self._method_call(method, params, *returns))
        finally:
            await self.limiter.sent(chat_id, mark)

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        return await self._limited(method, params, ())

    async def call(self, method: str, /, **params: Any) -> Any:
        return await self._limited(method, params, ())

    async def request(self, method: str, params: dict[str, Any], returns: Any = Any) -> Any:
        return await self._limited(method, params, (returns,))


class _Watched(AsyncTransport):
    """A transport that tells the limiter of every 429, even one the client retries."""

    def __init__(
        self, base_url: str, limiter: SharedFloodLimiter, *, proxy: str | None, tls: Any
    ) -> None:
        super().__init__(base_url, proxy=proxy, tls=tls)
        self._limiter = limiter

    async def request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, body = await super().request(*args, **kwargs)
        if status == 429:
            import msgspec

            try:
                answer = msgspec.json.decode(body)
                seconds = float(answer.get("parameters", {}).get("retry_after", 1))
            except (msgspec.DecodeError, AttributeError, TypeError, ValueError):
                seconds = 1.0
            await self._limiter.pause(seconds)
        return status, body
