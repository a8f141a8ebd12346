"""Where a bot's distributed state lives in Redis, and which partition an update goes to.

Pure naming and hashing, no I/O: ingress, pump and workers must agree on every key, so
one object derives them all from a namespace (by default ``telewire:<bot id>``, so bots
can share one Redis) and the partition count.
"""

from __future__ import annotations

import zlib
from typing import Any

from telewire.core.updates import order_key

GROUP = "workers"
"""The one consumer group every partition stream is read through."""
DEFAULT_PARTITIONS = 16


class Layout:
    """Key names for one bot's streams, leases and limits; ``partition_of`` an update."""

    __slots__ = ("namespace", "partitions")

    def __init__(self, namespace: str, partitions: int = DEFAULT_PARTITIONS) -> None:
        if not 1 <= partitions <= 4096:
            raise ValueError(f"partitions must be between 1 and 4096, not {partitions}")
        self.namespace = namespace
        self.partitions = partitions

    @classmethod
    def for_bot(cls, bot_id: int, partitions: int = DEFAULT_PARTITIONS) -> Layout:
        return cls(f"telewire:{bot_id}", partitions)

    def __repr__(self) -> str:
        return f"Layout({self.namespace!r}, partitions={self.partitions})"

    def partition_of(self, update: Any) -> int:
        """The partition of an update: by its chat, else its user, else its own id.

        CRC-32 rather than ``hash()``: every process, whatever its PYTHONHASHSEED, must
        send one chat to the same stream.
        """
        key = order_key(update)
        text = f"k{key}" if key is not None else f"u{update.update_id}"
        return zlib.crc32(text.encode()) % self.partitions

    def stream(self, partition: int) -> str:
        return f"{self.namespace}:p:{partition}"

    def lease(self, partition: int) -> str:
        return f"{self.namespace}:lease:{partition}"

    def seen(self, update_id: int) -> str:
        return f"{self.namespace}:seen:{update_id}"

    @property
    def config(self) -> str:
        """Holds the partition count the streams were made with (must never change)."""
        return f"{self.namespace}:partitions"

    @property
    def workers(self) -> str:
        """Sorted set of live workers, scored by when their heartbeat expires (ms)."""
        return f"{self.namespace}:workers"

    @property
    def pump_lease(self) -> str:
        return f"{self.namespace}:pump"

    @property
    def pump_offset(self) -> str:
        return f"{self.namespace}:pump:offset"

    def flood(self, what: str) -> str:
        return f"{self.namespace}:flood:{what}"
