"""Invoices: a real PDF that a standard reader renders, sent to the owner, sealed in the ledger."""

from __future__ import annotations

import io
import sqlite3
import subprocess
from pathlib import Path

import pytest

from telewire import Bot
from telewire.apps.store.service import Store, StoreError
from telewire.testing import EmulatorHandle, TestUser
from tests.apps.test_store import store
from tests.conftest import run_cli

__all__ = ["store"]  # the fixture, shared with the bill tests


def render_first_page(pdf: bytes, folder: Path) -> tuple[bytes, str]:
    """The first page as PNG (poppler's pdftoppm) and the PDF's text (pdftotext)."""
    (folder / "invoice.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-singlefile", "invoice.pdf", "page"],
        cwd=folder,
        check=True,
        timeout=60,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", "invoice.pdf", "-"],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return (folder / "page.png").read_bytes(), text


def test_a_bill_invoice_renders_and_reaches_the_owner_as_a_document(
    store: Store, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    from PIL import Image

    customer = store.add_customer("Dana Ölund", None, actor="manager")
    bill_id = store.issue_bill(
        [("COF", 2), ("SAN", 1)], cashier="ann", customer_id=customer, discount="1.00"
    )
    invoice_id = store.send_invoice("bill", bill_id, actor="manager")
    sent = emulator.wait_for(alice.id, lambda m: m.document is not None, timeout=10)
    assert sent.caption == f"Invoice #{invoice_id} for bill #{bill_id}"
    assert sent.document is not None and sent.document.file_name == f"invoice-{invoice_id}.pdf"
    pdf = Bot(emulator.token, base_url=emulator.base_url).download(sent.document.file_id)
    assert pdf.startswith(b"%PDF-")
    png, text = render_first_page(pdf, tmp_path)
    page = Image.open(io.BytesIO(png)).convert("L")
    assert page.size == (414, 585)  # A4 (210 × 297 mm) at 50 dpi, rounded up
    dark = sum(page.histogram()[:128])  # pixels darker than mid-grey
    assert 500 < dark < page.size[0] * page.size[1] // 4, "the page is blank or all ink"
    assert "Store" in text and f"Invoice #{invoice_id}" in text and "Dana Ölund" in text
    for label, amount in (("Subtotal", "13.90"), ("Discount", "1.00"), ("Tax", "1.29")):
        assert label in text and amount in text
    assert "Total" in text and "14.19" in text and "Coffee" in text
    seal = store.ledger.find(f"bill:{bill_id}")[-1]
    assert seal.hash in text.replace("\n", "")
    assert store.ledger.entries()[-1].kind == "invoice.issue"
    assert store.verify() == []


def test_an_order_gets_an_invoice_too(store: Store, tmp_path: Path) -> None:
    customer = store.add_customer("Eve", None, actor="manager")
    order_id = store.place_order([("COF", 3)], customer_id=customer, due="2026-12-24", actor="m")
    invoice_id, pdf = store.make_invoice("order", order_id, actor="manager")
    _, text = render_first_page(pdf, tmp_path)
    assert f"For order #{order_id}, customer: Eve" in text and "11.55" in text
    with pytest.raises(StoreError, match="no bill #99"):
        store.make_invoice("bill", 99, actor="manager")
    with pytest.raises(StoreError, match="for a bill or an order"):
        store.make_invoice("refund", 1, actor="manager")
    assert store.db.execute("SELECT COUNT(*) FROM invoices").fetchone()[0] == invoice_id == 1


def test_an_altered_invoice_total_is_caught_by_verify(
    store: Store, emulator: EmulatorHandle
) -> None:
    bill_id = store.issue_bill([("COF", 1)], cashier="ann")
    invoice_id, _ = store.make_invoice("bill", bill_id, actor="manager")
    assert store.verify() == []
    db = sqlite3.connect(store.folder / "store.db")
    db.execute("UPDATE invoices SET total = 1 WHERE id = ?", (invoice_id,))
    db.commit()
    db.close()
    expected = f"invoice #{invoice_id} was changed after it was issued (total now 0.01)"
    assert expected in store.verify()
    result = run_cli(
        "store",
        "--dir",
        str(store.folder),
        "verify",
        env={"TELEGRAM_API_URL": emulator.base_url, "TELEGRAM_BOT_TOKEN": emulator.token},
    )
    assert result.returncode == 1 and expected in result.stdout


def test_the_owner_asks_the_bot_for_an_invoice(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bill_id = store.issue_bill([("SAN", 1)], cashier="ann")
    emulator.send(alice, "/invoice bill 42")
    assert "no bill #42" in (
        emulator.wait_for(alice.id, lambda m: "⚠️" in (m.text or "")).text or ""
    )
    emulator.send(alice, f"/invoice bill {bill_id}")
    sent = emulator.wait_for(alice.id, lambda m: m.document is not None, timeout=10)
    assert sent.caption == f"Invoice #1 for bill #{bill_id}"


def test_a_customer_who_linked_their_chat_gets_the_invoice_there(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    dana, mallory = emulator.user("Dana"), emulator.user("Mallory")
    customer = store.add_customer("Dana", None, actor="manager")
    emulator.send(alice, f"/link {customer}")
    handed = emulator.wait_for(alice.id, lambda m: "t.me/" in (m.text or ""), timeout=10)
    start = (handed.text or "").rsplit("?start=", 1)[1]
    assert start.startswith(f"customer-{customer}-")

    emulator.send(dana, f"/start customer-{customer}-AAAAAAAAAAAAAAAA")  # typed, not signed
    assert emulator.expect_reply(dana.id, timeout=10).text == (
        "Sorry, this bot only serves its owner."
    )
    assert store.customer_chat(customer) is None
    emulator.send(dana, f"/start {start}")
    hello = emulator.expect_reply(dana.id, timeout=10).text
    assert hello == "Hello Dana! Store will send your invoices here."
    assert store.customer_chat(customer) == dana.id
    emulator.send(mallory, f"/start {start}")  # the link, forwarded to someone else
    refused = emulator.expect_reply(mallory.id, timeout=10).text or ""
    assert "belongs to another account" in refused and store.customer_chat(customer) == dana.id

    bill_id = store.issue_bill([("COF", 1)], cashier="ann", customer_id=customer)
    invoice_id = store.send_invoice("bill", bill_id, actor="manager")
    sent = emulator.wait_for(dana.id, lambda m: m.document is not None, timeout=10)
    assert sent.caption == f"Store: invoice #{invoice_id} for bill #{bill_id}"
    assert store.outbox.flush(10)
    owner = [m.text or m.caption or "" for m in emulator.bot_messages(alice.id)]
    assert any(f"📨 Invoice #{invoice_id} sent to customer {customer}" in t for t in owner)
    assert any("🔗 Dana (customer 1) linked their Telegram chat" in t for t in owner)
    assert any(f"User {mallory.id} used customer 1's link" in t for t in owner)
    assert not [m for m in emulator.bot_messages(alice.id) if m.document is not None]
    kinds = [e.kind for e in store.ledger.entries()]
    for kind in ("customer.link_made", "customer.link", "customer.link_refused", "invoice.sent"):
        assert kind in kinds
    assert store.verify() == []
