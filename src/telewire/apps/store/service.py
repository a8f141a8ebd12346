"""The store's operations: every one checked, recorded in the ledger, told to the owner.

Invalid input raises :class:`StoreError` and changes nothing. Operations that matter
(refunds, deleting or editing a bill, price changes, exports, cashier sign-in) ask the
owner first and happen only if approved; the outcome is recorded either way.
"""

from __future__ import annotations

import json
import sqlite3
import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telewire.apps.store import data
from telewire.apps.store.closing import Closing
from telewire.apps.store.customer_chats import CustomerChats
from telewire.apps.store.deliveries import Deliveries
from telewire.apps.store.dues import Dues
from telewire.apps.store.errors import ForgedApproval as ForgedApproval
from telewire.apps.store.errors import NotApproved as NotApproved
from telewire.apps.store.errors import StoreError as StoreError
from telewire.apps.store.integrity import Integrity, bill_key
from telewire.apps.store.invoices import Invoices
from telewire.apps.store.money import MoneyError, format_amount, parse_amount, tax_of
from telewire.apps.store.orders import Orders
from telewire.apps.store.reports import Reports
from telewire.apps.store.sessions import Sessions
from telewire.apps.store.shifts import Shifts
from telewire.apps.store.stock import Stock
from telewire.core.flood import SENDER
from telewire.features.approvals import ApprovalBook, Decision, ForgedDecision, ask
from telewire.features.ledger import Ledger
from telewire.features.outbox import Outbox
from telewire.storage import transaction

if TYPE_CHECKING:
    from telewire.storage.sqlite import SQLiteStorage

HEARTBEAT = "bot.alive"
STATE = "state.db"  # the bot's dialogs in progress and scheduled jobs


def today() -> str:
    return time.strftime("%Y-%m-%d")


class Store(
    Stock,
    Orders,
    Deliveries,
    Shifts,
    Invoices,
    CustomerChats,
    Dues,
    Closing,
    Reports,
    Sessions,
    Integrity,
):
    def __init__(
        self,
        folder: str | Path,
        *,
        client: Any = None,
        deliver: bool = False,
        approval_timeout: float = 300.0,
        limits: Any = SENDER,
    ) -> None:
        self.folder = Path(folder)
        config_file = self.folder / "config.json"
        if not config_file.exists():
            raise StoreError(
                f"no store in {self.folder}: run `telewire store init --owner YOUR_CHAT_ID` first"
            )
        config = json.loads(config_file.read_text())
        self.owner_id = int(config["owner_id"])
        self.tax_rate = int(config.get("tax_basis_points", 0))
        self.name = str(config.get("name") or "Store")  # printed on invoices
        self.payment_terms_days = int(config.get("payment_terms_days", 14))
        self.approve_paid_above = parse_amount(str(config.get("approve_paid_above", "100.00")))
        self.db = data.open_store(self.folder / "store.db")
        self.outbox = Outbox(
            self.folder / "outbox.db", chat_id=self.owner_id, start=deliver, limits=limits
        )
        self.ledger = Ledger(self.folder / "audit.db", outbox=self.outbox, chat_id=self.owner_id)
        self.book = ApprovalBook(
            self.folder / "approvals.db", approvers=[self.owner_id], ledger=self.ledger
        )
        if client is None:
            from telewire.client.blocking import BlockingClient

            client = BlockingClient(self.outbox.token, timeout=40, **self.outbox.client_options)
        self.client = client
        self.approval_timeout = approval_timeout

    @staticmethod
    def create(
        folder: str | Path,
        *,
        owner_id: int,
        tax_percent: str = "0",
        name: str = "Store",
        approve_paid_above: str = "100.00",
    ) -> Path:
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        rate = parse_amount(tax_percent) if tax_percent else 0  # "10" -> 1000 basis points
        (target / "config.json").write_text(
            json.dumps(
                {
                    "owner_id": owner_id,
                    "tax_basis_points": rate,
                    "name": name,
                    "approve_paid_above": format_amount(parse_amount(approve_paid_above)),
                }
            )
        )
        data.open_store(target / "store.db").close()
        return target

    @cached_property
    def storage(self) -> SQLiteStorage:
        """telewire storage in the store's folder: the owner's dialogs in progress and the
        store's scheduled jobs, so that both outlive a restart (opened on first use)."""
        from telewire.storage.sqlite import SQLiteStorage

        return SQLiteStorage(self.folder / STATE)

    def close(self, deliver_for: float = 3.0) -> None:
        """Deliver what is queued for the owner (briefly), then release everything."""
        self.outbox.start()
        self.outbox.close(deliver_for)
        for closable in (self.ledger, self.book, self.client):
            closable.close()
        if "storage" in self.__dict__:
            self.storage.close_now()
        self.db.close()

    # -- approvals -------------------------------------------------------------------

    def _bot_is_running(self) -> bool:
        try:
            return time.time() - float((self.folder / HEARTBEAT).read_text()) < 30
        except (OSError, ValueError):
            return False

    def approve(self, action: str, question: str, actor: str, note: str | None = None) -> Decision:
        """Ask the owner; raise :class:`NotApproved` unless approved.

        ``question`` holds the facts (with who asks, on a line of its own); ``note`` is the
        asker's free text. The process that receives the press records the decision in
        the ledger; a decision the ledger does not back raises :class:`ForgedApproval`.
        """
        try:
            decision = ask(
                f"{question}\nAsked by: {actor}",
                book=self.book,
                note=note,
                timeout=self.approval_timeout,
                client=self.client,
                listen=not self._bot_is_running(),
            )
        except ForgedDecision as forged:
            self.ledger.record("approval.forged", actor=actor, data={"action": action})
            raise ForgedApproval(action, str(forged)) from None
        if not decision.approved:
            raise NotApproved(action, decision)
        return decision

    # -- products and customers ------------------------------------------------------

    def add_product(self, sku: str, name: str, price: str, stock: int, actor: str) -> None:
        cents = self._amount(price)
        if stock < 0:
            raise StoreError("stock must not be negative")
        if not sku.strip() or not name.strip():
            raise StoreError("a product needs a SKU and a name")
        try:
            self.db.execute(
                "INSERT INTO products (sku, name, price, stock) VALUES (?, ?, ?, ?)",
                (sku, name, cents, stock),
            )
        except sqlite3.IntegrityError:
            raise StoreError(f"product {sku} exists already") from None
        self.ledger.record(
            "product.add",
            actor=actor,
            data={"sku": sku, "name": name, "price": format_amount(cents), "stock": stock},
        )

    def product(self, sku: str) -> Any:
        row = self.db.execute("SELECT * FROM products WHERE sku = ?", (sku,)).fetchone()
        if row is None:
            raise StoreError(f"unknown product {sku!r}")
        return row

    def products(self) -> list[Any]:
        return list(self.db.execute("SELECT * FROM products ORDER BY sku"))

    def restock(self, sku: str, quantity: int, actor: str) -> None:
        if quantity <= 0:
            raise StoreError("restock by a positive quantity")
        self.product(sku)
        self.db.execute("UPDATE products SET stock = stock + ? WHERE sku = ?", (quantity, sku))
        self.ledger.record("product.restock", actor=actor, data={"sku": sku, "quantity": quantity})

    def set_price(self, sku: str, price: str, actor: str, *, owner_saw: int | None = None) -> None:
        """Change a price, with the owner's approval.

        ``owner_saw``: the owner confirmed this change in their own chat (the bot's /price
        dialog) while the price was ``owner_saw`` cents; that confirmation is the approval,
        and the change happens only if the price is still that. Setting the price it has
        already changes nothing (a confirmation handled twice is not two changes).
        """
        old = self.product(sku)["price"]
        cents = self._amount(price)
        if owner_saw is not None and old == cents:
            return
        if owner_saw is not None:
            old = owner_saw
        else:
            self.approve(
                "price change",
                f"Change the price of {sku} from {format_amount(old)} to {format_amount(cents)}?",
                actor,
            )
        with transaction(self.db) as db:  # what was approved must still be what is changed
            if self.product(sku)["price"] != old:
                raise StoreError(f"the price of {sku} changed meanwhile; nothing was changed")
            db.execute("UPDATE products SET price = ? WHERE sku = ?", (cents, sku))
        self.ledger.record(
            "product.price",
            actor=actor,
            message=f"🏷 Price of {sku}: {format_amount(old)} → {format_amount(cents)} ({actor})",
            data={"sku": sku, "old": format_amount(old), "new": format_amount(cents)},
        )

    def add_customer(self, name: str, phone: str | None, actor: str) -> int:
        if not name.strip():
            raise StoreError("a customer needs a name")
        cursor = self.db.execute("INSERT INTO customers (name, phone) VALUES (?, ?)", (name, phone))
        customer_id = int(cursor.lastrowid or 0)
        self.ledger.record("customer.add", actor=actor, data={"customer": customer_id})
        return customer_id

    def find_customers(self, query: str, actor: str) -> list[Any]:
        rows = list(
            self.db.execute(
                "SELECT * FROM customers WHERE name LIKE ? OR phone LIKE ? ORDER BY id",
                (f"%{query}%", f"%{query}%"),
            )
        )
        self.ledger.record(
            "access.customers", actor=actor, data={"query": query, "found": len(rows)}
        )
        return rows

    @staticmethod
    def _amount(text: str | int) -> int:
        try:
            return parse_amount(text)
        except MoneyError as exc:
            raise StoreError(str(exc)) from None

    # -- bills -----------------------------------------------------------------------

    def issue_bill(
        self,
        lines: list[tuple[str, int]],
        *,
        cashier: str,
        customer_id: int | None = None,
        discount: str = "0",
        payment: str = "cash",
    ) -> int:
        if not lines:
            raise StoreError("a bill needs at least one line")
        if payment not in ("cash", "card", "transfer", "account"):
            raise StoreError("payment must be cash, card, transfer or account")
        off = self._amount(discount)
        with transaction(self.db) as db:
            priced, crossed = [], []
            for sku, quantity in lines:
                if quantity <= 0:
                    raise StoreError(f"quantity of {sku} must be positive, not {quantity}")
                product = self.product(sku)
                if product["stock"] < quantity:
                    raise StoreError(f"only {product['stock']} of {sku} in stock, not {quantity}")
                crossed.append(self._take(db, product, quantity))
                priced.append((sku, product["name"], product["price"], quantity))
            if (
                customer_id is not None
                and db.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone()
                is None
            ):
                raise StoreError(f"unknown customer {customer_id}")
            subtotal = sum(price * quantity for _, _, price, quantity in priced)
            if off > subtotal:
                raise StoreError("the discount is larger than the bill")
            tax = tax_of(subtotal - off, self.tax_rate)
            cursor = db.execute(
                "INSERT INTO bills (created, day, cashier, customer_id, subtotal, discount, tax,"
                " total, payment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    today(),
                    cashier,
                    customer_id,
                    subtotal,
                    off,
                    tax,
                    subtotal - off + tax,
                    payment,
                ),
            )
            bill_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO bill_lines VALUES (?, ?, ?, ?, ?)",
                [(bill_id, *line) for line in priced],
            )
        bill = self.bill(bill_id)
        items = "\n".join(
            f"  {line['quantity']} × {line['name']} @ {format_amount(line['unit_price'])}"
            for line in bill["lines"]
        )
        message = (
            f"🧾 Bill #{bill_id}: total {format_amount(bill['total'])} ({payment})\n{items}\n"
            f"subtotal {format_amount(subtotal)}, discount {format_amount(off)}, "
            f"tax {format_amount(tax)}\ncashier {cashier}"
        )
        self.ledger.seal(
            bill_key(bill_id),
            self.sealed_record(bill),
            kind="bill.issue",
            actor=f"cashier:{cashier}",
            message=message,
            data={"bill": bill_id, "total": format_amount(bill["total"])},
        )
        self._tell_low(crossed, actor=f"cashier:{cashier}")
        return bill_id

    def bill(self, bill_id: int) -> dict[str, Any]:
        row = self.db.execute("SELECT * FROM bills WHERE id = ?", (bill_id,)).fetchone()
        if row is None:
            raise StoreError(f"no bill #{bill_id}")
        lines = [
            dict(r)
            for r in self.db.execute(
                "SELECT sku, name, unit_price, quantity FROM bill_lines WHERE bill_id = ?"
                " ORDER BY rowid",
                (bill_id,),
            )
        ]
        return {**dict(row), "lines": lines}

    def receipt(self, bill_id: int) -> str:
        bill = self.bill(bill_id)
        lines = [
            f"Bill #{bill_id}   {time.strftime('%Y-%m-%d %H:%M', time.localtime(bill['created']))}"
        ]
        for line in bill["lines"]:
            amount = format_amount(line["unit_price"] * line["quantity"])
            lines.append(f"{line['quantity']:>3} × {line['name']:<20} {amount:>9}")
        for label in ("subtotal", "discount", "tax", "total"):
            lines.append(f"{label.upper():>26} {format_amount(bill[label]):>9}")
        if bill["refunded"]:
            lines.append(f"{'REFUNDED':>26} {format_amount(bill['refunded']):>9}")
        lines.append(f"paid by {bill['payment']}, cashier {bill['cashier']}")
        return "\n".join(lines)

    def refund(self, bill_id: int, amount: str, reason: str, actor: str) -> None:
        bill = self.bill(bill_id)
        cents = self._amount(amount)
        if cents <= 0 or cents > bill["total"] - bill["refunded"]:
            raise StoreError(
                f"refund must be between 0.01 and {format_amount(bill['total'] - bill['refunded'])}"
            )
        self.approve(
            "refund",
            f"Refund {format_amount(cents)} of bill #{bill_id}?\n"
            f"Bill total {format_amount(bill['total'])}, "
            f"refunded so far {format_amount(bill['refunded'])}",
            actor,
            note=f"Reason: {reason}",
        )
        with transaction(self.db) as db:  # checked again: another refund may have come first
            now = db.execute(
                "SELECT total, refunded FROM bills WHERE id = ?", (bill_id,)
            ).fetchone()
            if now is None:
                raise StoreError(f"bill #{bill_id} was deleted meanwhile; nothing was refunded")
            if cents > now["total"] - now["refunded"]:
                raise StoreError(
                    f"only {format_amount(now['total'] - now['refunded'])} of bill #{bill_id} is "
                    "left to refund (another refund was applied meanwhile); nothing was refunded"
                )
            db.execute(
                "INSERT INTO refunds (bill_id, amount, reason, created) VALUES (?, ?, ?, ?)",
                (bill_id, cents, reason, time.time()),
            )
            db.execute("UPDATE bills SET refunded = refunded + ? WHERE id = ?", (cents, bill_id))
        self.ledger.record(
            "bill.refund",
            actor=actor,
            data={"bill": bill_id, "amount": format_amount(cents), "reason": reason},
        )

    def delete_bill(self, bill_id: int, actor: str) -> None:
        bill = self.bill(bill_id)
        self.approve(
            "bill deletion",
            f"Delete bill #{bill_id} (total {format_amount(bill['total'])}, "
            f"cashier {bill['cashier']})?",
            actor,
        )
        with transaction(self.db) as db:
            if self.bill(bill_id) != bill:
                raise StoreError(f"bill #{bill_id} changed meanwhile; nothing was deleted")
            for line in bill["lines"]:
                db.execute(
                    "UPDATE products SET stock = stock + ? WHERE sku = ?",
                    (line["quantity"], line["sku"]),
                )
            db.execute("DELETE FROM refunds WHERE bill_id = ?", (bill_id,))
            db.execute("DELETE FROM bill_lines WHERE bill_id = ?", (bill_id,))
            db.execute("DELETE FROM bills WHERE id = ?", (bill_id,))
        self.ledger.retire(
            bill_key(bill_id),
            kind="bill.delete",
            actor=actor,
            data={"bill": bill_id, "total": format_amount(bill["total"])},
        )

    def edit_bill_payment(self, bill_id: int, payment: str, actor: str) -> None:
        """Correct how a bill was paid (the one edit a bill allows), with approval."""
        bill = self.bill(bill_id)
        if payment not in ("cash", "card", "transfer"):
            raise StoreError("payment must be cash, card or transfer")
        self.approve(
            "bill edit",
            f"Change bill #{bill_id} payment from {bill['payment']} to {payment}?",
            actor,
        )
        with transaction(self.db) as db:
            if self.bill(bill_id) != bill:
                raise StoreError(f"bill #{bill_id} changed meanwhile; nothing was edited")
            db.execute("UPDATE bills SET payment = ? WHERE id = ?", (payment, bill_id))
        self.ledger.seal(
            bill_key(bill_id),
            self.sealed_record(self.bill(bill_id)),
            kind="bill.edit",
            actor=actor,
            data={"bill": bill_id, "payment": payment},
        )
