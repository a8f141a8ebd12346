"""The chain itself: the table, how an entry is hashed, and the walk that checks it.

Pure functions over rows and a connection someone else opened; nothing here writes.
Each entry's hash covers its sequence number, time, kind, actor, data, key and the
previous entry's hash, so editing, deleting or reordering rows breaks the chain at that
point. What the chain cannot see on its own (a rewrite that recomputes every later hash,
or a removed tail) the anchors in :mod:`telewire.features.ledger.anchors` catch.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

GENESIS = "0" * 64
COLUMNS = ("seq", "time", "kind", "actor", "data", "prev_hash", "hash", "key")
TABLE = """
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    key TEXT
)"""
KEY_INDEX = "CREATE INDEX IF NOT EXISTS ledger_by_key ON ledger (key) WHERE key IS NOT NULL"
TRIGGERS = {
    "ledger_no_update": "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END",
    "ledger_no_delete": "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger\n"
    "BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END",
}
TAMPER_KIND = "ledger.tamper"
"""The kind of entry a writer records when it finds the append-only triggers gone."""


class LedgerError(ValueError):
    """A file that is not a usable audit ledger (missing, not SQLite, no ledger table)."""


class Entry(NamedTuple):
    seq: int
    time: float
    kind: str
    actor: str
    data: dict[str, object]
    prev_hash: str
    hash: str
    key: str | None = None
    """What the entry is about (``bill:42``), for :meth:`Ledger.find`; None for most."""

    @property
    def short(self) -> str:
        """The first 12 hex digits: for people to tell entries apart, never as an anchor."""
        return self.hash[:12]


class Problem(NamedTuple):
    seq: int
    """The entry where it shows; 0 for the ledger as a whole (a missing trigger)."""
    reason: str

    def __str__(self) -> str:
        return (
            f"entry {self.seq}: {self.reason}"
            if self.seq
            else f"the ledger as a whole: {self.reason}"
        )


def entry_hash(
    seq: int, when: float, kind: str, actor: str, data: str, prev_hash: str, key: str | None = None
) -> str:
    """SHA-256 over the entry's fields; ``key`` is hashed only when set (older entries lack it)."""
    fields: list[Any] = [seq, repr(when), kind, actor, data, prev_hash]
    if key is not None:
        fields.append(key)
    canonical = json.dumps(fields, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def chained(
    last: Sequence[Any] | None, now: float, kind: str, actor: str, payload: str, key: str | None
) -> Entry:
    """The entry that follows ``last`` (its seq, hash, time; None for the first one).

    Times only move forward: if the clock went back, the entry takes the last one's time.
    """
    seq, prev, last_time = (int(last[0]) + 1, str(last[1]), last[2]) if last else (1, GENESIS, 0)
    when = max(now, float(last_time))
    digest = entry_hash(seq, when, kind, actor, payload, prev, key)
    return Entry(seq, when, kind, actor, json.loads(payload), prev, digest, key)


def row_of(entry: Entry, payload: str) -> tuple[Any, ...]:
    """The values of :data:`COLUMNS` to store for ``entry`` (``payload``: its data as hashed)."""
    return (entry.seq, entry.time, entry.kind, entry.actor, payload, entry.prev_hash,
            entry.hash, entry.key)  # fmt: skip


def canonical_data(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def has_table(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'")
    return row.fetchone() is not None


def columns(db: sqlite3.Connection) -> list[str]:
    return [str(r[1]) for r in db.execute("PRAGMA table_info(ledger)")]


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip().lower()


def missing_triggers(db: sqlite3.Connection) -> list[str]:
    """The append-only triggers that are gone, or no longer say what they should."""
    found = {
        str(name): _normal(str(sql or ""))
        for name, sql in db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'ledger'"
        )
    }
    return [name for name, sql in TRIGGERS.items() if found.get(name) != _normal(sql)]


def read_entries(
    db: sqlite3.Connection, where: str = "", params: tuple[Any, ...] = (), limit: int = -1
) -> list[Entry]:
    """Entries in sequence order; ``where`` is our own SQL, values go in ``params``."""
    key = "key" if "key" in columns(db) else "NULL"
    rows = db.execute(
        f"SELECT seq, time, kind, actor, data, prev_hash, hash, {key} FROM ledger"  # noqa: S608
        f" {where} ORDER BY seq LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [Entry(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7]) for r in rows]


def check_chain(db: sqlite3.Connection) -> tuple[list[Problem], list[tuple[int, str]]]:
    """Walk every row in file order; return the problems and each entry's (seq, hash)."""
    key = "key" if "key" in columns(db) else "NULL"
    rows = db.execute(
        f"SELECT seq, time, kind, actor, data, prev_hash, hash, {key} FROM ledger"  # noqa: S608
        " ORDER BY rowid"
    ).fetchall()
    problems, chain = walk(rows)
    for name in missing_triggers(db):
        problems.append(
            Problem(0, f"the trigger {name} that keeps the ledger append-only is missing")
        )
    return problems, chain


def walk(rows: Iterable[Sequence[Any]]) -> tuple[list[Problem], list[tuple[int, str]]]:
    """Check rows (the :data:`COLUMNS`, in stored order) link up; wherever they are stored."""
    problems: list[Problem] = []
    expected_seq, prev, prev_time = 1, GENESIS, -math.inf
    chain: list[tuple[int, str]] = []
    for seq, when, kind, actor, data, prev_hash, digest, entry_key in rows:
        if seq != expected_seq:
            what = "deleted" if seq > expected_seq else "reordered"
            problems.append(
                Problem(seq, f"expected entry {expected_seq} here: entries were {what}")
            )
        if prev_hash != prev:
            problems.append(
                Problem(seq, "does not follow the entry before it (deleted or reordered)")
            )
        if not isinstance(when, float | int) or not math.isfinite(when):
            problems.append(Problem(seq, f"its time {when!r} is not a time"))
        elif when < prev_time:
            problems.append(Problem(seq, "its time is earlier than the entry before it"))
        else:
            prev_time = when
        if entry_hash(seq, when, kind, actor, data, prev_hash, entry_key) != digest:
            problems.append(Problem(seq, "its contents were modified after it was written"))
        if kind == TAMPER_KIND:
            problems.append(Problem(seq, "records that the append-only triggers had been removed"))
        expected_seq, prev = seq + 1, digest
        chain.append((seq, str(digest)))
    return problems, chain
