"""The writer: appends entries, mirrors each to the owner, seals business records."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from telewire.features.ledger.anchors import Anchor, anchor_line
from telewire.features.ledger.chain import TAMPER_KIND, Entry, Problem, canonical_data
from telewire.features.ledger.file_store import FileLedgerStore
from telewire.features.ledger.reading import Verdict
from telewire.features.ledger.sealing import Seal, SealCheck, check_key, judge, record_digest
from telewire.features.protocols import Notifier as Notifier  # what it needs of an outbox
from telewire.storage.postgres_blocking import is_postgres_url

if TYPE_CHECKING:
    from telewire.features.ledger.postgres_store import PostgresLedgerStore


class Ledger:
    """A tamper-evident audit ledger: append-only rows, each hash-chained to the last.

    ``target`` is a SQLite file (the default; shared by one machine's processes) or a
    ``postgresql://`` URL (one chain for workers on many machines; appends take turns).
    Every entry is mirrored to the owner's chat with its sequence number and full hash
    (an anchor the owner holds); :meth:`verify` checks the chain and any anchors.
    """

    def __init__(
        self,
        target: str | Path,
        *,
        outbox: Notifier | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        self.store: FileLedgerStore | PostgresLedgerStore
        if is_postgres_url(target):
            from telewire.features.ledger.postgres_store import PostgresLedgerStore

            self.store = PostgresLedgerStore(str(target))
        else:
            self.store = FileLedgerStore(target)
        self.source = target
        """What it was opened on: a path, or the URL as given (with any password)."""
        self.path = self.store.path
        """The SQLite file; None for a ledger in PostgreSQL."""
        self.outbox = outbox
        self.chat_id = chat_id
        if self.store.restored or self.store.unguarded:
            done = (
                "They are restored"
                if self.store.restored
                else "This bot's database role may not restore them: ask the table's owner to"
            )
            self.record(
                TAMPER_KIND,
                actor="telewire",
                data={
                    "found": "the append-only triggers were missing",
                    "restored": self.store.restored,
                },
                message="🚨 The audit ledger's append-only triggers had been removed "
                f"(someone edited it). {done}; run `telewire audit verify` with your anchors.",
            )

    def __repr__(self) -> str:
        return f"Ledger({self.store.where!r})"

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
        entry, _ = self.store.append(kind, actor, canonical_data(data or {}), key)
        self._mirror(entry, message)
        return entry

    def record_first(
        self,
        kind: str,
        *,
        actor: str,
        key: str,
        data: dict[str, Any] | None = None,
        message: str | None = None,
    ) -> tuple[Entry, bool]:
        """Append only if no entry has ``key`` yet; else return the one that has (and False).

        For facts that happen once, decided by whoever writes them first (an approval's
        decision taken on two machines at once): the ledger's append order is the arbiter.
        """
        entry, made = self.store.append(
            kind, actor, canonical_data(data or {}), check_key(key), first=True
        )
        if made:
            self._mirror(entry, message)
        return entry, made

    def _mirror(self, entry: Entry, message: str | None) -> None:
        if self.outbox is not None:
            text = message.replace("{hash}", entry.hash) if message else self.describe(entry)
            line = anchor_line(entry.seq, entry.hash)
            self.outbox.notify(f"{text}\n{line}", chat_id=self.chat_id)

    @staticmethod
    def describe(entry: Entry) -> str:
        details = ", ".join(f"{k}={v}" for k, v in entry.data.items())
        return f"🧾 #{entry.seq} {entry.kind} by {entry.actor}: {details}"

    # -- reading ---------------------------------------------------------------------

    def entries(self, *, after: int = 0, limit: int = 1000) -> list[Entry]:
        """Up to ``limit`` entries with a sequence number greater than ``after`` (exclusive)."""
        return self.store.entries(after, limit)

    def find(self, key: str) -> list[Entry]:
        """Every entry recorded under ``key`` (``bill:42``), oldest first."""
        return self.store.find(key)

    def keys(self, *, prefix: str = "") -> list[str]:
        """The distinct keys in use that start with ``prefix`` (``bill:``), sorted."""
        return self.store.keys(prefix)

    def head(self) -> Anchor | None:
        """The last entry's sequence number and hash (None while empty)."""
        return self.store.head()

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
        """Check read-only: the chain, the triggers, and each anchor given."""
        return self.store.verify(anchors or [])

    def problems(self, anchors: list[Anchor] | None = None) -> list[Problem]:
        return self.verify(anchors).problems

    def close(self) -> None:
        self.store.close()
