"""The owner's /price and /threshold dialogs end to end through the emulator, kept in the
store's state.db (so a restarted bot carries on), and the low-stock alert they set up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from telewire.apps.store.bot import build_router
from telewire.apps.store.service import HEARTBEAT, STATE, Store
from telewire.testing import EmulatorHandle, TestUser


def open_shop(folder: Path) -> Store:
    shop = Store(folder, deliver=True, limits=None, approval_timeout=15)
    (shop.folder / HEARTBEAT).write_text(str(time.time()))
    return shop


@pytest.fixture
def folder(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("TELEGRAM_API_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", emulator.token)
    Store.create(tmp_path / "shop", owner_id=alice.id, tax_percent="10")
    shop = open_shop(tmp_path / "shop")
    shop.add_product("COF", "Coffee", "3.50", 10, actor="manager")
    shop.add_product("SAN", "Sandwich", "6.90", 2, actor="manager")
    assert shop.outbox.flush(10)  # so that no mirror message lands between two questions
    with emulator.run(build_router(shop)):  # answers the owner's /start
        bot_says(emulator, alice, "I report on your store")
    shop.close()
    yield tmp_path / "shop"


def bot_says(emulator: EmulatorHandle, owner: TestUser, text: str) -> str:
    found = emulator.wait_for(
        owner.id, lambda m: text in (m.text or m.caption or ""), timeout=10, what=repr(text)
    )
    return found.text or found.caption or ""


def test_a_price_changed_by_dialog_survives_a_restart_and_is_on_the_record(
    emulator: EmulatorHandle, alice: TestUser, folder: Path
) -> None:
    talk = emulator.dialog(alice)
    shop = open_shop(folder)
    with emulator.run(build_router(shop)):
        talk.send("/price").expect(
            "Which product's price?", buttons=["Coffee (COF)", "Sandwich (SAN)"]
        )
        talk.press("Coffee (COF)").expect("Coffee costs 3.50. The new price?")
    shop.close()
    assert (folder / STATE).exists()  # the dialog waits in the store's own folder

    shop = open_shop(folder)  # a new process, as far as the store can tell
    try:
        with emulator.run(build_router(shop)):
            talk.send("about four").expect(
                "'about four' is not a price: write it like 3.80.\nCoffee costs 3.50.", exact=False
            )
            talk.send("0").expect("A price must be above 0.00")
            talk.send("3.80").expect(
                "Change the price of Coffee from 3.50 to 3.80?", buttons=["Yes", "No"]
            )
            talk.press("Yes")
            bot_says(emulator, alice, "✅ Coffee costs 3.80 from now on.")
            assert shop.product("COF")["price"] == 380
            assert shop.outbox.flush(10)
            mirrored = bot_says(emulator, alice, "🏷 Price of COF")
        assert "3.50 → 3.80 (owner)" in mirrored and "🔗 ledger" in mirrored
        changes = [e for e in shop.ledger.entries() if e.kind == "product.price"]
        assert len(changes) == 1 and changes[0].actor == "owner"
        assert changes[0].data == {"sku": "COF", "old": "3.50", "new": "3.80"}
        assert not [e for e in shop.ledger.entries() if e.kind.startswith("approval.")]
        questions = talk.questions()
        assert questions.count("🏷 Which product's price?") == 1
        assert sum("The new price?" in q for q in questions) == 3  # asked, then re-asked twice
        assert shop.verify() == []
    finally:
        shop.close()


def test_no_and_cancel_leave_the_price_alone(
    emulator: EmulatorHandle, alice: TestUser, folder: Path
) -> None:
    talk = emulator.dialog(alice)
    shop = open_shop(folder)
    try:
        with emulator.run(build_router(shop)):
            talk.send("/price").expect("Which product's price?")
            talk.press("Sandwich (SAN)").expect("Sandwich costs 6.90.")
            talk.send("7").expect("from 6.90 to 7.00?")
            talk.press("No").expect("Nothing changed.", exact=True)
            talk.send("/price").expect("Which product's price?")
            talk.press("Coffee (COF)").expect("Coffee costs 3.50.")
            talk.send("/cancel").expect("Cancelled.", exact=True)
            talk.send("/cancel").expect("There is nothing to cancel.", exact=True)
        assert [p["price"] for p in shop.products()] == [350, 690]
        assert not [e for e in shop.ledger.entries() if e.kind == "product.price"]
    finally:
        shop.close()


def test_a_threshold_set_by_dialog_alerts_the_owner_and_shapes_stock(
    emulator: EmulatorHandle, alice: TestUser, folder: Path
) -> None:
    talk = emulator.dialog(alice)
    shop = open_shop(folder)
    try:
        with emulator.run(build_router(shop)):
            talk.send("/threshold").expect(
                "Which product should I watch?", buttons=["Coffee (COF)", "Sandwich (SAN)"]
            )
            talk.press("Coffee (COF)").expect("Coffee: 10 in stock, you hear at 5 now.")
            talk.send("lots").expect("'lots' is not a number of items")
            talk.send("8")
            bot_says(emulator, alice, "✅ I will tell you when Coffee is down to 8.")
            assert shop.product("COF")["low_stock"] == 8
            shop.issue_bill([("COF", 1)], cashier="ann")  # 9 left: above, no alert
            shop.issue_bill([("COF", 1)], cashier="ann")  # 8 left: at the threshold
            shop.issue_bill([("COF", 1)], cashier="ann")  # 7: still low, no second alert
            assert shop.outbox.flush(10)
            alert = bot_says(emulator, alice, "⚠️ Low stock: Coffee (COF)")
            assert "is down to 8 (you asked to hear at 8)" in alert
            talk.send("/stock")
            stock = bot_says(emulator, alice, "Running low")
        assert "COF Coffee: 7 left (threshold 8)" in stock
        assert "SAN Sandwich: 2 left (threshold 5)" in stock
        texts = [m.text or "" for m in emulator.bot_messages(alice.id)]
        assert sum(t.startswith("⚠️ Low stock") for t in texts) == 1
        kinds = [e.kind for e in shop.ledger.entries()]
        assert kinds.count("product.threshold") == 1 and kinds.count("stock.low") == 1
        threshold = next(e for e in shop.ledger.entries() if e.kind == "product.threshold")
        assert threshold.actor == "owner" and threshold.data == {"sku": "COF", "old": 5, "new": 8}
    finally:
        shop.close()
