"""The outbox's queue as SQL, written once for both of its homes (a SQLite file, PostgreSQL).

States: ``pending`` (waiting or retrying), ``delivered`` (Telegram accepted it; never sent
again), ``dead`` (refused for good; ``telewire outbox retry`` revives it). A chat's
messages go strictly in order of their ids: only its oldest pending message is ever due.

The statements are plain SQL both databases understand; a store says only how it reaches
its database (:meth:`OutboxTable._connected`, :meth:`OutboxTable._transaction`), how a
parameter is written, and how an inserted row's id comes back.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    import sqlite3

    import psycopg

    ProgramConnection = sqlite3.Connection | psycopg.Connection[Any]
    """The program's own connection, for queueing inside the program's transaction."""

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


class Database(Protocol):
    """A connection of either driver, as far as the outbox uses it."""

    def execute(self, query: Any, params: Any = ..., /) -> Any: ...


class DeliveryLock(Protocol):
    """Only the holder sends, so two senders never pick the same message."""

    @property
    def held(self) -> bool: ...

    def acquire(self) -> bool:
        """Take the lock if nobody has it (True if this outbox holds it now); never waits."""
        ...

    def release(self) -> None: ...


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


class OutboxTable(ABC):
    """The outbox's operations on its table; subclasses bring the database."""

    table = "outbox"
    where: str
    """Where the outbox lives, fit to be shown (a path, a URL without its password)."""

    # -- what a store provides --------------------------------------------------------

    @abstractmethod
    def _connected(self) -> AbstractContextManager[Database]:
        """The connection, for one statement committed on its own."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Database]:
        """The connection inside a transaction that commits when the block ends."""

    @abstractmethod
    def _check_shared(self, connection: Any) -> None:
        """Refuse a connection that would not make the message part of the program's commit."""

    @abstractmethod
    def delivery_lock(self) -> DeliveryLock:
        """The lock that makes one process at a time this outbox's deliverer."""

    @abstractmethod
    def close(self) -> None: ...

    def _sql(self, statement: str) -> str:
        """``statement`` (written with ``?`` parameters and ``{table}``) in this driver's style."""
        return statement.format(table=self.table)

    def _inserted_id(self, db: Database, statement: str, args: tuple[Any, ...]) -> int:
        cursor = db.execute(statement, args)
        return int(cursor.lastrowid or 0)

    def _run(self, statement: str, args: tuple[Any, ...] = ()) -> int:
        """Run one statement on its own; return how many rows it changed."""
        with self._connected() as db:
            return int(db.execute(self._sql(statement), args).rowcount)

    def _rows(self, statement: str, args: tuple[Any, ...] = ()) -> list[Any]:
        with self._connected() as db:
            return list(db.execute(self._sql(statement), args).fetchall())

    # -- queueing and delivering ------------------------------------------------------

    def enqueue(
        self,
        items: list[tuple[str, dict[str, Any]]],
        *,
        connection: ProgramConnection | None = None,
    ) -> list[int]:
        """Queue (method, params) pairs in one transaction; return their ids.

        With ``connection`` (the program's own, open on this same database and inside its
        own transaction) the rows join that transaction: they exist if and only if the
        program commits, so the sender never announces what was rolled back.
        """
        rows = [_insertable(method, params) for method, params in items]
        if connection is None:
            with self._transaction() as db:
                return self._insert(db, rows)
        self._check_shared(connection)
        return self._insert(connection, rows)

    def _insert(self, db: Database, rows: list[tuple[str, str, str]]) -> list[int]:
        statement = self._sql(
            "INSERT INTO {table} (chat_key, method, params, created) VALUES (?, ?, ?, ?)"
        )
        now = time.time()
        return [self._inserted_id(db, statement, (*row, now)) for row in rows]

    def due(self, now: float, limit: int = 100) -> list[Row]:
        """The oldest pending message of each chat whose time has come, oldest first."""
        rows = self._rows(
            """SELECT o.id, o.chat_key, o.method, o.params, o.attempts, o.next_attempt
               FROM {table} o JOIN (SELECT MIN(id) AS id FROM {table} WHERE status = 'pending'
               GROUP BY chat_key) h ON o.id = h.id ORDER BY o.id LIMIT ?""",
            (limit,),
        )
        due = []
        for r in rows:
            params, damage = read_params(r[0], r[3])
            if damage is not None:
                self.bury(r[0], damage)
            elif r[5] <= now:
                due.append(Row(r[0], r[1], r[2], params, r[4], r[5]))
        return due

    def next_wake(self) -> float | None:
        rows = self._rows("SELECT MIN(next_attempt) FROM {table} WHERE status = 'pending'")
        return float(rows[0][0]) if rows and rows[0][0] is not None else None

    def delivered(self, row_id: int, message_id: int | None) -> None:
        """Record that Telegram accepted the message (repeating it changes nothing more)."""
        self._run(
            "UPDATE {table} SET status = 'delivered', delivered = ?, message_id = ?,"
            " attempts = attempts + 1 WHERE id = ? AND status <> 'delivered'",
            (time.time(), message_id, row_id),
        )

    def postpone(self, row_id: int, until: float, error: str) -> None:
        self._run(
            "UPDATE {table} SET attempts = attempts + 1, next_attempt = ?, last_error = ?"
            " WHERE id = ? AND status = 'pending'",
            (until, error, row_id),
        )

    def bury(self, row_id: int, error: str) -> None:
        self._run(
            "UPDATE {table} SET status = 'dead', attempts = attempts + 1, last_error = ?"
            " WHERE id = ? AND status = 'pending'",
            (error, row_id),
        )

    def move_chat(self, old: str, new: str) -> None:
        """A group became a supergroup: its queued messages follow it."""
        queued = "SELECT id, params FROM {table} WHERE status = 'pending' AND chat_key = ?"
        with self._transaction() as db:
            for row_id, params in db.execute(self._sql(queued), (old,)).fetchall():
                data, damage = read_params(row_id, params)
                if damage is not None:
                    continue  # due() sets it aside, naming it
                data["chat_id"] = int(new)
                db.execute(
                    self._sql("UPDATE {table} SET chat_key = ?, params = ? WHERE id = ?"),
                    (new, json.dumps(data, ensure_ascii=False), row_id),
                )

    # -- for people (telewire outbox) -------------------------------------------------

    def counts(self) -> dict[str, int]:
        rows = self._rows("SELECT status, COUNT(*) FROM {table} GROUP BY status")
        return {status: int(count) for status, count in rows}

    def listing(self, status: str, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._rows(
            "SELECT id, chat_key, method, params, attempts, last_error, created FROM {table}"
            " WHERE status = ? ORDER BY id LIMIT ?",
            (status, limit),
        )
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
        statement = "UPDATE {table} SET status = 'pending', next_attempt = 0 WHERE " + where  # noqa: S608
        return self._run(statement, args)

    def purge(self, status: str, older_than: float = 0.0) -> int:
        if status not in ("delivered", "dead"):
            raise ValueError("only delivered or dead messages can be purged")
        return self._run(
            "DELETE FROM {table} WHERE status = ? AND created <= ?",
            (status, time.time() - older_than),
        )

    def pending(self) -> int:
        return int(self._rows("SELECT COUNT(*) FROM {table} WHERE status = 'pending'")[0][0])


def _insertable(method: str, params: dict[str, Any]) -> tuple[str, str, str]:
    chat = params.get("chat_id")
    if chat is None:
        raise ValueError(f"{method} needs a chat_id to go through the outbox")
    return str(chat), method, json.dumps(params, ensure_ascii=False)
