"""The writer: appends entries, mirrors each to the owner, seals business records."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from telewire.features.ledger.anchors import Anchor, anchor_line
from telewire.features.ledger.chain import (
    GENESIS,
    KEY_INDEX,
    TABLE,
    TAMPER_KIND,
    TRIGGERS,
    Entry,
    Problem,
    canonical_data,
    columns,
    entry_hash,
    has_table,
    missing_triggers,
    read_entries,
)
from telewire.features.ledger.reading import Verdict, verify_file
from telewire.features.ledger.sealing import Seal, SealCheck, check_key, judge, record_digest
from telewire.features.protocols import Notifier as Notifier  # what it needs of an outbox
from telewire.storage import connect, transaction


class Ledger:
    """A tamper-evident audit ledger: append-only SQLite rows, each hash-chained to the last.

    Every entry is mirrored to the owner's chat with its sequence number and full hash
    (an anchor the owner holds); :meth:`verify` checks the chain and any anchors.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        outbox: Notifier | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        self.path = Path(path)
        self.db = connect(self.path, durable=True)
        self._writing = threading.Lock()  # one connection, shared by a bot's threads
        self.outbox = outbox
        self.chat_id = chat_id
        if self._prepare():
            self.record(
                TAMPER_KIND,
                actor="telewire",
                data={"found": "the append-only triggers were missing", "restored": True},
                message="🚨 The audit ledger's append-only triggers had been removed "
                "(someone edited the file). They are restored; run `telewire audit verify` "
                "with your anchors.",
            )

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

    def record(
        self,
        kind: str,
        *,
        actor: str,
        data: dict[str, Any] | None = None,
        message: str | None = None,
        key: str | None = None,
    ) -> Entry:
        """Append an entry and queue its mirror message, which ends with the entry's anchor.

        ``{hash}`` in ``message`` is replaced by the full hash. Times only move forward:
        if the clock went back, the entry takes the previous entry's time.
        """
        payload = canonical_data(data or {})
        with self._writing, transaction(self.db) as db:
            row = db.execute(
                "SELECT seq, hash, time FROM ledger ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            seq, prev, last_time = (row[0] + 1, row[1], row[2]) if row else (1, GENESIS, 0.0)
            when = max(time.time(), float(last_time))
            digest = entry_hash(seq, when, kind, actor, payload, prev, key)
            db.execute(
                "INSERT INTO ledger (seq, time, kind, actor, data, prev_hash, hash, key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, when, kind, actor, payload, prev, digest, key),
            )
        entry = Entry(seq, when, kind, actor, json.loads(payload), prev, digest, key)
        if self.outbox is not None:
            text = message.replace("{hash}", entry.hash) if message else self.describe(entry)
            self.outbox.notify(f"{text}\n{anchor_line(seq, digest)}", chat_id=self.chat_id)
        return entry

    @staticmethod
    def describe(entry: Entry) -> str:
        details = ", ".join(f"{k}={v}" for k, v in entry.data.items())
        return f"🧾 #{entry.seq} {entry.kind} by {entry.actor}: {details}"

    # -- reading ---------------------------------------------------------------------

    def entries(self, *, after: int = 0, limit: int = 1000) -> list[Entry]:
        """Up to ``limit`` entries with a sequence number greater than ``after`` (exclusive)."""
        return read_entries(self.db, "WHERE seq > ?", (after,), limit=limit)

    def find(self, key: str) -> list[Entry]:
        """Every entry recorded under ``key`` (``bill:42``), oldest first."""
        return read_entries(self.db, "WHERE key = ?", (key,))

    def keys(self, *, prefix: str = "") -> list[str]:
        """The distinct keys in use that start with ``prefix`` (``bill:``), sorted."""
        rows = self.db.execute(
            "SELECT DISTINCT key FROM ledger WHERE key IS NOT NULL AND substr(key, 1, ?) = ?"
            " ORDER BY key",
            (len(prefix), prefix),
        )
        return [str(r[0]) for r in rows]

    def head(self) -> Anchor | None:
        """The last entry's sequence number and hash (None while empty)."""
        row = self.db.execute("SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1").fetchone()
        return Anchor(int(row[0]), str(row[1])) if row else None

    # -- sealing business records ------------------------------------------------------

    def seal(
        self,
        key: str,
        record: Any,
        *,
        kind: str,
        actor: str,
        data: dict[str, Any] | None = None,
        message: str | None = None,
    ) -> Seal:
        """Record ``record``'s canonical hash under ``key``; later :meth:`check_seal` it."""
        digest = record_digest(record)
        entry = self.record(
            kind,
            actor=actor,
            data={**(data or {}), "seal": digest},
            message=message,
            key=check_key(key),
        )
        return Seal(key, digest, entry)

    def retire(
        self, key: str, *, kind: str, actor: str, data: dict[str, Any] | None = None
    ) -> Seal:
        """Record that the record under ``key`` was removed on purpose."""
        entry = self.record(
            kind, actor=actor, data={**(data or {}), "seal": None}, key=check_key(key)
        )
        return Seal(key, None, entry)

    def check_seal(self, key: str, record: Any) -> SealCheck:
        """Compare ``record`` as it is now (None if it is gone) with its latest seal."""
        seals = [e for e in self.find(check_key(key)) if "seal" in e.data]
        return judge(key, seals[-1] if seals else None, record)

    # -- checking ----------------------------------------------------------------------

    def verify(self, anchors: list[Anchor] | None = None) -> Verdict:
        """Check the file read-only: the chain, the triggers, and each anchor given."""
        return verify_file(self.path, anchors or [])

    def problems(self, anchors: list[Anchor] | None = None) -> list[Problem]:
        return self.verify(anchors).problems

    def close(self) -> None:
        self.db.close()
