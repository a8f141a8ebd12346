"""What the outbox does after a failed delivery: decisions only, shared by both drivers.

Transient trouble (network, 5xx, 429, timeouts) is retried for as long as it lasts, with
backoff capped at ``max_backoff``: an outage of any length loses nothing. Refusals that
repeating cannot fix (400 bad request, 403 blocked, 401 bad token) go to the dead
letters at once. A timed-out send is retried too: it may then arrive twice, which is
better than never (at-least-once; see :mod:`telewire.core.retry`, whose definitions of
"transient" and backoff this uses).
"""

from __future__ import annotations

from typing import NamedTuple

from telewire.core.errors import APIError, ChatMigrated, RetryAfter
from telewire.core.retry import backoff, is_transient


class Decision(NamedTuple):
    action: str  # "retry", "dead", "migrate"
    delay: float = 0.0
    pause_all: float = 0.0
    new_chat: int | None = None


def after_failure(error: Exception, attempts: int, max_backoff: float = 60.0) -> Decision:
    if isinstance(error, RetryAfter):
        return Decision("retry", error.retry_after, pause_all=error.retry_after)
    if isinstance(error, ChatMigrated):
        return Decision("migrate", new_chat=error.migrate_to_chat_id)
    if is_transient(error):
        return Decision("retry", backoff(attempts + 1, 0.5, max_backoff))
    if isinstance(error, APIError):
        return Decision("dead")
    return Decision("retry", min(max_backoff, 5.0))
