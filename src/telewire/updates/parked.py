"""Updates that could not be handled, kept aside so they stall nothing and are not lost.

An update whose handler keeps failing (a bug, or a call that may already have taken
effect and must not be repeated blindly) would otherwise hold its chat's queue and the
confirmed offset back forever. The dispatcher *parks* it here with its error instead, and
moves on. Parked updates are visible (``telewire parked list``) and replayable
(``telewire parked replay``): a replayed update is handed to the running bot again on its
next poll, or on its next start.

A replayed update runs after later updates of its chat did: parking gives up the chat's
order for that one update, to keep the chat moving.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol

import msgspec

if TYPE_CHECKING:
    from telewire.api._generated.types import Update

PARKED, REPLAY = "parked", "replay"


class ParkedUpdate(NamedTuple):
    update_id: int
    kind: str
    error: str
    attempts: int
    parked_at: float
    state: str
    body: bytes


class ParkedStore(Protocol):
    def park(self, update: Update, kind: str, error: str, attempts: int) -> None: ...
    def unpark(self, update_id: int) -> None: ...
    def listing(self) -> list[ParkedUpdate]: ...
    def take_replays(self) -> list[bytes]: ...
    def mark_replay(self, update_ids: list[int] | None = None) -> int: ...
    def close(self) -> None: ...


class MemoryParked:
    """Parked updates in this process only (gone on restart: each one is logged as ERROR)."""

    def __init__(self) -> None:
        self.rows: dict[int, ParkedUpdate] = {}

    def park(self, update: Update, kind: str, error: str, attempts: int) -> None:
        body = msgspec.json.encode(update)
        row = ParkedUpdate(update.update_id, kind, error, attempts, time.time(), PARKED, body)
        self.rows[update.update_id] = row

    def unpark(self, update_id: int) -> None:
        self.rows.pop(update_id, None)

    def listing(self) -> list[ParkedUpdate]:
        return sorted(self.rows.values())

    def take_replays(self) -> list[bytes]:
        due = [row for row in self.rows.values() if row.state == REPLAY]
        for row in due:
            self.rows[row.update_id] = row._replace(state=PARKED)
        return [row.body for row in sorted(due)]

    def mark_replay(self, update_ids: list[int] | None = None) -> int:
        chosen = [i for i in self.rows if update_ids is None or i in update_ids]
        for update_id in chosen:
            self.rows[update_id] = self.rows[update_id]._replace(state=REPLAY)
        return len(chosen)

    def close(self) -> None:
        pass


class SQLiteParked:
    """Parked updates in a SQLite table, one row per update; shareable with the offsets."""

    def __init__(self, path: str | Path, bot_id: int | None) -> None:
        """``bot_id=None`` sees every bot's rows (for ``telewire parked``); a bot parks its own."""
        from telewire.storage import connect

        self.path = Path(path)
        self._bot_id = bot_id
        self._db = connect(path, durable=True)
        self._seen_version: int | None = None  # data_version at the last take_replays
        self._marked_here = False
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS telewire_parked (bot_id INTEGER NOT NULL,"
            " update_id INTEGER NOT NULL, kind TEXT NOT NULL, error TEXT NOT NULL,"
            " attempts INTEGER NOT NULL, parked_at REAL NOT NULL, state TEXT NOT NULL,"
            " body BLOB NOT NULL, PRIMARY KEY (bot_id, update_id))"
        )

    def park(self, update: Update, kind: str, error: str, attempts: int) -> None:
        if self._bot_id is None:
            raise ValueError("parking needs the bot's id")
        self._db.execute(
            "INSERT OR REPLACE INTO telewire_parked VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self._bot_id,
                update.update_id,
                kind,
                error,
                attempts,
                time.time(),
                PARKED,
                msgspec.json.encode(update),
            ),
        )

    def unpark(self, update_id: int) -> None:
        self._db.execute(
            "DELETE FROM telewire_parked WHERE coalesce(?, bot_id) = bot_id AND update_id = ?",
            (self._bot_id, update_id),
        )

    def listing(self) -> list[ParkedUpdate]:
        rows = self._db.execute(
            "SELECT update_id, kind, error, attempts, parked_at, state, body"
            " FROM telewire_parked WHERE coalesce(?, bot_id) = bot_id ORDER BY update_id",
            (self._bot_id,),
        )
        return [ParkedUpdate(*row) for row in rows]

    def take_replays(self) -> list[bytes]:
        """Updates marked for replay, now marked parked again (the poller asks every poll).

        Marks come from another connection (``telewire parked replay``) or from
        :meth:`mark_replay` here, so while ``PRAGMA data_version`` (which changes when
        another connection commits) stands still and nothing was marked here, there is
        nothing to take: one cheap read instead of a write transaction on the event loop
        per getUpdates, which also could wait on another process's lock.
        """
        from telewire.storage import transaction

        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version == self._seen_version and not self._marked_here:
            return []
        self._seen_version, self._marked_here = version, False
        with transaction(self._db) as db:
            bodies = [
                bytes(row[0])
                for row in db.execute(
                    "SELECT body FROM telewire_parked"
                    " WHERE coalesce(?, bot_id) = bot_id AND state = ? ORDER BY update_id",
                    (self._bot_id, REPLAY),
                )
            ]
            db.execute(
                "UPDATE telewire_parked SET state = ?"
                " WHERE coalesce(?, bot_id) = bot_id AND state = ?",
                (PARKED, self._bot_id, REPLAY),
            )
        return bodies

    def mark_replay(self, update_ids: list[int] | None = None) -> int:
        self._marked_here = True
        if update_ids is None:
            cursor = self._db.execute(
                "UPDATE telewire_parked SET state = ? WHERE coalesce(?, bot_id) = bot_id",
                (REPLAY, self._bot_id),
            )
            return cursor.rowcount
        count = 0
        for update_id in update_ids:
            cursor = self._db.execute(
                "UPDATE telewire_parked SET state = ?"
                " WHERE coalesce(?, bot_id) = bot_id AND update_id = ?",
                (REPLAY, self._bot_id, update_id),
            )
            count += cursor.rowcount
        return count

    def close(self) -> None:
        self._db.close()


def parked_path(offsets: str | Path) -> Path:
    """Where parked updates live beside an offset store: the same SQLite file, or a sibling."""
    path = Path(offsets)
    if path.suffix in (".db", ".sqlite", ".sqlite3"):
        return path
    return path.with_name(path.name + ".parked.db")


def open_parked(where: str | Path | ParkedStore | None, bot_id: int | None) -> ParkedStore:
    if where is None:
        return MemoryParked()
    if isinstance(where, (str, Path)):
        try:
            return SQLiteParked(where, bot_id)
        except sqlite3.Error as exc:
            from telewire.storage import StorageError

            raise StorageError(f"cannot keep parked updates in {where}: {exc}") from None
    return where
