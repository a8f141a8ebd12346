"""Orders end to end through the emulator: reserved stock, each step told, guarded cancels."""

from __future__ import annotations

import sqlite3

import pytest

from telewire.apps.store.service import NotApproved, Store, StoreError
from telewire.testing import EmulatorHandle, TestUser
from tests.apps.test_store import owner_texts, press_when_asked, store
from tests.conftest import run_cli

__all__ = ["store"]  # the fixture, shared with the bill tests


def place(store: Store, *lines: tuple[str, int], payment: str = "cash") -> int:
    customer = store.add_customer("Dana", "555-0101", actor="manager")
    return store.place_order(
        list(lines), customer_id=customer, due="2026-12-24", actor="manager", payment=payment
    )


def test_an_order_reserves_stock_and_every_step_reaches_the_owner(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    order_id = place(store, ("COF", 3), ("SAN", 1))
    assert store.product("COF")["stock"] == 7 and store.product("SAN")["stock"] == 1
    with pytest.raises(StoreError, match="only 1 of SAN in stock, not 2"):
        store.issue_bill([("SAN", 2)], cashier="ann")  # the reserved one is not for sale
    steps = [store.advance_order(order_id, actor="manager") for _ in range(3)]
    assert steps == ["packed", "out for delivery", "delivered"]
    with pytest.raises(StoreError, match="is delivered; it cannot move on"):
        store.advance_order(order_id, actor="manager")
    with pytest.raises(StoreError, match="is delivered; it cannot be cancelled"):
        store.cancel_order(order_id, "too late", actor="manager")
    assert store.outbox.flush(10)
    texts = owner_texts(emulator, alice)
    placed = next(t for t in texts if t.startswith(f"📦 Order #{order_id} placed"))
    assert "for Dana, due 2026-12-24: total 19.14 (cash)" in placed and "3 × Coffee" in placed
    for step in ("placed → packed", "packed → out for delivery", "out for delivery → delivered"):
        assert any(f"Order #{order_id}: {step} (manager)" in t for t in texts), step
    kinds = [e.kind for e in store.ledger.entries()]
    assert kinds[-4:] == ["order.place", "order.status", "order.status", "order.status"]
    assert store.verify() == []


def test_cancelling_a_placed_order_gives_its_stock_back_without_asking(store: Store) -> None:
    order_id = place(store, ("SAN", 2))
    assert store.product("SAN")["stock"] == 0
    store.cancel_order(order_id, "customer called", actor="manager")
    assert store.product("SAN")["stock"] == 2 and store.order(order_id)["status"] == "cancelled"
    assert store.ledger.entries()[-1].kind == "order.cancel"
    assert not any(e.kind.startswith("approval.") for e in store.ledger.entries())


def test_cancelling_a_packed_order_is_refused_without_the_owners_approval(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    order_id = place(store, ("COF", 4))
    store.advance_order(order_id, actor="manager")
    waiter = press_when_asked(emulator, alice, "❌ Deny")
    with pytest.raises(NotApproved, match="order cancellation: not approved by the owner"):
        store.cancel_order(order_id, "changed my mind", actor="ann")
    waiter.join()
    assert store.order(order_id)["status"] == "packed" and store.product("COF")["stock"] == 6
    assert store.ledger.entries()[-1].kind == "approval.denied"
    waiter = press_when_asked(emulator, alice, "✅ Approve")
    store.cancel_order(order_id, "changed my mind", actor="ann")
    waiter.join()
    assert store.order(order_id)["status"] == "cancelled" and store.product("COF")["stock"] == 10
    assert [e.kind for e in store.ledger.entries()][-2:] == ["approval.approved", "order.cancel"]


@pytest.mark.parametrize(
    ("lines", "due", "payment", "error"),
    [
        ([], "2026-12-24", "cash", "at least one line"),
        ([("NOPE", 1)], "2026-12-24", "cash", "unknown product 'NOPE'"),
        ([("COF", 1), ("SAN", 3)], "2026-12-24", "cash", "only 2 of SAN in stock"),
        ([("COF", 0)], "2026-12-24", "cash", "quantity of COF must be positive"),
        ([("COF", 1)], "tomorrow", "cash", "is not a day"),
        ([("COF", 1)], "2026-12-24", "cheque", "payment must be"),
    ],
)
def test_invalid_orders_change_nothing(
    store: Store, lines: list[tuple[str, int]], due: str, payment: str, error: str
) -> None:
    customer = store.add_customer("Eve", None, actor="manager")
    before = [dict(p) for p in store.products()]
    entries = len(store.ledger.entries())
    with pytest.raises(StoreError, match=error):
        store.place_order(lines, customer_id=customer, due=due, actor="m", payment=payment)
    with pytest.raises(StoreError, match="unknown customer 99"):
        store.place_order([("COF", 1)], customer_id=99, due="2026-12-24", actor="m")
    assert [dict(p) for p in store.products()] == before
    assert store.db.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0
    assert len(store.ledger.entries()) == entries


def test_the_owner_sees_open_orders_and_the_look_is_recorded(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    first = place(store, ("COF", 1))
    second = place(store, ("SAN", 1))
    store.advance_order(second, actor="manager")
    emulator.send(alice, "/orders")
    answer = emulator.wait_for(alice.id, lambda m: (m.text or "").startswith("📦 2 open orders"))
    assert f"#{first} placed, due 2026-12-24: Dana, 3.85" in (answer.text or "")
    assert f"#{second} packed" in (answer.text or "")
    assert store.ledger.entries()[-1].kind == "access.orders"


def test_an_order_altered_behind_the_programs_back_is_detected(store: Store) -> None:
    order_id = place(store, ("COF", 2))
    db = sqlite3.connect(store.folder / "store.db")
    db.execute("UPDATE orders SET total = 1 WHERE id = ?", (order_id,))
    db.commit()
    db.close()
    assert any(f"order #{order_id} was changed after it was placed" in p for p in store.verify())


def test_orders_invoices_and_dues_from_the_command_line(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    env = {"TELEGRAM_API_URL": emulator.base_url, "TELEGRAM_BOT_TOKEN": emulator.token}
    folder = str(store.folder)
    customer = store.add_customer("Dana", None, actor="manager")
    placed = run_cli(
        *("store", "--dir", folder, "order", "place", "COF:2", "--customer", str(customer)),
        *("--due", "2026-12-24", "--payment", "account"),
        env=env,
    )
    assert placed.returncode == 0, placed.stderr
    assert "order #1 placed, total 7.70" in placed.stdout
    advanced = run_cli("store", "--dir", folder, "order", "advance", "1", env=env)
    assert "order #1 is now packed" in advanced.stdout
    listing = run_cli("store", "--dir", folder, "order", "list", env=env)
    assert "packed" in listing.stdout and "Dana" in listing.stdout
    bad = run_cli("store", "--dir", folder, "order", "place", "COF:1", env=env)
    assert bad.returncode == 1 and "usage: order place" in bad.stderr
    due = run_cli("store", "--dir", folder, "due", "list", env=env)
    assert "order #1: 7.70, due 2027-01-07" in due.stdout
    invoice = run_cli("store", "--dir", folder, "invoice", "order", "1", env=env)
    assert invoice.returncode == 0 and "invoice #1 for order #1 sent" in invoice.stdout
    assert emulator.wait_for(alice.id, lambda m: m.document is not None, timeout=10)
    paid = run_cli("store", "--dir", folder, "due", "paid", "order:1", env=env)
    assert paid.returncode == 0 and "order:1 marked paid" in paid.stdout
    assert store.dues() == []
