"""Customer orders: placed → packed → out for delivery → delivered, or cancelled.

Placing an order reserves its stock at once (taken from what the till can sell), so two
orders cannot promise the same last item; cancelling gives it back. Once an order is
packed, goods have left the shelf on the owner's word, so cancelling it needs the owner's
approval. Each change is a ledger entry mirrored to the owner, and the order's content
(not its status, which moves on purpose) is sealed under ``order:<id>`` like a bill.
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.approvals import Decision
    from telewire.features.ledger import Ledger

from telewire.apps.store.errors import StoreError
from telewire.apps.store.money import format_amount, tax_of
from telewire.storage import transaction

#: Each status and the one it moves on to; "cancelled" and "delivered" are final.
NEXT_STATUS = {"placed": "packed", "packed": "out for delivery", "out for delivery": "delivered"}
OPEN_STATUSES = tuple(NEXT_STATUS)
ORDER_PAYMENTS = ("cash", "card", "transfer", "account")
ORDER_SEALED_FIELDS = ("id", "created", "customer_id", "due", "subtotal", "tax", "total", "payment")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def order_key(order_id: int) -> str:
    return f"order:{order_id}"


class Orders:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger
    tax_rate: int

    def approve(self, action: str, question: str, actor: str, note: str | None = None) -> Decision:
        raise NotImplementedError

    def product(self, sku: str) -> Any:
        raise NotImplementedError

    def _take(self, db: sqlite3.Connection, product: Any, quantity: int) -> Any | None:
        raise NotImplementedError

    def _tell_low(self, crossed: list[Any | None], actor: str) -> None:
        raise NotImplementedError

    @staticmethod
    def sealed_order(order: dict[str, Any]) -> dict[str, Any]:
        return {**{k: order[k] for k in ORDER_SEALED_FIELDS}, "lines": order["lines"]}

    def place_order(
        self,
        lines: list[tuple[str, int]],
        *,
        customer_id: int,
        due: str,
        actor: str,
        payment: str = "cash",
    ) -> int:
        """Record an order and reserve its stock; nothing changes if any line is refused."""
        if not lines:
            raise StoreError("an order needs at least one line")
        if not _DAY.match(due):
            raise StoreError(f"due date {due!r} is not a day: write it like 2026-12-24")
        if payment not in ORDER_PAYMENTS:
            raise StoreError("payment must be " + ", ".join(ORDER_PAYMENTS))
        with transaction(self.db) as db:
            if (
                db.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone()
                is None
            ):
                raise StoreError(f"unknown customer {customer_id}")
            priced, crossed = [], []
            for sku, quantity in lines:
                if quantity <= 0:
                    raise StoreError(f"quantity of {sku} must be positive, not {quantity}")
                product = self.product(sku)
                if product["stock"] < quantity:
                    raise StoreError(f"only {product['stock']} of {sku} in stock, not {quantity}")
                crossed.append(self._take(db, product, quantity))
                priced.append((sku, product["name"], product["price"], quantity))
            subtotal = sum(price * quantity for _, _, price, quantity in priced)
            tax = tax_of(subtotal, self.tax_rate)
            cursor = db.execute(
                "INSERT INTO orders (created, customer_id, due, subtotal, tax, total, payment)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (time.time(), customer_id, due, subtotal, tax, subtotal + tax, payment),
            )
            order_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO order_lines VALUES (?, ?, ?, ?, ?)",
                [(order_id, *line) for line in priced],
            )
        order = self.order(order_id)
        items = "\n".join(f"  {line['quantity']} × {line['name']}" for line in order["lines"])
        self.ledger.seal(
            order_key(order_id),
            self.sealed_order(order),
            kind="order.place",
            actor=actor,
            message=(
                f"📦 Order #{order_id} placed for {order['customer']}, due {due}: "
                f"total {format_amount(order['total'])} ({payment})\n{items}"
            ),
            data={"order": order_id, "total": format_amount(order["total"]), "due": due},
        )
        self._tell_low(crossed, actor=actor)
        return order_id

    def order(self, order_id: int) -> dict[str, Any]:
        row = self.db.execute(
            "SELECT orders.*, customers.name AS customer FROM orders"
            " JOIN customers ON customers.id = orders.customer_id WHERE orders.id = ?",
            (order_id,),
        ).fetchone()
        if row is None:
            raise StoreError(f"no order #{order_id}")
        lines = [
            dict(r)
            for r in self.db.execute(
                "SELECT sku, name, unit_price, quantity FROM order_lines WHERE order_id = ?"
                " ORDER BY rowid",
                (order_id,),
            )
        ]
        return {**dict(row), "lines": lines}

    def open_orders(self, actor: str) -> list[dict[str, Any]]:
        """Orders not yet delivered or cancelled, soonest due first (a recorded look)."""
        ids = [
            int(r[0])
            for r in self.db.execute(
                "SELECT id FROM orders WHERE status IN (?, ?, ?) ORDER BY due, id", OPEN_STATUSES
            )
        ]
        self.ledger.record("access.orders", actor=actor, data={"open": len(ids)})
        return [self.order(i) for i in ids]

    def advance_order(self, order_id: int, actor: str) -> str:
        """Move an order to its next status; returns the new status."""
        with transaction(self.db) as db:
            status = self.order(order_id)["status"]
            if status not in NEXT_STATUS:
                raise StoreError(f"order #{order_id} is {status}; it cannot move on")
            new = NEXT_STATUS[status]
            db.execute("UPDATE orders SET status = ? WHERE id = ?", (new, order_id))
        self.ledger.record(
            "order.status",
            actor=actor,
            message=f"📦 Order #{order_id}: {status} → {new} ({actor})",
            data={"order": order_id, "from": status, "to": new},
        )
        return new

    def cancel_order(self, order_id: int, reason: str, actor: str) -> None:
        """Cancel and give the stock back; once packed, only with the owner's approval."""
        order = self.order(order_id)
        status = order["status"]
        if status not in OPEN_STATUSES:
            raise StoreError(f"order #{order_id} is {status}; it cannot be cancelled")
        if status != "placed":
            self.approve(
                "order cancellation",
                f"Cancel order #{order_id} ({status}, total {format_amount(order['total'])}, "
                f"for {order['customer']})?",
                actor,
                note=f"Reason: {reason}",
            )
        with transaction(self.db) as db:  # checked again: it may have moved on meanwhile
            if self.order(order_id)["status"] != status:
                raise StoreError(f"order #{order_id} changed meanwhile; nothing was cancelled")
            for line in order["lines"]:
                db.execute(
                    "UPDATE products SET stock = stock + ? WHERE sku = ?",
                    (line["quantity"], line["sku"]),
                )
            db.execute("UPDATE orders SET status = 'cancelled' WHERE id = ?", (order_id,))
        self.ledger.record(
            "order.cancel",
            actor=actor,
            message=f"📦 Order #{order_id} cancelled ({status} before; {actor}): {reason}",
            data={"order": order_id, "from": status, "reason": reason},
        )
