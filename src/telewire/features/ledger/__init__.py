"""A tamper-evident audit ledger whose anchors the owner holds.

    ledger = Ledger("audit.db", outbox=outbox)      # every entry is mirrored to the owner
    ledger.record("sale", actor="cashier:ann", data={"bill": 17, "total": "12.50"})
    ledger.seal("bill:17", bill_row, kind="bill.issue", actor="cashier:ann")
    ledger.check_seal("bill:17", bill_row_now).ok
    verify_file("audit.db", [Anchor(12, "9f86d0…")]).summary()

The chain alone shows edits, deletions and reordering, but an insider who can write the
file can recompute every later hash. The mirrored messages (sequence number and full
hash, in the owner's chat) are anchors the insider cannot rewrite; checking against them
is what catches a full rewrite or a removed tail. Without anchors a check can only say
"consistent with itself".
"""

from telewire.features.ledger.anchors import (
    Anchor,
    AnchorError,
    ExportAnchors,
    anchor_line,
    anchor_of_message,
    anchors_from_export,
    anchors_in_text,
    parse_anchor,
)
from telewire.features.ledger.book import Ledger, Notifier
from telewire.features.ledger.chain import GENESIS, Entry, LedgerError, Problem, entry_hash
from telewire.features.ledger.digest import Digest, digest_of, post_digest, post_digest_async
from telewire.features.ledger.reading import Verdict, read_only, verify_file
from telewire.features.ledger.sealing import Seal, SealCheck, SealError, SealStatus, record_digest

__all__ = [
    "GENESIS",
    "Anchor",
    "AnchorError",
    "Digest",
    "Entry",
    "ExportAnchors",
    "Ledger",
    "LedgerError",
    "Notifier",
    "Problem",
    "Seal",
    "SealCheck",
    "SealError",
    "SealStatus",
    "Verdict",
    "anchor_line",
    "anchor_of_message",
    "anchors_from_export",
    "anchors_in_text",
    "digest_of",
    "entry_hash",
    "parse_anchor",
    "post_digest",
    "post_digest_async",
    "read_only",
    "record_digest",
    "verify_file",
]
