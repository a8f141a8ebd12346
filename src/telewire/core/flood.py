"""Telegram's flood limits as sliding windows: enforced by the emulator, kept by the outbox.

* a private chat: at most 3 messages in any 3 seconds (1/s sustained, short bursts ok);
* a group or channel: at most 20 messages in any 60 seconds;
* the bot overall: at most 30 messages in any second.

The emulator refuses what exceeds :data:`TELEGRAM` with 429. A sender keeps to
:data:`SENDER` and records each message when its reply arrives, the latest moment the
server can have counted it, and measures the next one from when it starts: so the server
can never see more than the limit in a window, and a few milliseconds of slack suffice.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Any, NamedTuple, Protocol


class Window(NamedTuple):
    messages: int
    seconds: float


class Limits(NamedTuple):
    private: Window
    group: Window
    overall: Window


TELEGRAM = Limits(private=Window(3, 3.0), group=Window(20, 60.0), overall=Window(30, 1.0))
SENDER = Limits(private=Window(3, 3.01), group=Window(20, 60.05), overall=Window(30, 1.005))

SENDING_PREFIXES = ("send", "forward", "copy")


def is_sending(method: str) -> bool:
    """Whether ``method`` posts a message (what the flood limits count)."""
    name = method.lower()
    return name.startswith(SENDING_PREFIXES) and name != "sendchataction"


def is_group(chat_id: Any) -> bool:
    """Groups, supergroups and channels have negative ids (or @usernames)."""
    return isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0)


class FloodLimiter:
    """Counts sends per chat and overall; says how long until the next one is allowed."""

    def __init__(self, limits: Limits = TELEGRAM) -> None:
        self.limits = limits
        self._sent: defaultdict[Any, deque[float]] = defaultdict(deque)

    def _wait(self, key: Any, window: Window, now: float) -> float:
        times = self._sent[key]
        while times and times[0] <= now - window.seconds:
            times.popleft()
        return times[0] + window.seconds - now if len(times) >= window.messages else 0.0

    def wait(self, chat_id: Any, group: bool, now: float | None = None) -> float:
        """Seconds until a message to ``chat_id`` fits all windows (0: now)."""
        now = time.monotonic() if now is None else now
        chat_window = self.limits.group if group else self.limits.private
        return max(
            self._wait(("chat", chat_id), chat_window, now),
            self._wait("all", self.limits.overall, now),
        )

    def record(self, chat_id: Any, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._sent[("chat", chat_id)].append(now)
        self._sent["all"].append(now)

    def admit(self, chat_id: Any, group: bool, now: float | None = None) -> float:
        """Record a send if it fits now and return 0, else return the wait and record nothing."""
        now = time.monotonic() if now is None else now
        wait = self.wait(chat_id, group, now)
        if wait <= 0:
            self.record(chat_id, now)
        return wait


class FloodGate(Protocol):
    """What a one-at-a-time sender (the outbox) asks before each message and tells after.

    :class:`LocalGate` keeps the count in this process; a gate in Redis
    (:func:`telewire.distributed.shared_flood_limit`) shares it with every worker of the
    bot, so their sends and the outbox's together stay under Telegram's limits.
    """

    def wait_for(self, chat_id: Any, group: bool) -> float:
        """0: send to ``chat_id`` now (its place is held until :meth:`sent`); else the
        seconds to wait first (nothing held)."""
        ...

    def sent(self, chat_id: Any) -> None:
        """Its reply came (or it was given up): count the message from now."""
        ...

    def pause(self, seconds: float) -> None:
        """Telegram answered 429: hold every send for ``seconds``."""
        ...


class LocalGate:
    """A :class:`FloodGate` over a :class:`FloodLimiter`: this process's sends only."""

    def __init__(self, limits: Limits = SENDER) -> None:
        self.limiter = FloodLimiter(limits)

    def wait_for(self, chat_id: Any, group: bool) -> float:
        return self.limiter.wait(chat_id, group)

    def sent(self, chat_id: Any) -> None:
        self.limiter.record(chat_id)

    def pause(self, seconds: float) -> None:
        """The sender pauses itself; nobody else to tell."""
