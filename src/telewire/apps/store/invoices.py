"""PDF invoices for bills and orders, each one sealed in the ledger and sent to the owner.

An invoice prints what its bill or order says, with the hash of the ledger entry that
sealed that bill or order, so a reader can check it against the owner's chat. The
invoice's own figures and the SHA-256 of the PDF are sealed under ``invoice:<id>``: an
invoice whose total was altered afterwards fails ``telewire store verify``.

The PDF is made with fpdf2 (pure Python, imported only here). Its built-in Helvetica
covers Latin-1; other characters print as ``?`` rather than failing the invoice.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.features.ledger import Ledger

from telewire.apps.store.errors import StoreError
from telewire.apps.store.money import format_amount
from telewire.core.files import InputFile
from telewire.storage import transaction

INVOICE_SEALED_FIELDS = (
    *("id", "created", "source", "customer", "subtotal", "discount", "tax", "total"),
    *("ledger_ref", "pdf_sha256"),
)


def invoice_key(invoice_id: int) -> str:
    return f"invoice:{invoice_id}"


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def render_invoice(invoice: dict[str, Any], lines: list[dict[str, Any]], store: str) -> bytes:
    """One A4 page (more if the lines need it): header, the lines, the totals, the reference."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(f"Invoice {invoice['id']}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 12, _latin1(store), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    when = time.strftime("%Y-%m-%d", time.localtime(invoice["created"]))
    pdf.cell(0, 7, f"Invoice #{invoice['id']}   {when}", new_x="LMARGIN", new_y="NEXT")
    source = str(invoice["source"]).replace(":", " #")
    pdf.cell(0, 7, _latin1(f"For {source}, customer: {invoice['customer']}"), new_y="NEXT")
    pdf.ln(6)
    widths = (20, 90, 35, 35)
    pdf.set_font("Helvetica", "B", 11)
    for width, title in zip(widths, ("Qty", "Item", "Unit price", "Amount"), strict=True):
        pdf.cell(width, 8, title, border="B", align="L" if title == "Item" else "R")
    pdf.ln()
    pdf.set_font("Helvetica", "", 11)
    for line in lines:
        cells = (
            str(line["quantity"]),
            _latin1(str(line["name"]))[:45],
            format_amount(line["unit_price"]),
            format_amount(line["unit_price"] * line["quantity"]),
        )
        for width, text, align in zip(widths, cells, "RLRR", strict=True):
            pdf.cell(width, 7, text, align=align)
        pdf.ln()
    pdf.ln(4)
    for label in ("subtotal", "discount", "tax", "total"):
        pdf.set_font("Helvetica", "B" if label == "total" else "", 11)
        pdf.cell(145, 7, label.capitalize(), align="R")
        pdf.cell(35, 7, format_amount(invoice[label]), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Courier", "", 8)
    pdf.multi_cell(
        0, 4, f"Ledger reference (SHA-256 of the sealing entry):\n{invoice['ledger_ref']}"
    )
    return bytes(pdf.output())


class Invoices:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    db: sqlite3.Connection
    ledger: Ledger
    owner_id: int
    client: Any
    name: str

    def bill(self, bill_id: int) -> dict[str, Any]:
        raise NotImplementedError

    def order(self, order_id: int) -> dict[str, Any]:
        raise NotImplementedError

    # CustomerChats comes after this class in Store's bases: stubs here would shadow it.
    customer_chat: Callable[[int | None], int | None]
    customer_of: Callable[[str, int], Any]

    @staticmethod
    def sealed_invoice(invoice: dict[str, Any]) -> dict[str, Any]:
        return {k: invoice[k] for k in INVOICE_SEALED_FIELDS}

    def _source(self, kind: str, number: int) -> tuple[dict[str, Any], str]:
        if kind == "bill":
            record = self.bill(number)
            customer_id = record["customer_id"]
        elif kind == "order":
            record = {**self.order(number), "discount": 0}
            customer_id = record["customer_id"]
        else:
            raise StoreError(f"invoices are for a bill or an order, not {kind!r}")
        customer = "-"
        if customer_id is not None:
            row = self.db.execute("SELECT name FROM customers WHERE id = ?", (customer_id,))
            customer = str(row.fetchone()[0])
        return record, customer

    def make_invoice(self, kind: str, number: int, actor: str) -> tuple[int, bytes]:
        """Render, record and seal an invoice for bill or order ``number``; returns (id, PDF)."""
        record, customer = self._source(kind, number)
        seals = [e for e in self.ledger.find(f"{kind}:{number}") if "seal" in e.data]
        if not seals:
            raise StoreError(f"{kind} #{number} has no seal in the ledger; run verify")
        invoice = {
            "created": time.time(),
            "source": f"{kind}:{number}",
            "customer": customer,
            **{k: record[k] for k in ("subtotal", "discount", "tax", "total")},
            "ledger_ref": seals[-1].hash,
        }
        with transaction(self.db) as db:
            cursor = db.execute(
                "INSERT INTO invoices (created, source, customer, subtotal, discount, tax, total,"
                " ledger_ref, pdf_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')",
                tuple(invoice.values()),
            )
            invoice["id"] = int(cursor.lastrowid or 0)
            pdf = render_invoice(invoice, record["lines"], self.name)
            invoice["pdf_sha256"] = hashlib.sha256(pdf).hexdigest()
            db.execute(
                "UPDATE invoices SET pdf_sha256 = ? WHERE id = ?",
                (invoice["pdf_sha256"], invoice["id"]),
            )
        self.ledger.seal(
            invoice_key(invoice["id"]),
            self.sealed_invoice(invoice),
            kind="invoice.issue",
            actor=actor,
            message=(
                f"🧾 Invoice #{invoice['id']} for {kind} #{number}: "
                f"total {format_amount(invoice['total'])}"
            ),
            data={"invoice": invoice["id"], "source": invoice["source"]},
        )
        return invoice["id"], pdf

    def send_invoice(self, kind: str, number: int, actor: str) -> int:
        """Make an invoice and send it as a PDF document: to the customer when they linked
        their Telegram chat (the owner is told), else to the owner; returns its id."""
        invoice_id, pdf = self.make_invoice(kind, number, actor)
        customer_id = self.customer_of(kind, number)
        chat = self.customer_chat(customer_id)
        self.client.request(
            "sendDocument",
            {
                "chat_id": chat if chat is not None else self.owner_id,
                "document": InputFile(pdf, filename=f"invoice-{invoice_id}.pdf"),
                "caption": f"{self.name}: invoice #{invoice_id} for {kind} #{number}"
                if chat is not None
                else f"Invoice #{invoice_id} for {kind} #{number}",
            },
        )
        if chat is not None:
            self.ledger.record(
                "invoice.sent",
                actor=actor,
                message=f"📨 Invoice #{invoice_id} sent to customer {customer_id} in Telegram",
                data={"invoice": invoice_id, "customer": customer_id, "chat": chat},
            )
        return invoice_id

    def invoice_problems(self) -> list[str]:
        """Invoices whose figures or PDF hash no longer match their seals."""
        problems = []
        sealed = {int(key.split(":", 1)[1]) for key in self.ledger.keys(prefix="invoice:")}
        rows = {int(r["id"]): dict(r) for r in self.db.execute("SELECT * FROM invoices")}
        for invoice_id in sorted(sealed | set(rows)):
            row = rows.get(invoice_id)
            current = self.sealed_invoice(row) if row is not None else None
            status = self.ledger.check_seal(invoice_key(invoice_id), current).status
            if status == "missing":
                problems.append(f"invoice #{invoice_id} was deleted behind the program's back")
            elif status == "changed" and row is not None:
                problems.append(
                    f"invoice #{invoice_id} was changed after it was issued "
                    f"(total now {format_amount(row['total'])})"
                )
            elif status == "unsealed":
                problems.append(f"invoice #{invoice_id} is not in the ledger")
        return problems
