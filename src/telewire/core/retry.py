"""The one retry model: which failures pass, which calls may be repeated, how long to wait.

Every layer that repeats work asks here: the client's exchange (one call), the dispatcher
(a whole handler), polling (getUpdates) and the outbox (a queued message). The questions:

1. **Is the failure transient?** Network trouble, a 5xx, a 429: trying later may work.
   A 400, 401, 403 or a bug in a handler will fail the same way again.
2. **May the call have taken effect?** A 429 and a request that never left this process
   (``NetworkError(sent=False)``) did not. A timed-out reply, a connection lost after
   sending, and a 5xx may have: a gateway's 502 can come after Telegram sent the message.
3. **Is repeating it harmless?** Calls that set or read state (``get*``, ``set*``,
   ``edit*``, ``answer*``, ...) are; calls that add something (``send*``, ``forward*``,
   ``copy*``) are not: repeating them can make a second message.

A call is *safe to repeat* when it failed transiently and either did not take effect or is
harmless to repeat. The client repeats only such calls, the dispatcher re-runs a handler
only when the call that failed it was such a call, and polling repeats getUpdates (always
harmless). The outbox is the one layer that promises at-least-once instead: it repeats a
message after any transient failure, so a message may arrive twice but never zero times.

Waits are Telegram's ``retry_after`` for a 429, else :func:`backoff`.
"""

from __future__ import annotations

import random

from telewire.core.errors import NetworkError, RetryAfter, ServerError

TRANSIENT: tuple[type[Exception], ...] = (NetworkError, ServerError, RetryAfter)

_REPEATABLE_PREFIXES = (
    "get",
    "set",
    "delete",
    "answer",
    "edit",
    "pin",
    "unpin",
    "ban",
    "unban",
    "restrict",
    "promote",
    "leave",
    "close",
    "logout",
    "approve",
    "decline",
    "unhide",
    "hide",
)


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed (network trouble, a 5xx, a 429)."""
    return isinstance(error, TRANSIENT)


def is_repeatable(method: str) -> bool:
    """Whether running ``method`` twice has the same effect as once."""
    return method.lower().startswith(_REPEATABLE_PREFIXES)


def may_have_taken_effect(error: BaseException) -> bool:
    """Whether the failed call may have been carried out although it reported a failure."""
    if isinstance(error, RetryAfter):
        return False
    if isinstance(error, NetworkError):
        return error.sent
    return isinstance(error, ServerError)


def is_safe_to_repeat(method: str | None, error: BaseException) -> bool:
    """Whether repeating the call that raised ``error`` cannot duplicate its effect."""
    if not is_transient(error):
        return False
    return not may_have_taken_effect(error) or (method is not None and is_repeatable(method))


def backoff(attempt: int, first: float = 0.5, cap: float = 30.0) -> float:
    """The wait after failure number ``attempt`` (1, 2, ...): doubling from ``first`` up to
    ``cap``, with jitter (half to all of it), so many clients do not retry in step."""
    base = min(cap, first * 2.0 ** min(max(attempt, 1) - 1, 62))
    return base * (0.5 + random.random() / 2)  # jitter, not a secret


class RetryPolicy:
    """How stubbornly a layer repeats. ``RetryPolicy(attempts=1)`` never repeats.

    ``attempts``: tries in all, the first included. ``max_retry_after``: a 429 asking to
    wait longer than this is raised instead of waited out. ``backoff``: the first wait
    after a network or server error, doubling each time (with jitter) up to ``max_backoff``.
    (A plain class, not a dataclass: ``telewire send`` must not pay for importing those.)
    """

    __slots__ = ("attempts", "backoff", "max_backoff", "max_retry_after")

    def __init__(
        self,
        attempts: int = 5,
        *,
        max_retry_after: float = 120.0,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self.attempts = attempts
        self.max_retry_after = max_retry_after
        self.backoff = backoff
        self.max_backoff = max_backoff

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(attempts={self.attempts}, max_retry_after={self.max_retry_after}, "
            f"backoff={self.backoff}, max_backoff={self.max_backoff})"
        )

    def pause(self, attempt: int, error: BaseException) -> float:
        """Seconds to wait after failure number ``attempt``: a 429's own wait, else backoff."""
        if isinstance(error, RetryAfter):
            return error.retry_after
        return backoff(attempt, self.backoff, self.max_backoff)

    def delay(self, method: str | None, attempt: int, error: BaseException) -> float | None:
        """Seconds to wait before try ``attempt + 1``, or None to give up with ``error``."""
        if attempt >= self.attempts or not is_safe_to_repeat(method, error):
            return None
        if attempt == 1 and isinstance(error, NetworkError) and not error.sent:
            return 0.0  # a stale keep-alive connection, most likely: a fresh one will do
        wait = self.pause(attempt, error)
        if isinstance(error, RetryAfter) and wait > self.max_retry_after:
            return None
        return wait
