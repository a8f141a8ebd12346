"""Stock levels and each product's low-stock threshold, and the owner's alert when a sale
or an order takes a product to its threshold or below.

The alert fires on the crossing (stock above the threshold before, at or below after), so
the owner hears once per dip, not on every later sale; ``/stock`` lists everything at or
below its threshold whenever asked.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.ledger import Ledger

from telewire.apps.store.errors import StoreError
from telewire.storage import transaction

MAX_THRESHOLD = 1_000_000


class Stock:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger

    def product(self, sku: str) -> Any:
        raise NotImplementedError

    def low_stock(self) -> list[Any]:
        """Products at or below their own threshold, the emptiest first."""
        return list(
            self.db.execute("SELECT * FROM products WHERE stock <= low_stock ORDER BY stock")
        )

    def set_threshold(self, sku: str, threshold: int, actor: str) -> None:
        """Alert the owner when ``sku`` is down to ``threshold`` (0: only when sold out)."""
        if not 0 <= threshold <= MAX_THRESHOLD:
            raise StoreError(f"a threshold is a whole number from 0 to {MAX_THRESHOLD}")
        with transaction(self.db) as db:
            old = self.product(sku)["low_stock"]
            db.execute("UPDATE products SET low_stock = ? WHERE sku = ?", (threshold, sku))
        self.ledger.record(
            "product.threshold",
            actor=actor,
            message=f"🔔 {sku}: the owner hears when it is down to {threshold} ({actor})",
            data={"sku": sku, "old": old, "new": threshold},
        )

    def _take(self, db: sqlite3.Connection, product: Any, quantity: int) -> Any | None:
        """Take ``quantity`` of ``product`` (a row read in this transaction); the product,
        as it is now, if this took it across its threshold."""
        db.execute(
            "UPDATE products SET stock = stock - ? WHERE sku = ?", (quantity, product["sku"])
        )
        after = product["stock"] - quantity
        return product if product["stock"] > product["low_stock"] >= after else None

    def _tell_low(self, crossed: list[Any | None], actor: str) -> None:
        """After the transaction: one ledger entry (mirrored to the owner) per crossing."""
        for product in crossed:
            if product is None:
                continue
            now = self.product(product["sku"])
            self.ledger.record(
                "stock.low",
                actor=actor,
                message=(
                    f"⚠️ Low stock: {now['name']} ({now['sku']}) is down to {now['stock']} "
                    f"(you asked to hear at {now['low_stock']})"
                ),
                data={"sku": now["sku"], "stock": now["stock"], "threshold": now["low_stock"]},
            )
