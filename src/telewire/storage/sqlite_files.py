"""SQLite files, opened the same way wherever telewire keeps state.

WAL journal (readers never wait for the writer; several processes may share a file),
autocommit unless inside :class:`transaction`, a generous busy timeout, and
``synchronous=FULL`` where "written" must survive a power cut (outbox, ledger).
New folders are made 0700 and new files 0600 (SQLite gives its side files the same
mode): state files hold tokens, approvals and audit records.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import time
from pathlib import Path

_BUSY_TIMEOUT = 30.0  # seconds a statement waits for another process's lock


class StorageError(ValueError):
    """A state file that cannot be used (not a database, a folder, no permission)."""


def connect(path: str | Path, *, durable: bool = False, rows: bool = False) -> sqlite3.Connection:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not target.exists():
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
        db = sqlite3.connect(
            target, isolation_level=None, check_same_thread=False, timeout=_BUSY_TIMEOUT
        )
        _use_wal(db)
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(
            f"cannot use {target} as a database ({exc}); check the path, or move the file away "
            "to start afresh"
        ) from None
    db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
    if rows:
        db.row_factory = sqlite3.Row
    return db


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch the file to WAL, waiting out other processes doing the same.

    SQLite answers "database is locked" at once, without its busy handler, when two
    processes open a new file together and both change its journal mode; so wait here.
    """
    from telewire.core.retry import backoff

    give_up = time.monotonic() + _BUSY_TIMEOUT
    for attempt in itertools.count(1):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy or time.monotonic() > give_up:
                raise
        time.sleep(backoff(attempt, first=0.001, cap=0.05))


class transaction:
    """All of it happens, or none of it (``BEGIN IMMEDIATE`` takes the write lock at once)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind: object, *rest: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
