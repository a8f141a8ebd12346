"""Which processes answer approval buttons for a book, so an asker never polls beside them.

:func:`~telewire.features.approvals.approvals_router` announces its process in the book's
file; :func:`answered_elsewhere` tells an asker that a live process hears the presses, so
the decision will arrive through the shared book. A second poller on the same token would
take the running bot's updates away from it (and Telegram answers one of the two with 409
Conflict). A process that died without withdrawing is recognised by its pid and ignored.
"""

from __future__ import annotations

import atexit
import os
import socket
import time
from pathlib import Path

from telewire.storage import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS approval_answerers (
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    since REAL NOT NULL,
    PRIMARY KEY (host, pid)
);
"""


def announce(book_path: Path) -> None:
    """Say that this process answers presses for the book (until it exits)."""
    db = connect(book_path)
    try:
        db.executescript(SCHEMA)
        db.execute(
            "INSERT OR REPLACE INTO approval_answerers VALUES (?, ?, ?)",
            (socket.gethostname(), os.getpid(), time.time()),
        )
    finally:
        db.close()
    atexit.register(withdraw, book_path)


def withdraw(book_path: Path) -> None:
    db = connect(book_path)
    try:
        db.executescript(SCHEMA)
        db.execute(
            "DELETE FROM approval_answerers WHERE host = ? AND pid = ?",
            (socket.gethostname(), os.getpid()),
        )
    finally:
        db.close()


def answered_elsewhere(book_path: Path) -> bool:
    """Whether a live process (this one included) runs an approvals router for the book."""
    db = connect(book_path)
    try:
        db.executescript(SCHEMA)
        here = socket.gethostname()
        for host, pid in db.execute("SELECT host, pid FROM approval_answerers").fetchall():
            if host != here or _alive(int(pid)):
                return True  # another machine's process is trusted while it is listed
            db.execute("DELETE FROM approval_answerers WHERE host = ? AND pid = ?", (host, pid))
        return False
    finally:
        db.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
