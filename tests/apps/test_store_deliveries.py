"""Deliveries end to end: registered by approval, steps by buttons in the courier's own chat."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from telewire.apps.store.service import NotApproved, Store, StoreError
from telewire.testing import EmulatorHandle, TestUser
from tests.apps.test_store import owner_texts, press_when_asked, store
from tests.conftest import run_cli

__all__ = ["store"]  # the fixture, shared with the bill tests


def packed_order(store: Store) -> int:
    customer = store.add_customer("Dana", None, actor="manager")
    order_id = store.place_order([("COF", 2)], customer_id=customer, due="2026-12-24", actor="m")
    store.advance_order(order_id, actor="manager")
    return order_id


def register(store: Store, emulator: EmulatorHandle, owner: TestUser, courier: TestUser) -> None:
    emulator.send(courier, "/start")  # as in Telegram: a bot writes only to who wrote first
    waiter = press_when_asked(emulator, owner, "✅ Approve")
    store.register_courier(courier.id, courier.first_name, actor="owner")
    waiter.join()


def test_a_delivery_person_reports_each_step_with_buttons_and_a_photo(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bob = emulator.user("Bob")
    register(store, emulator, alice, bob)
    order_id = packed_order(store)
    delivery = store.assign_delivery(order_id, bob.id, actor="owner")
    given = emulator.wait_for(bob.id, lambda m: m.reply_markup is not None, timeout=10)
    assert f"Delivery #{delivery} for Dana, due 2026-12-24" in (given.text or "")
    emulator.press(bob, given, button="📦 Picked up")
    assert store.order(order_id)["status"] == "out for delivery"
    png = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(png, format="PNG")
    emulator.send_photo(bob, png.getvalue(), caption=f"#{delivery}")
    assert "Kept as proof" in (emulator.expect_reply(bob.id, timeout=10).text or "")
    emulator.press(bob, given, button="✅ Delivered")
    assert store.order(order_id)["status"] == "delivered"
    assert store.delivery(delivery)["proof"]
    assert store.outbox.flush(10)
    texts = owner_texts(emulator, alice)
    for step in ("picked up (Bob)", "delivered (Bob)"):
        assert any(f"Delivery #{delivery} (order #{order_id}): {step}" in t for t in texts)
    assert any(f"Proof for delivery #{delivery}" in t for t in texts)
    kinds = [e.kind for e in store.ledger.entries()]
    assert kinds[-3:] == ["delivery.picked_up", "delivery.proof", "delivery.delivered"]


def test_someone_else_cannot_act_on_a_delivery(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bob, carl = emulator.user("Bob"), emulator.user("Carl")
    register(store, emulator, alice, bob)
    register(store, emulator, alice, carl)
    order_id = packed_order(store)
    delivery = store.assign_delivery(order_id, bob.id, actor="owner")
    given = emulator.wait_for(bob.id, lambda m: m.reply_markup is not None, timeout=10)
    answer = emulator.press(carl, given, button="✅ Delivered")  # a forwarded button, say
    assert answer is not None and answer["show_alert"]
    assert f"delivery #{delivery} is not yours" in (answer["text"] or "")
    with pytest.raises(StoreError, match="is not yours"):
        store.delivery_step(delivery, carl.id, "picked up")
    assert store.delivery(delivery)["status"] == "assigned"
    assert store.order(order_id)["status"] == "packed"
    assert [e.kind for e in store.ledger.entries()][-2:] == ["delivery.refused"] * 2
    emulator.press(bob, given, button="❌ Failed: not at home")
    assert store.delivery(delivery)["reason"] == "not at home"
    assert store.order(order_id)["status"] == "packed"  # back on the shelf, to try again
    with pytest.raises(StoreError, match="is failed; it cannot be delivered"):
        store.delivery_step(delivery, bob.id, "delivered")


def test_registering_needs_approval_and_assigning_needs_a_packed_order(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bob = emulator.user("Bob")
    waiter = press_when_asked(emulator, alice, "❌ Deny")
    with pytest.raises(NotApproved, match="delivery person: not approved"):
        store.register_courier(bob.id, "Bob", actor="owner")
    waiter.join()
    assert store.courier_name(bob.id) is None
    order_id = packed_order(store)
    with pytest.raises(StoreError, match="not a registered delivery person"):
        store.assign_delivery(order_id, bob.id, actor="owner")
    register(store, emulator, alice, bob)
    store.assign_delivery(order_id, bob.id, actor="owner")
    with pytest.raises(StoreError, match="is on delivery #1 already"):
        store.assign_delivery(order_id, bob.id, actor="owner")


def test_deliveries_from_the_command_line(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    env = {"TELEGRAM_API_URL": emulator.base_url, "TELEGRAM_BOT_TOKEN": emulator.token}
    folder = str(store.folder)
    bob = emulator.user("Bob")
    emulator.send(bob, "/start")
    waiter = press_when_asked(emulator, alice, "✅ Approve")
    registered = run_cli(
        "store", "--dir", folder, "delivery", "register", str(bob.id), "Bob", env=env
    )
    waiter.join()
    assert registered.returncode == 0 and "Bob" in registered.stdout
    order_id = packed_order(store)
    assigned = run_cli(
        "store", "--dir", folder, "delivery", "assign", str(order_id), str(bob.id), env=env
    )
    assert assigned.returncode == 0 and f"order #{order_id} sent" in assigned.stdout
    assert emulator.wait_for(bob.id, lambda m: m.reply_markup is not None, timeout=10)
    bad = run_cli("store", "--dir", folder, "delivery", "assign", "x", "y", env=env)
    assert bad.returncode == 1 and "usage: delivery" in bad.stderr
