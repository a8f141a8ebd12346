"""The ledger in a SQLite file: the default, for one machine's processes.

Append-only is kept by triggers in the file; whoever can write the file can drop them, so a
writer that finds them gone restores them and records that it did (the chain and the
owner's anchors still tell whether anything was changed meanwhile).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from telewire.features.ledger.anchors import Anchor
from telewire.features.ledger.chain import (
    KEY_INDEX,
    TABLE,
    TRIGGERS,
    Entry,
    chained,
    columns,
    has_table,
    missing_triggers,
    read_entries,
    row_of,
)
from telewire.features.ledger.reading import Verdict, verify_file
from telewire.storage import connect, transaction


class FileLedgerStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self.db = connect(self.path, durable=True)
        self._writing = threading.Lock()  # one connection, shared by a bot's threads
        self.restored = self._prepare()
        self.unguarded = False  # whoever may write the file may restore its triggers

    def _prepare(self) -> bool:
        """Create the table, or bring an older one up to date; True if triggers were gone."""
        with self._writing, transaction(self.db) as db:
            existed = has_table(db)
            db.execute(TABLE)
            if "key" not in columns(db):
                db.execute("ALTER TABLE ledger ADD COLUMN key TEXT")
            db.execute(KEY_INDEX)
            gone = missing_triggers(db)
            for name in gone:
                db.execute(f"DROP TRIGGER IF EXISTS {name}")
                db.execute(TRIGGERS[name])
        return existed and bool(gone)

    def append(
        self, kind: str, actor: str, payload: str, key: str | None, *, first: bool = False
    ) -> tuple[Entry, bool]:
        """Chain one entry after the last (times only move forward); with ``first``, only
        if no entry has ``key`` yet, else return that one. True if it was appended."""
        with self._writing, transaction(self.db) as db:
            if first and key is not None:
                found = read_entries(db, "WHERE key = ?", (key,), limit=1)
                if found:
                    return found[0], False
            last = db.execute("SELECT seq, hash, time FROM ledger ORDER BY seq DESC LIMIT 1")
            entry = chained(last.fetchone(), time.time(), kind, actor, payload, key)
            db.execute(
                "INSERT INTO ledger (seq, time, kind, actor, data, prev_hash, hash, key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                row_of(entry, payload),
            )
        return entry, True

    def entries(self, after: int, limit: int) -> list[Entry]:
        return read_entries(self.db, "WHERE seq > ?", (after,), limit=limit)

    def find(self, key: str) -> list[Entry]:
        return read_entries(self.db, "WHERE key = ?", (key,))

    def keys(self, prefix: str) -> list[str]:
        rows = self.db.execute(
            "SELECT DISTINCT key FROM ledger WHERE key IS NOT NULL AND substr(key, 1, ?) = ?"
            " ORDER BY key",
            (len(prefix), prefix),
        )
        return [str(r[0]) for r in rows]

    def head(self) -> Anchor | None:
        row = self.db.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
        return Anchor(int(row[0]), str(row[1])) if row else None

    def verify(self, anchors: list[Anchor]) -> Verdict:
        return verify_file(self.path, anchors)

    def close(self) -> None:
        self.db.close()
