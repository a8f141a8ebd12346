"""One deliverer per outbox file: an advisory OS lock, released even if its holder is killed.

Any number of processes may queue into an outbox; only the holder of this lock sends,
so two senders never pick the same message.
"""

from __future__ import annotations

import os
from pathlib import Path


class DeliveryLock:
    def __init__(self, outbox_path: Path) -> None:
        self.path = outbox_path.with_name(outbox_path.name + ".lock")
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock if nobody has it; never waits."""
        if self._fd is not None:
            return True
        try:
            import fcntl
        except ImportError:  # not POSIX: one process per outbox is then the user's job
            self._fd = -1
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None and self._fd >= 0:
            os.close(self._fd)
        self._fd = None
