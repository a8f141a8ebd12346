"""The store end to end through the emulator: bills, approvals, the owner's bot, tampering."""

from __future__ import annotations

import io
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from telewire.apps.store.bot import build_router
from telewire.apps.store.service import HEARTBEAT, NotApproved, Store, StoreError
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import Message
from tests.conftest import run_cli


@pytest.fixture
def store(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    monkeypatch.setenv("TELEGRAM_API_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", emulator.token)
    Store.create(tmp_path / "shop", owner_id=alice.id, tax_percent="10")
    shop = Store(tmp_path / "shop", deliver=True, limits=None, approval_timeout=15)
    shop.add_product("COF", "Coffee", "3.50", 10, actor="manager")
    shop.add_product("SAN", "Sandwich", "6.90", 2, actor="manager")
    (shop.folder / HEARTBEAT).write_text(str(time.time()))
    with emulator.run(build_router(shop)):
        yield shop
    shop.close()


def press_when_asked(emulator: EmulatorHandle, owner: TestUser, button: str) -> threading.Thread:
    def answer() -> None:
        asked = emulator.wait_for(
            owner.id,
            lambda m: bool(m.reply_markup and "Approval needed" in (m.text or "")),
            timeout=15,
            what="an approval request",
        )
        emulator.press(owner, asked, button=button)

    thread = threading.Thread(target=answer)
    thread.start()
    return thread


def owner_texts(emulator: EmulatorHandle, owner: TestUser) -> list[str]:
    return [m.text or m.caption or "" for m in emulator.bot_messages(owner.id)]


def test_a_bill_reaches_the_owner_with_correct_totals(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bill_id = store.issue_bill(
        [("COF", 2), ("SAN", 1)], cashier="ann", discount="1.00", payment="card"
    )
    bill = store.bill(bill_id)
    assert (bill["subtotal"], bill["discount"], bill["tax"], bill["total"]) == (
        1390,
        100,
        129,
        1419,
    )
    assert store.outbox.flush(10)
    message = next(t for t in owner_texts(emulator, alice) if t.startswith(f"🧾 Bill #{bill_id}"))
    assert "total 14.19 (card)" in message and "2 × Coffee @ 3.50" in message
    assert "subtotal 13.90, discount 1.00, tax 1.29" in message and "cashier ann" in message
    entry = store.ledger.entries()[-1]
    assert entry.kind == "bill.issue" and entry.short in message
    assert store.product("COF")["stock"] == 8


@pytest.mark.parametrize(
    ("lines", "discount", "error"),
    [
        ([("NOPE", 1)], "0", "unknown product 'NOPE'"),
        ([("COF", -1)], "0", "quantity of COF must be positive"),
        ([("SAN", 3)], "0", "only 2 of SAN in stock"),
        ([("COF", 1), ("SAN", 5)], "0", "only 2 of SAN in stock"),
        ([("COF", 1)], "1.2.3", "malformed amount"),
        ([("COF", 1)], "99", "discount is larger than the bill"),
    ],
)
def test_invalid_bills_change_nothing(
    store: Store, lines: list[tuple[str, int]], discount: str, error: str
) -> None:
    before = [dict(p) for p in store.products()]
    entries = len(store.ledger.entries())
    with pytest.raises(StoreError, match=error):
        store.issue_bill(lines, cashier="ann", discount=discount)
    assert [dict(p) for p in store.products()] == before
    assert store.db.execute("SELECT COUNT(*) FROM bills").fetchone()[0] == 0
    assert len(store.ledger.entries()) == entries
    with pytest.raises(StoreError, match="malformed amount"):
        store.add_product("X", "X", "-3", 1, actor="m")


def test_refund_happens_only_after_approval(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bill_id = store.issue_bill([("COF", 2)], cashier="ann")
    waiter = press_when_asked(emulator, alice, "✅ Approve")
    store.refund(bill_id, "3.50", "spilled", actor="ann")
    waiter.join()
    assert store.bill(bill_id)["refunded"] == 350
    kinds = [e.kind for e in store.ledger.entries()]
    assert kinds[-2:] == ["approval.approved", "bill.refund"]


def test_denied_actions_change_nothing_and_are_recorded(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bill_id = store.issue_bill([("COF", 1)], cashier="ann")
    before = store.bill(bill_id)
    for action in (
        lambda: store.refund(bill_id, "1.00", "x", actor="ann"),
        lambda: store.delete_bill(bill_id, actor="ann"),
        lambda: store.set_price("COF", "0.10", actor="ann"),
    ):
        waiter = press_when_asked(emulator, alice, "❌ Deny")
        with pytest.raises(NotApproved, match="denied by Alice"):
            action()
        waiter.join()
    assert store.bill(bill_id) == before and store.product("COF")["price"] == 350
    assert [e.kind for e in store.ledger.entries()][-3:] == ["approval.denied"] * 3
    assert store.verify() == []


def test_the_owners_bot_answers_only_the_owner(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    store.issue_bill([("COF", 3)], cashier="ann")
    emulator.send(alice, "/sales")
    report = emulator.wait_for(alice.id, lambda m: (m.text or "").startswith("📊 Sales"))
    assert "1 bills, total 11.55" in (report.text or "")
    emulator.send(alice, "/stock")
    assert "SAN Sandwich: 2 left" in (
        emulator.wait_for(alice.id, lambda m: "Running low" in (m.text or "")).text or ""
    )
    stranger = emulator.user("Manager")
    accesses = len([e for e in store.ledger.entries() if e.kind.startswith("access.")])
    emulator.send(stranger, "/sales")
    refusal = emulator.expect_reply(stranger.id)
    assert refusal.text == "Sorry, this bot only serves its owner."
    assert len([e for e in store.ledger.entries() if e.kind.startswith("access.")]) == accesses


def test_the_week_report_is_a_png_chart_sent_as_a_photo(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    from PIL import Image

    from telewire import Bot

    store.issue_bill([("COF", 1)], cashier="ann")
    emulator.send(alice, "/report week")
    photo: Message = emulator.wait_for(alice.id, lambda m: m.photo is not None, timeout=10)
    assert photo.caption == "Last 7 days: 3.85 in all"
    data = Bot(emulator.token, base_url=emulator.base_url).download(photo.photo[-1].file_id)  # type: ignore[index]
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(data)).size == (640, 360)


@pytest.mark.parametrize("trick", ["change a total", "delete a bill", "insert a bill"])
def test_tampering_behind_the_programs_back_is_detected(
    store: Store, emulator: EmulatorHandle, alice: TestUser, trick: str
) -> None:
    first = store.issue_bill([("COF", 2)], cashier="ann")
    store.issue_bill([("SAN", 1)], cashier="ann")
    assert store.verify() == []
    db = sqlite3.connect(store.folder / "store.db")
    if trick == "change a total":
        db.execute("UPDATE bills SET total = 100 WHERE id = ?", (first,))
        expected = f"bill #{first} was changed after it was issued (total now 1.00)"
    elif trick == "delete a bill":
        db.execute("DELETE FROM bill_lines WHERE bill_id = ?", (first,))
        db.execute("DELETE FROM bills WHERE id = ?", (first,))
        expected = f"bill #{first} was deleted without approval"
    else:
        db.execute(
            "INSERT INTO bills VALUES (99, 0, '2026-01-01', 'ann', NULL, 1, 0, 0, 1, 'cash', 0)"
        )
        expected = "bill #99 is not in the ledger"
    db.commit()
    db.close()
    assert any(expected in p for p in store.verify())
    emulator.send(alice, "/verify")
    answer = emulator.wait_for(alice.id, lambda m: "Records were altered" in (m.text or ""))
    assert expected in (answer.text or "")
    result = run_cli(
        "store",
        "--dir",
        str(store.folder),
        "verify",
        env={"TELEGRAM_API_URL": emulator.base_url, "TELEGRAM_BOT_TOKEN": emulator.token},
    )
    assert result.returncode == 1 and expected in result.stdout


def test_the_till_from_the_command_line(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    env = {"TELEGRAM_API_URL": emulator.base_url, "TELEGRAM_BOT_TOKEN": emulator.token}
    folder = str(store.folder)
    not_signed_in = run_cli("store", "--dir", folder, "bill", "--cashier", "bob", "COF:1", env=env)
    assert not_signed_in.returncode == 1 and "not signed in" in not_signed_in.stderr
    waiter = press_when_asked(emulator, alice, "✅ Approve")
    assert run_cli("store", "--dir", folder, "login", "bob", env=env).returncode == 0
    waiter.join()
    billed = run_cli(
        "store", "--dir", folder, "bill", "--cashier", "bob", "COF:2", "--payment", "card", env=env
    )
    assert billed.returncode == 0, billed.stderr
    assert "TOTAL" in billed.stdout and "7.70" in billed.stdout
    bad = run_cli("store", "--dir", folder, "bill", "--cashier", "bob", "COF:x", env=env)
    assert bad.returncode == 1 and "SKU:QUANTITY" in bad.stderr
    listing = run_cli("store", "--dir", folder, "product", "list", env=env)
    assert "Coffee" in listing.stdout and "8" in listing.stdout


def test_the_scripted_store_demo_runs() -> None:
    result = run_cli(
        "store",
        "demo",
        "--script",
        "--port",
        "0",
        env={"XDG_STATE_HOME": os.environ.get("TMPDIR", "/tmp")},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "was changed after it was issued" in result.stdout
    assert "Denied by Olga" in result.stdout and "[photo: sales chart]" in result.stdout
    assert "cancelling packed order #1 was refused" in result.stdout
    assert "[document: invoice-1.pdf] Invoice #1 for order #1" in result.stdout
    assert "💶 Owed to the store: 14.52 in 1" in result.stdout
    out = result.stdout
    # The price dialog, re-asking a bad price; the change on the record.
    assert "'three' is not a price: write it like 3.80." in out
    assert "Change the price of Tea from 2.80 to 3.10?" in out and "✅ Tea costs 3.10" in out
    assert "🏷 Price of TEA: 2.80 → 3.10 (owner)" in out
    # The threshold set by dialog, and the alert the order then trips.
    assert "✅ I will tell you when Croissant is down to 6." in out
    assert "⚠️ Low stock: Croissant (CRO) is down to 5 (you asked to hear at 6)" in out
    assert "CRO Croissant: 5 left (threshold 6)" in out
    # The delivery with its proof, and the shift reminder's check-in.
    assert "Delivery #1 (order #1): delivered (Bob)" in out
    assert "[photo: delivery proof] 📷 Proof for delivery #1" in out
    assert "🕘 bob checked in (shift #1)" in out and "bob: in" in out
    # The closing report at the chosen time, with its chart.
    assert "🌙 The closing report comes every day at 21:30 Europe/Berlin; next:" in out
    assert "🌙 Closing " in out and "Open orders: none" in out  # its day: past 21:30, tomorrow
    assert "[photo: sales chart] 🌙 Sales of the 7 days to" in out


def test_the_interactive_till_reads_actions_line_by_line(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    import subprocess
    import sys

    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
    }
    (store.folder / "sessions").mkdir(exist_ok=True)
    (store.folder / "sessions" / "cara.json").write_text(f'{{"until": {time.time() + 3600}}}')
    script = (
        "product list\nbill --cashier cara COF:1 SAN:1\nbill --cashier cara NOPE:1\n"
        "nonsense\nreceipt 1\nquit\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "telewire.cli.main", "store", "--dir", str(store.folder), "shell"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Coffee" in result.stdout and "Bill #1" in result.stdout
    assert "refused: unknown product 'NOPE'" in result.stdout
    assert "not understood" in result.stdout or "try 'help'" in result.stdout
    assert store.bill(1)["total"] == 1144


def test_the_till_shell_offers_orders_invoices_dues_shifts_and_deliveries(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    """issue 16's actions typed into a real ``telewire store shell`` process, refusals too."""
    import subprocess
    import sys

    bob = emulator.user("Bob")
    emulator.send(bob, "/start")  # a bot writes only to who wrote first
    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
    }
    script = "\n".join(
        [
            "customer add Dana --phone 555-0101",
            "order place COF:2 --customer 1 --due 2026-12-24 --payment account",
            "order place SAN:9 --customer 1 --due 2026-12-24",
            "order place COF:1 --customer 1 --due someday",
            "order advance 1",
            "order list",
            "due list",
            "invoice order 1",
            "shift ann 42 '2026-12-24 08:00' 8",
            "shift ann 42 tomorrow 8",
            f"delivery register {bob.id} Bob",
            f"delivery assign 1 {bob.id}",
            "delivery assign 1 777",
            "due paid order:1",
            "quit",
        ]
    )
    waiter = press_when_asked(emulator, alice, "✅ Approve")  # the delivery person's sign-up
    result = subprocess.run(
        [sys.executable, "-m", "telewire.cli.main", "store", "--dir", str(store.folder), "shell"],
        input=script + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    waiter.join()
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "customer #1 added" in out and "order #1 placed, total 7.70" in out
    assert "refused: only 2 of SAN in stock, not 9" in out
    assert "refused: due date 'someday' is not a day" in out
    assert "order #1 is now packed" in out and "Dana" in out
    assert "💶 Owed to the store: 7.70 in 1" in out
    assert "invoice #1 for order #1 sent to the owner" in out
    assert "shift #1 planned for ann" in out and "refused: usage: shift PERSON USER_ID" in out
    assert f"Bob (user {bob.id}) may now take deliveries" in out
    assert f"delivery #1: order #1 sent to user {bob.id}" in out
    assert "refused: user 777 is not a registered delivery person" in out
    assert "order:1 marked paid" in out
    given = emulator.wait_for(bob.id, lambda m: m.reply_markup is not None, timeout=10)
    assert "Delivery #1 for Dana" in (given.text or "")
    kinds = [e.kind for e in store.ledger.entries()]
    for kind in ("order.place", "invoice.issue", "shift.plan", "courier.register", "payment.paid"):
        assert kind in kinds
    assert store.verify() == []
