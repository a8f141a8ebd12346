"""When to retry a failed request, and how long to wait: decisions only, no sleeping.

The rules protect against duplicates first: a request that may have reached Telegram
(a read timeout, a reset after sending) is retried only for methods whose repetition is
harmless. ``sendMessage`` and friends are not, so their timeouts surface as errors.
"""

from __future__ import annotations

import random

from telewire.core.errors import NetworkError, RetryAfter, ServerError, TelewireError

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


def is_repeatable(method: str) -> bool:
    """Whether running ``method`` twice has the same effect as once."""
    return method.lower().startswith(_REPEATABLE_PREFIXES)


class RetryPolicy:
    """How stubbornly a client retries. ``RetryPolicy(attempts=1)`` never retries.

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

    def delay(self, method: str, attempt: int, error: TelewireError) -> float | None:
        """Seconds to wait before try ``attempt + 1``, or None to raise ``error`` now."""
        if attempt >= self.attempts:
            return None
        if isinstance(error, RetryAfter):
            wait = error.retry_after
            return wait if wait <= self.max_retry_after else None
        if isinstance(error, NetworkError):
            if error.sent and not is_repeatable(method):
                return None
            return self._backoff(attempt)
        if isinstance(error, ServerError):
            return self._backoff(attempt)
        return None

    def _backoff(self, attempt: int) -> float:
        base: float = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return base * (0.5 + random.random() / 2)
