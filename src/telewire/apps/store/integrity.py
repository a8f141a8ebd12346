"""Tamper evidence: the bills in the file, checked against what the ledger recorded.

Each issued (or approved-edited) bill's fingerprint goes into the hash-chained ledger.
A bill changed or deleted behind the program's back, or one added without an entry,
no longer matches, and the ledger's own chain catches edits to the ledger.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.ledger import Ledger

from telewire.apps.store.money import format_amount


class Integrity:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger

    def bill(self, bill_id: int) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def digest(bill: dict[str, Any]) -> str:
        """A fingerprint of what a bill said when issued (refunds are recorded separately)."""
        fixed = {
            k: bill[k]
            for k in (
                "id",
                "created",
                "cashier",
                "customer_id",
                "subtotal",
                "discount",
                "tax",
                "total",
                "payment",
            )
        }
        canonical = json.dumps([fixed, bill["lines"]], sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def verify(self) -> list[str]:
        """Problems found by the ledger's chain and by comparing bills with it."""
        problems = [str(p) for p in self.ledger.verify()]
        issued: dict[int, str] = {}
        deleted: set[int] = set()
        for entry in self.ledger.entries(limit=10**9):
            if entry.kind in ("bill.issue", "bill.edit"):
                issued[int(str(entry.data["bill"]))] = str(entry.data["digest"])
            elif entry.kind == "bill.delete":
                deleted.add(int(str(entry.data["bill"])))
        in_file = {int(r["id"]) for r in self.db.execute("SELECT id FROM bills")}
        for bill_id, digest in sorted(issued.items()):
            if bill_id in deleted:
                continue
            if bill_id not in in_file:
                problems.append(f"bill #{bill_id} was deleted without approval")
            elif self.digest(self.bill(bill_id)) != digest:
                problems.append(
                    f"bill #{bill_id} was changed after it was issued "
                    f"(total now {format_amount(self.bill(bill_id)['total'])})"
                )
        for bill_id in sorted(in_file - set(issued)):
            problems.append(
                f"bill #{bill_id} is not in the ledger (added behind the program's back)"
            )
        return problems
