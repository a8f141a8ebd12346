"""The outbox's SQLite file: queued messages, their state, and what is due next.

States: ``pending`` (waiting or retrying), ``delivered`` (Telegram accepted it; never sent
again), ``dead`` (refused for good; ``telewire outbox retry`` revives it). A chat's
messages go strictly in order: only its oldest pending message is ever due.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

from telewire.storage import StorageError, connect, transaction

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_key TEXT NOT NULL,
    method TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    created REAL NOT NULL,
    delivered REAL,
    message_id INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (status, chat_key, id);
"""
COLUMNS = frozenset(
    {"id", "chat_key", "method", "params", "status", "attempts", "next_attempt", "last_error"}
)


class Row(NamedTuple):
    id: int
    chat_key: str
    method: str
    params: dict[str, Any]
    attempts: int
    next_attempt: float


def read_params(row_id: int, params: str) -> tuple[dict[str, Any], str | None]:
    """Row ``row_id``'s stored parameters, and why they cannot be used (None when they can).

    A row edited or truncated behind the outbox's back must not stop the sender thread
    (every later message would wait forever) nor surface as a bare JSON error: it is
    named, set aside as dead, and kept for a person to look at.
    """
    try:
        data = json.loads(params)
    except ValueError as exc:
        return {}, f"row {row_id} is damaged: its parameters are not valid JSON ({exc})"
    if not isinstance(data, dict):
        return {}, f"row {row_id} is damaged: its parameters are not a JSON object"
    return data, None


class OutboxStore:
    """Thread-safe access to one outbox file (a connection per thread, WAL journal)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._local = threading.local()
        found = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
        if found and not found >= COLUMNS:
            self.close()
            raise StorageError(
                f"{self.path} already has a table named 'outbox' that is not telewire's; "
                "give the Outbox a file of its own, or rename that table"
            )
        self._db.executescript(SCHEMA)

    @property
    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path, durable=True)  # queued means on disk, even on power loss
            self._local.db = db
        return db

    def enqueue(
        self,
        items: list[tuple[str, dict[str, Any]]],
        *,
        connection: sqlite3.Connection | None = None,
    ) -> list[int]:
        """Queue (method, params) pairs in one transaction; return their ids.

        With ``connection`` (the program's own, open on this same file and inside its own
        transaction) the rows join that transaction: they exist if and only if the
        program commits, so the sender never announces what was rolled back.
        """
        if connection is None:
            with transaction(self._db) as db:
                return self._insert(db, items)
        self._check_shared(connection)
        return self._insert(connection, items)

    @staticmethod
    def _insert(db: sqlite3.Connection, items: list[tuple[str, dict[str, Any]]]) -> list[int]:
        now = time.time()
        ids = []
        for method, params in items:
            chat = params.get("chat_id")
            if chat is None:
                raise ValueError(f"{method} needs a chat_id to go through the outbox")
            cursor = db.execute(
                "INSERT INTO outbox (chat_key, method, params, created) VALUES (?, ?, ?, ?)",
                (str(chat), method, json.dumps(params, ensure_ascii=False), now),
            )
            ids.append(int(cursor.lastrowid or 0))
        return ids

    def _check_shared(self, connection: sqlite3.Connection) -> None:
        """Refuse a connection that would not make the message part of the program's commit."""
        if not isinstance(connection, sqlite3.Connection):
            raise TypeError(
                f"connection must be a sqlite3.Connection, not {type(connection).__name__}"
            )
        files = {row[1]: row[2] for row in connection.execute("PRAGMA database_list")}
        main = files.get("main") or ""
        if not main or Path(main).resolve() != self.path.resolve():
            raise ValueError(
                f"the connection is to {main or 'an in-memory database'}, but the outbox lives in "
                f"{self.path}: open the Outbox on the program's own database file"
            )
        autocommit = getattr(connection, "autocommit", None) is True  # Python 3.12+
        if not connection.in_transaction and (connection.isolation_level is None or autocommit):
            raise ValueError(
                "the connection is not inside a transaction, so the message would be committed "
                "on its own: queue it between BEGIN and COMMIT (or inside `with connection:`)"
            )

    def due(self, now: float, limit: int = 100) -> list[Row]:
        """The oldest pending message of each chat whose time has come, oldest first."""
        rows = self._db.execute(
            """SELECT o.id, o.chat_key, o.method, o.params, o.attempts, o.next_attempt FROM outbox o
               JOIN (SELECT MIN(id) AS id FROM outbox WHERE status = 'pending' GROUP BY chat_key) h
               ON o.id = h.id ORDER BY o.id LIMIT ?""",
            (limit,),
        ).fetchall()
        due = []
        for r in rows:
            params, damage = read_params(r[0], r[3])
            if damage is not None:
                self.bury(r[0], damage)
            elif r[5] <= now:
                due.append(Row(r[0], r[1], r[2], params, r[4], r[5]))
        return due

    def next_wake(self) -> float | None:
        row = self._db.execute(
            "SELECT MIN(next_attempt) FROM outbox WHERE status = 'pending'"
        ).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def delivered(self, row_id: int, message_id: int | None) -> None:
        self._db.execute(
            "UPDATE outbox SET status = 'delivered', delivered = ?, message_id = ?,"
            " attempts = attempts + 1 WHERE id = ?",
            (time.time(), message_id, row_id),
        )

    def postpone(self, row_id: int, until: float, error: str) -> None:
        self._db.execute(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ?"
            " WHERE id = ?",
            (until, error, row_id),
        )

    def bury(self, row_id: int, error: str) -> None:
        self._db.execute(
            "UPDATE outbox SET status = 'dead', attempts = attempts + 1, last_error = ?"
            " WHERE id = ?",
            (error, row_id),
        )

    def move_chat(self, old: str, new: str) -> None:
        """A group became a supergroup: its queued messages follow it."""
        with transaction(self._db) as db:
            for row_id, params in db.execute(
                "SELECT id, params FROM outbox WHERE status = 'pending' AND chat_key = ?", (old,)
            ).fetchall():
                data, damage = read_params(row_id, params)
                if damage is not None:
                    continue  # due() sets it aside, naming it
                data["chat_id"] = int(new)
                db.execute(
                    "UPDATE outbox SET chat_key = ?, params = ? WHERE id = ?",
                    (new, json.dumps(data, ensure_ascii=False), row_id),
                )

    # -- for people (telewire outbox) ----------------------------------------------------

    def counts(self) -> dict[str, int]:
        return dict(
            self._db.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall()
        )

    def listing(self, status: str, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT id, chat_key, method, params, attempts, last_error, created FROM outbox"
            " WHERE status = ? ORDER BY id LIMIT ?",
            (status, limit),
        ).fetchall()
        keys = ("id", "chat", "method", "params", "attempts", "last_error", "created")
        listed = []
        for r in rows:
            params, damage = read_params(r[0], r[3])
            listed.append(dict(zip(keys, r, strict=True)) | {"params": params, "damage": damage})
        return listed

    def retry(self, ids: list[int] | None = None) -> int:
        """Revive dead messages (all of them without ``ids``); return how many."""
        where, args = (
            ("status = 'dead'", ())
            if ids is None
            else (f"status = 'dead' AND id IN ({','.join('?' * len(ids))})", tuple(ids))
        )
        cursor = self._db.execute(
            f"UPDATE outbox SET status = 'pending', next_attempt = 0 WHERE {where}",  # noqa: S608
            args,
        )
        return cursor.rowcount

    def purge(self, status: str, older_than: float = 0.0) -> int:
        if status not in ("delivered", "dead"):
            raise ValueError("only delivered or dead messages can be purged")
        cursor = self._db.execute(
            "DELETE FROM outbox WHERE status = ? AND created <= ?",
            (status, time.time() - older_than),
        )
        return cursor.rowcount

    def pending(self) -> int:
        return int(
            self._db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
        )

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
