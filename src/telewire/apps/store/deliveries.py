"""Deliveries: the owner registers delivery people (approval), assigns them packed orders,
and they report each step with buttons in their own chat: picked up, delivered, failed
with a reason; a photo they send is kept as proof. Only the assigned person may act on a
delivery; anyone else is refused, and the attempt is recorded. The order follows: picked
up is out for delivery, delivered is delivered, failed puts it back to packed.
"""

from __future__ import annotations

import sqlite3
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.approvals import Decision
    from telewire.features.ledger import Ledger
    from telewire.features.outbox import Outbox

from telewire.apps.store.errors import StoreError
from telewire.storage import transaction
from telewire.types import InlineKeyboardButton, InlineKeyboardMarkup

PREFIX = "dlv:"
FAILURES = ("not at home", "wrong address", "refused")
#: A step and the delivery statuses it may follow; what it does to the order.
STEPS = {
    "picked up": (("assigned",), "out for delivery"),
    "delivered": (("picked up",), "delivered"),
    "failed": (("assigned", "picked up"), "packed"),
}


def delivery_buttons(delivery_id: int) -> InlineKeyboardMarkup:
    def button(text: str, step: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=text, callback_data=f"{PREFIX}{delivery_id}:{step}")

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button("📦 Picked up", "picked up"), button("✅ Delivered", "delivered")],
            [button(f"❌ Failed: {reason}", f"failed:{reason}") for reason in FAILURES],
        ]
    )


class Deliveries:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger
    outbox: Outbox
    owner_id: int

    def approve(self, action: str, question: str, actor: str, note: str | None = None) -> Decision:
        raise NotImplementedError

    def order(self, order_id: int) -> dict[str, Any]:
        raise NotImplementedError

    def register_courier(self, user_id: int, name: str, actor: str) -> None:
        """Make Telegram user ``user_id`` a delivery person, once the owner approves."""
        if not name.strip():
            raise StoreError("a delivery person needs a name")
        if self.courier_name(user_id) is not None:
            raise StoreError(f"user {user_id} is registered already")
        self.approve(
            "delivery person", f"Register {name} (Telegram user {user_id}) for deliveries?", actor
        )
        with transaction(self.db) as db:
            db.execute(
                "INSERT OR IGNORE INTO couriers (user_id, name, registered) VALUES (?, ?, ?)",
                (user_id, name, time.time()),
            )
        self.ledger.record("courier.register", actor=actor, data={"user": user_id, "name": name})

    def courier_name(self, user_id: int) -> str | None:
        row = self.db.execute("SELECT name FROM couriers WHERE user_id = ?", (user_id,)).fetchone()
        return None if row is None else str(row[0])

    def delivery(self, delivery_id: int) -> dict[str, Any]:
        row = self.db.execute("SELECT * FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
        if row is None:
            raise StoreError(f"no delivery #{delivery_id}")
        return dict(row)

    def assign_delivery(self, order_id: int, user_id: int, actor: str) -> int:
        """Give packed order ``order_id`` to a delivery person, who gets it with buttons."""
        name = self.courier_name(user_id)
        if name is None:
            raise StoreError(f"user {user_id} is not a registered delivery person")
        order = self.order(order_id)
        with transaction(self.db) as db:
            if self.order(order_id)["status"] != "packed":
                raise StoreError(f"order #{order_id} is {order['status']}; pack it first")
            busy = db.execute(
                "SELECT id FROM deliveries WHERE order_id = ? AND status IN ('assigned',"
                " 'picked up')",
                (order_id,),
            ).fetchone()
            if busy is not None:
                raise StoreError(f"order #{order_id} is on delivery #{busy[0]} already")
            cursor = db.execute(
                "INSERT INTO deliveries (order_id, courier_id, status, created)"
                " VALUES (?, ?, 'assigned', ?)",
                (order_id, user_id, time.time()),
            )
            delivery_id = int(cursor.lastrowid or 0)
        items = ", ".join(f"{line['quantity']} × {line['name']}" for line in order["lines"])
        self.ledger.record(
            "delivery.assign",
            actor=actor,
            message=f"🚚 Delivery #{delivery_id}: order #{order_id} given to {name}",
            data={"delivery": delivery_id, "order": order_id, "courier": user_id},
        )
        self.outbox.notify(
            f"🚚 Delivery #{delivery_id} for {order['customer']}, due {order['due']}:\n{items}\n"
            "Send a photo with the caption #"
            f"{delivery_id} as proof.",
            chat_id=user_id,
            reply_markup=delivery_buttons(delivery_id),
        )
        return delivery_id

    def delivery_step(self, delivery_id: int, user_id: int, step: str) -> str:
        """The assigned person reports ``picked up``, ``delivered`` or ``failed:REASON``."""
        delivery = self.delivery(delivery_id)
        self._only_assigned(delivery, user_id, step)
        kind, _, reason = step.partition(":")
        if kind not in STEPS or (kind == "failed") != bool(reason):
            raise StoreError(f"unknown delivery step {step!r}")
        after, order_status = STEPS[kind]
        with transaction(self.db) as db:
            status = self.delivery(delivery_id)["status"]
            if status not in after:
                raise StoreError(f"delivery #{delivery_id} is {status}; it cannot be {kind}")
            db.execute(
                "UPDATE deliveries SET status = ?, reason = ? WHERE id = ?",
                (kind, reason or None, delivery_id),
            )
            db.execute(
                "UPDATE orders SET status = ? WHERE id = ?", (order_status, delivery["order_id"])
            )
        name = self.courier_name(user_id)
        self.ledger.record(
            f"delivery.{kind.replace(' ', '_')}",
            actor=f"courier:{user_id}",
            message=(
                f"🚚 Delivery #{delivery_id} (order #{delivery['order_id']}): {kind}"
                + (f" – {reason}" if reason else "")
                + f" ({name})"
            ),
            data={"delivery": delivery_id, "order": delivery["order_id"], "reason": reason},
        )
        return kind

    def attach_proof(self, delivery_id: int, user_id: int, file_id: str) -> None:
        """Keep a photo as proof of delivery and show it to the owner."""
        delivery = self.delivery(delivery_id)
        self._only_assigned(delivery, user_id, "proof")
        with transaction(self.db) as db:
            db.execute("UPDATE deliveries SET proof = ? WHERE id = ?", (file_id, delivery_id))
        entry = self.ledger.record(
            "delivery.proof",
            actor=f"courier:{user_id}",
            data={"delivery": delivery_id, "photo": file_id},
        )
        self.outbox.queue(
            "sendPhoto",
            chat_id=self.owner_id,
            photo=file_id,
            caption=f"📷 Proof for delivery #{delivery_id} (ledger #{entry.seq})",
        )

    def _only_assigned(self, delivery: dict[str, Any], user_id: int, step: str) -> None:
        if delivery["courier_id"] != user_id:
            self.ledger.record(
                "delivery.refused",
                actor=f"user:{user_id}",
                message=(
                    f"⚠️ User {user_id} tried '{step}' on delivery #{delivery['id']}, "
                    "which is not theirs; refused"
                ),
                data={"delivery": delivery["id"], "step": step},
            )
            raise StoreError(f"delivery #{delivery['id']} is not yours")
