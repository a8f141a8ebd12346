"""One deliverer per outbox: a lock that is released even if its holder is killed.

Any number of processes may queue into an outbox; only the holder of its lock sends, so
two senders never pick the same message. A file's outbox uses an OS file lock beside the
file; a PostgreSQL outbox a session-level advisory lock, which the server drops with the
session of a killed holder (or one whose network went away: keepalives notice within
seconds), so a standby takes over.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from telewire.storage.base import StorageUnavailable

if TYPE_CHECKING:
    from telewire.storage.postgres_blocking import BlockingPostgres


class FileLock:
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


class AdvisoryLock:
    """``pg_try_advisory_lock(key)`` on the store's connection, held for its session.

    The lock lives and dies with the server session it was taken in: when the connection
    is reopened (``BlockingPostgres.session`` moved on) it is no longer held, whatever
    this object remembers, and :meth:`acquire` must win it again.
    """

    def __init__(self, db: BlockingPostgres, key: int) -> None:
        self.db = db
        self.key = key
        self._session: int | None = None

    @property
    def held(self) -> bool:
        return self._session is not None and self._session == self.db.session

    def acquire(self) -> bool:
        """Take the lock if nobody has it; never waits. Raises ``StorageUnavailable``."""
        with self.db.held() as db:  # opens the connection first: ``session`` is current
            if self.held:
                return True
            won = db.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
            self._session = self.db.session if won and won[0] else None
            return self._session is not None

    def release(self) -> None:
        if self.held:
            try:
                with self.db.held() as db:
                    db.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
            except StorageUnavailable:
                pass  # the session is gone, and its lock with it
        self._session = None
