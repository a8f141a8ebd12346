"""A tamper-evident audit ledger: append-only SQLite rows, each hash-chained to the last.

    ledger = Ledger("audit.db", outbox=outbox)      # every entry is mirrored to the owner
    ledger.record("sale", actor="cashier:ann", data={"bill": 17, "total": "12.50"})
    problems = ledger.verify()                      # [] when intact

Each entry's hash covers its sequence number, time, kind, actor, data and the previous
entry's hash, so editing, deleting or reordering rows breaks the chain at that point.
Truncating the tail leaves no break in the file; the hashes mirrored to the owner's chat
(and ``verify(expect_head=...)``) catch that.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from telewire.storage import connect, transaction

if TYPE_CHECKING:
    from telewire.features.protocols import Notifier

GENESIS = "0" * 64
SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger (
    seq INTEGER PRIMARY KEY,
    time REAL NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only'); END;
"""


class Entry(NamedTuple):
    seq: int
    time: float
    kind: str
    actor: str
    data: Mapping[str, object]
    prev_hash: str
    hash: str

    @property
    def short(self) -> str:
        return self.hash[:12]


class Problem(NamedTuple):
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"entry {self.seq}: {self.reason}"


def entry_hash(seq: int, when: float, kind: str, actor: str, data: str, prev_hash: str) -> str:
    canonical = json.dumps([seq, repr(when), kind, actor, data, prev_hash], ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(data: Mapping[str, object]) -> str:
    return json.dumps(
        dict(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


class Ledger:
    def __init__(
        self, path: str | Path, *, outbox: Notifier | None = None, chat_id: int | str | None = None
    ) -> None:
        self.path = Path(path)
        self.db = connect(self.path, durable=True)
        self.db.executescript(SCHEMA)
        self.outbox = outbox
        self.chat_id = chat_id

    def record(
        self,
        kind: str,
        *,
        actor: str,
        data: Mapping[str, object] | None = None,
        message: str | None = None,
    ) -> Entry:
        """Append an entry and queue its mirror message (``{hash}`` in ``message`` is filled in)."""
        payload = _canonical(data or {})
        with transaction(self.db) as db:
            row = db.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
            when = time.time()
            digest = entry_hash(seq, when, kind, actor, payload, prev)
            db.execute(
                "INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, when, kind, actor, payload, prev, digest),
            )
        entry = Entry(seq, when, kind, actor, json.loads(payload), prev, digest)
        if self.outbox is not None:
            text = message.replace("{hash}", entry.short) if message else self.describe(entry)
            self.outbox.notify(text, chat_id=self.chat_id)
        return entry

    @staticmethod
    def describe(entry: Entry) -> str:
        details = ", ".join(f"{k}={v}" for k, v in entry.data.items())
        return f"🧾 #{entry.seq} {entry.kind} by {entry.actor}: {details}\nhash {entry.short}"

    def entries(self, *, since: int = 0, limit: int = 1000) -> list[Entry]:
        rows = self.db.execute(
            "SELECT seq, time, kind, actor, data, prev_hash, hash FROM ledger"
            " WHERE seq > ? ORDER BY seq LIMIT ?",
            (since, limit),
        ).fetchall()
        return [Entry(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5], r[6]) for r in rows]

    def head(self) -> str:
        row = self.db.execute("SELECT hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
        return str(row[0]) if row else GENESIS

    def verify(self, *, expect_head: str | None = None) -> list[Problem]:
        """Walk the chain; return the problems found, the first broken link first."""
        problems: list[Problem] = []
        expected_seq, prev = 1, GENESIS
        rows = self.db.execute(
            "SELECT seq, time, kind, actor, data, prev_hash, hash FROM ledger ORDER BY rowid"
        ).fetchall()
        for seq, when, kind, actor, data, prev_hash, digest in rows:
            if seq != expected_seq:
                problems.append(
                    Problem(
                        seq,
                        f"expected entry {expected_seq} here: entries were "
                        f"{'deleted' if seq > expected_seq else 'reordered'}",
                    )
                )
            if prev_hash != prev:
                problems.append(
                    Problem(seq, "does not follow the entry before it (deleted or reordered)")
                )
            if entry_hash(seq, when, kind, actor, data, prev_hash) != digest:
                problems.append(Problem(seq, "its contents were modified after it was written"))
            expected_seq, prev = seq + 1, digest
        if expect_head is not None and not prev.startswith(expect_head):
            problems.append(
                Problem(
                    expected_seq - 1,
                    f"the last entry's hash is {prev[:12]}, "
                    f"not {expect_head[:12]}: entries were removed",
                )
            )
        return problems

    def close(self) -> None:
        self.db.close()
