"""Choosing the next message to deliver and recording how it went. No network here.

Both senders (a thread, an asyncio task) ask :meth:`Courier.take` what to send, send it
their own way, and report back with :meth:`sent` and :meth:`delivered`, or :meth:`failed`.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Any

from telewire.core.flood import SENDER, FloodGate, Limits, LocalGate, is_group
from telewire.core.token import mask
from telewire.features.outbox.policy import after_failure
from telewire.features.outbox.table import OutboxTable, Row
from telewire.storage.base import StorageUnavailable

log = logging.getLogger("telewire.outbox")
IDLE = 1.0  # also how soon messages queued by other processes are noticed


def chat_value(key: str) -> int | str:
    return int(key) if key.lstrip("-").isdigit() else key


class Courier:
    def __init__(
        self,
        store: OutboxTable,
        limits: Limits | FloodGate | None = SENDER,
        max_backoff: float = 60.0,
    ) -> None:
        self.store = store
        self.limiter: FloodGate | None = LocalGate(limits) if isinstance(limits, Limits) else limits
        self.max_backoff = max_backoff
        self.paused_until = 0.0

    def take(self) -> Row | float:
        """The next message to send now, or how many seconds to wait for one."""
        now = time.monotonic()
        if now < self.paused_until:
            return self.paused_until - now
        rows = self.store.due(time.time())
        if not rows:
            wake = self.store.next_wake()
            return IDLE if wake is None else max(0.01, min(IDLE, wake - time.time()))
        if self.limiter is None:
            return rows[0]
        soonest = IDLE
        for row in rows:
            chat = chat_value(row.chat_key)
            wait = self.limiter.wait_for(chat, is_group(chat))
            if wait <= 0:
                return row
            soonest = min(soonest, wait)
        return soonest

    def sent(self, row: Row) -> None:
        """Count a message at its reply: the latest moment the server can have counted it.

        A shared count that cannot be reached just now is skipped (its place expires by
        itself): what was sent must still be recorded, or it would be sent again.
        """
        if self.limiter is not None:
            try:
                self.limiter.sent(chat_value(row.chat_key))
            except StorageUnavailable as error:
                log.warning("outbox message %s not counted in the shared limit: %s", row.id, error)

    def delivered(self, row: Row, result: Any) -> None:
        """Record that Telegram accepted ``row`` (after :meth:`sent`; safe to repeat)."""
        message_id = result.get("message_id") if isinstance(result, dict) else None
        self.store.delivered(row.id, message_id)

    def failed(self, row: Row, error: Exception) -> None:
        self.sent(row)
        decision = after_failure(error, row.attempts, self.max_backoff)
        reason = mask(str(error))
        if decision.action == "migrate" and decision.new_chat is not None:
            log.info(
                "chat %s became %s; moving its queued messages", row.chat_key, decision.new_chat
            )
            self.store.move_chat(row.chat_key, str(decision.new_chat))
        elif decision.action == "dead":
            log.warning("outbox message %s refused for good: %s", row.id, reason)
            self.store.bury(row.id, reason)
        else:
            self.store.postpone(row.id, time.time() + decision.delay, reason)
            if decision.pause_all:
                self.paused_until = time.monotonic() + decision.pause_all
                if self.limiter is not None:
                    with contextlib.suppress(StorageUnavailable):  # this outbox pauses anyway
                        self.limiter.pause(decision.pause_all)
