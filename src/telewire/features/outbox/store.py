"""The outbox in a SQLite file: one machine's processes share it, a file lock picks the sender.

The queue's operations are :class:`~telewire.features.outbox.table.OutboxTable`'s; this
module says how the file is opened (a connection per thread, WAL journal, fsync'd commits:
queued means on disk) and which program connections may join its transactions.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from telewire.features.outbox.lock import FileLock
from telewire.features.outbox.table import COLUMNS, Database, OutboxTable, Row, read_params
from telewire.storage import StorageError, connect, transaction

__all__ = ["OutboxStore", "Row", "open_store", "read_params"]

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


def open_store(path: str | Path) -> OutboxTable:
    """The outbox at ``path``: a SQLite file, or a ``postgresql://`` URL."""
    from telewire.storage.postgres_blocking import is_postgres_url

    if is_postgres_url(path):
        from telewire.features.outbox.postgres_store import PostgresOutboxStore

        return PostgresOutboxStore(str(path))
    return OutboxStore(path)


class OutboxStore(OutboxTable):
    """Thread-safe access to one outbox file (a connection per thread, WAL journal)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.where = str(self.path)
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

    @contextmanager
    def _connected(self) -> Iterator[Database]:
        yield self._db

    def _transaction(self) -> AbstractContextManager[Database]:
        return transaction(self._db)

    def _check_shared(self, connection: Any) -> None:
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

    def delivery_lock(self) -> FileLock:
        return FileLock(self.path)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
