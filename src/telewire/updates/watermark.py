"""The confirmed offset of long polling: the first update not yet completely handled.

Updates finish in any order (chats run concurrently); Telegram can only be told "all
below N are done". The watermark is therefore the lowest update id still in flight, or
one past the highest id seen when nothing is. Pure bookkeeping, no I/O.
"""

from __future__ import annotations

import heapq


class Watermark:
    __slots__ = ("_heap", "_in_flight", "_start", "highest_seen")

    def __init__(self, start: int | None = None) -> None:
        self._start = start
        self.highest_seen = (start - 1) if start is not None else None
        self._in_flight: set[int] = set()
        self._heap: list[int] = []

    def is_new(self, update_id: int) -> bool:
        """False for an update already received (Telegram resends unconfirmed ones)."""
        return self.highest_seen is None or update_id > self.highest_seen

    def received(self, update_id: int) -> None:
        self._in_flight.add(update_id)
        heapq.heappush(self._heap, update_id)
        if self.highest_seen is None or update_id > self.highest_seen:
            self.highest_seen = update_id

    def finished(self, update_id: int) -> None:
        self._in_flight.discard(update_id)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def confirmed(self) -> int | None:
        """The offset to send: every update below it is handled. None before any update."""
        heap = self._heap
        while heap and heap[0] not in self._in_flight:
            heapq.heappop(heap)
        if heap:
            return heap[0]
        if self.highest_seen is None:
            return self._start
        return self.highest_seen + 1
