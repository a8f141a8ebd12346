"""Telegram's flood limits, enforced with ``--telegram-limits`` (sliding windows).

* a private chat: at most 3 messages in any 3 seconds (1/s sustained, short bursts ok);
* a group or channel: at most 20 messages in any 60 seconds;
* the bot overall: at most 30 messages in any second.
Beyond them a send is refused with 429 and the seconds until the window frees.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque

PRIVATE = (3, 3.0)
GROUP = (20, 60.0)
GLOBAL = (30, 1.0)

SENDING_PREFIXES = ("send", "forward", "copy")


def is_sending(method: str) -> bool:
    name = method.lower()
    return name.startswith(SENDING_PREFIXES) and name != "sendchataction"


class FloodLimiter:
    def __init__(self) -> None:
        self._sent: defaultdict[object, deque[float]] = defaultdict(deque)

    def _wait(self, key: object, limit: int, window: float, now: float) -> float:
        times = self._sent[key]
        while times and times[0] <= now - window:
            times.popleft()
        if len(times) >= limit:
            return times[0] + window - now
        return 0.0

    def admit(self, bot_id: int, chat_id: object, group: bool, now: float | None = None) -> int:
        """Record a send, or return the retry_after (whole seconds >= 1) that refuses it."""
        now = time.monotonic() if now is None else now
        limit, window = GROUP if group else PRIVATE
        wait = max(
            self._wait((bot_id, chat_id), limit, window, now),
            self._wait(bot_id, *GLOBAL, now),
        )
        if wait > 0:
            return max(1, math.ceil(wait))
        self._sent[(bot_id, chat_id)].append(now)
        self._sent[bot_id].append(now)
        return 0
