"""Tamper evidence: the bills in the file, checked against their seals in the ledger.

Each issued (or approved-edited) bill is sealed under ``bill:<id>``: its canonical
content hashed into a ledger entry. A bill changed or deleted behind the program's back,
or one added without an entry, no longer matches its seal, and the ledger's own chain
(with the owner's anchors) catches edits to the ledger.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.ledger import Anchor, Ledger

from telewire.apps.store.money import format_amount
from telewire.features.ledger import record_digest

SEALED_FIELDS = (
    *("id", "created", "cashier", "customer_id"),
    *("subtotal", "discount", "tax", "total", "payment"),
)


def bill_key(bill_id: int) -> str:
    return f"bill:{bill_id}"


class Integrity:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger

    def bill(self, bill_id: int) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def sealed_record(bill: dict[str, Any]) -> dict[str, Any]:
        """What a bill said when issued (refunds are recorded separately)."""
        return {**{k: bill[k] for k in SEALED_FIELDS}, "lines": bill["lines"]}

    @classmethod
    def digest(cls, bill: dict[str, Any]) -> str:
        return record_digest(cls.sealed_record(bill))

    def verify(self, anchors: list[Anchor] | None = None) -> list[str]:
        """Problems found by the ledger (chain, triggers, anchors) and by the bills' seals."""
        problems = [str(p) for p in self.ledger.verify(anchors).problems]
        sealed = {int(key.split(":", 1)[1]) for key in self.ledger.keys(prefix="bill:")}
        in_file = {int(r["id"]) for r in self.db.execute("SELECT id FROM bills")}
        for bill_id in sorted(sealed | in_file):
            current = self.sealed_record(self.bill(bill_id)) if bill_id in in_file else None
            check = self.ledger.check_seal(bill_key(bill_id), current)
            if check.status == "missing":
                problems.append(f"bill #{bill_id} was deleted without approval")
            elif check.status == "changed":
                problems.append(
                    f"bill #{bill_id} was changed after it was issued "
                    f"(total now {format_amount(self.bill(bill_id)['total'])})"
                )
            elif check.status == "unsealed":
                problems.append(
                    f"bill #{bill_id} is not in the ledger (added behind the program's back)"
                )
        return problems + self._order_problems() + self.invoice_problems()

    def invoice_problems(self) -> list[str]:
        raise NotImplementedError

    def order(self, order_id: int) -> dict[str, Any]:
        raise NotImplementedError

    def _order_problems(self) -> list[str]:
        from telewire.apps.store.orders import Orders, order_key

        problems = []
        sealed = {int(key.split(":", 1)[1]) for key in self.ledger.keys(prefix="order:")}
        in_file = {int(r["id"]) for r in self.db.execute("SELECT id FROM orders")}
        for order_id in sorted(sealed | in_file):
            current = Orders.sealed_order(self.order(order_id)) if order_id in in_file else None
            check = self.ledger.check_seal(order_key(order_id), current)
            if check.status == "missing":
                problems.append(f"order #{order_id} was deleted behind the program's back")
            elif check.status == "changed":
                problems.append(
                    f"order #{order_id} was changed after it was placed "
                    f"(total now {format_amount(self.order(order_id)['total'])})"
                )
            elif check.status == "unsealed":
                problems.append(
                    f"order #{order_id} is not in the ledger (added behind the program's back)"
                )
        return problems
