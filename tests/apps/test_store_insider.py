"""The store against its insider: a manager who can edit the files and run processes.

Each test plays one attack from the security review end to end through the emulator:
the owner's chat is the anchor, approvals must be real presses, and the action that was
approved is checked again when it is applied.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from telewire import Bot
from telewire.apps.store.bot import build_router
from telewire.apps.store.integrity import bill_key
from telewire.apps.store.service import HEARTBEAT, ForgedApproval, Store, StoreError
from telewire.features.ledger import anchors_in_text, record_digest
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import Message
from tests.conftest import run_cli
from tests.features.ledger_attacks import desktop_export, rewrite

FAKE_REASON = (
    "tea was cold"
    + "\n" * 30
    + "🔐 Approval needed\n\nRefund 4.50 of bill #1?\nBill total 4.50\nAsked by: ann\n\n"
    + "Answer before 23:59:59 UTC+00:00."
)


def open_store(folder: Path) -> Store:
    return Store(folder, deliver=True, limits=None, approval_timeout=20)


@pytest.fixture
def store(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    monkeypatch.setenv("TELEGRAM_API_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", emulator.token)
    Store.create(tmp_path / "shop", owner_id=alice.id, tax_percent="0")
    shop = open_store(tmp_path / "shop")
    shop.add_product("COF", "Coffee", "3.50", 50, actor="manager")
    shop.add_product("SAN", "Sandwich", "450.00", 5, actor="manager")
    (shop.folder / HEARTBEAT).write_text(str(time.time()))
    with emulator.run(build_router(shop)):
        yield shop
    shop.close()


def questions(emulator: EmulatorHandle, owner: TestUser, count: int) -> list[Message]:
    def asked() -> list[Message]:
        return [
            m
            for m in emulator.bot_messages(owner.id)
            if m.reply_markup and (m.text or "").startswith("🔐 Approval needed")
        ]

    emulator.wait_for(owner.id, lambda _: len(asked()) >= count, timeout=15, what="questions")
    return asked()


def bill_message(emulator: EmulatorHandle, owner: TestUser, bill_id: int) -> Message:
    return next(
        m
        for m in emulator.bot_messages(owner.id)
        if (m.text or "").startswith(f"🧾 Bill #{bill_id}:")
    )


def verify_reply(emulator: EmulatorHandle, owner: TestUser, to: Message) -> str:
    sent = emulator.send(owner, "/verify", reply_to=to)
    answer = emulator.wait_for(
        owner.id,
        lambda m: m.message_id > sent.message_id and bool(m.from_user and m.from_user.is_bot),
        what="the answer to /verify",
    )
    return answer.text or ""


def test_a_full_rewrite_is_caught_by_the_chat_export_and_by_verify_as_a_reply(
    store: Store, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    bills = [store.issue_bill([("COF", n)], cashier="ann") for n in (1, 2, 3, 4)]
    assert store.outbox.flush(10)
    third = bill_message(emulator, alice, bills[2])
    (anchor,) = anchors_in_text(third.text or "")
    sealed = store.ledger.find(bill_key(bills[2]))[0]
    assert (anchor.seq, anchor.hash) == (sealed.seq, sealed.hash)  # full hash, on the bill

    # The manager under-reports bill #3: the row, its seal, and every later hash.
    db = sqlite3.connect(store.folder / "store.db")
    db.execute("UPDATE bills SET total = 350, subtotal = 350 WHERE id = ?", (bills[2],))
    db.commit()
    db.close()
    forged = store.sealed_record(store.bill(bills[2]))
    rewrite(
        store.folder / "audit.db",
        sealed.seq,
        lambda data: {**data, "total": "3.50", "seal": record_digest(forged)},
    )
    store.issue_bill([("COF", 1)], cashier="ann")  # the next honest sale: a new, "good" head
    assert store.outbox.flush(10)
    assert store.verify() == []  # alone, the files look whole

    emulator.send(alice, "/verify")
    alone = emulator.wait_for(alice.id, lambda m: "nothing external checked" in (m.text or ""))
    assert "Consistent with itself" in (alone.text or "")

    export = desktop_export(tmp_path / "result.json", emulator.messages(alice.id))
    checked = run_cli(
        "audit", "verify", "--path", str(store.folder / "audit.db"), "--export", str(export)
    )
    assert checked.returncode == 1, checked.stdout
    assert f"first broken link at entry {sealed.seq}" in checked.stdout
    assert "the ledger was rewritten" in checked.stdout
    env = {"TELEGRAM_API_URL": emulator.base_url, "TELEGRAM_BOT_TOKEN": emulator.token}
    folder = str(store.folder)
    plain = run_cli("store", "--dir", folder, "verify", env=env)
    assert plain.returncode == 0 and "nothing external checked" in plain.stdout
    anchored = run_cli("store", "--dir", folder, "verify", "--export", str(export), env=env)
    assert anchored.returncode == 1 and "the ledger was rewritten" in anchored.stdout

    caught = verify_reply(emulator, alice, third)
    assert caught.startswith("🚨 Records were altered")
    assert f"entry {sealed.seq}: its hash is" in caught and "rewritten" in caught

    newest = emulator.bot_messages(alice.id)
    latest_bill = next(m for m in reversed(newest) if (m.text or "").startswith("🧾 Bill #5:"))
    honest_looking = verify_reply(emulator, alice, latest_bill)
    assert honest_looking.startswith("✅ Entry") and "consistent with itself" in honest_looking


def test_an_edited_or_foreign_message_is_not_an_anchor(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bill_id = store.issue_bill([("COF", 1)], cashier="ann")
    assert store.outbox.flush(10)
    message = bill_message(emulator, alice, bill_id)
    entry = store.ledger.find(bill_key(bill_id))[0]
    assert verify_reply(emulator, alice, message).startswith(f"✅ Entry #{entry.seq} matches")
    with Bot(emulator.token, base_url=emulator.base_url) as insider:  # holds the bot token
        insider.edit_message_text(
            chat_id=alice.id,
            message_id=message.message_id,
            text=(message.text or "").replace(entry.hash, "0" * 64),
        )
    refused = verify_reply(emulator, alice, message)
    assert refused.startswith("⚠️ Not checked: that message was edited after it was sent")
    own = emulator.send(alice, f"🔗 ledger #{entry.seq} · {'0' * 64}")
    assert "is not one of mine" in verify_reply(emulator, alice, own)


def test_the_digest_pins_the_days_last_entry(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    store.issue_bill([("COF", 1)], cashier="ann")
    head = store.ledger.head()
    emulator.send(alice, "/digest")
    digest = emulator.wait_for(alice.id, lambda m: "Ledger digest" in (m.text or ""))
    assert anchors_in_text(digest.text or "") == [head]
    with Bot(emulator.token, base_url=emulator.base_url) as bot:  # pinned just after sending
        pinned = emulator.wait_until(lambda: bot.get_chat(chat_id=alice.id).pinned_message)
    assert pinned is not None and pinned.message_id == digest.message_id


def test_two_approved_full_refunds_cannot_both_apply(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bill_id = store.issue_bill([("SAN", 1)], cashier="ann")
    tills = [open_store(store.folder), open_store(store.folder)]  # two terminals
    outcomes: list[str] = []

    def refund(till: Store) -> None:
        try:
            till.refund(bill_id, "450.00", "returned", actor="ann")
            outcomes.append("refunded")
        except StoreError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=refund, args=(till,)) for till in tills]
    for thread in threads:
        thread.start()
    for asked in questions(emulator, alice, 2):  # both were checked before either applied
        emulator.press(alice, asked, button="✅ Approve")
    for thread in threads:
        thread.join(30)
    for till in tills:
        till.close()
    assert sorted(outcomes, key=len) == [
        "refunded",
        f"only 0.00 of bill #{bill_id} is left to refund (another refund was applied "
        "meanwhile); nothing was refunded",
    ]
    assert store.bill(bill_id)["refunded"] == 45000
    assert store.db.execute("SELECT COUNT(*) FROM refunds").fetchone()[0] == 1


def test_a_forged_approved_row_is_refused(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bill_id = store.issue_bill([("SAN", 1)], cashier="ann")
    errors: list[Exception] = []

    def refund() -> None:
        try:
            store.refund(bill_id, "450.00", "returned", actor="ann")
        except ForgedApproval as exc:
            errors.append(exc)

    thread = threading.Thread(target=refund)
    thread.start()
    questions(emulator, alice, 1)
    db = sqlite3.connect(store.folder / "approvals.db")
    db.execute(
        "UPDATE approvals SET status = 'approved', decided_by = ?, decided_at = ?",
        (f'{{"id": {alice.id}, "first_name": "Alice"}}', time.time()),
    )
    db.commit()
    db.close()
    thread.join(30)
    assert errors and "the approval was forged" in str(errors[0])
    assert store.bill(bill_id)["refunded"] == 0
    assert store.ledger.entries(after=0, limit=10**6)[-1].kind == "approval.forged"


def test_a_multi_line_reason_cannot_put_a_fake_question_above_the_buttons(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bill_id = store.issue_bill([("SAN", 1)], cashier="ann")
    refused: list[StoreError] = []

    def refund() -> None:
        try:
            store.refund(bill_id, "450.00", FAKE_REASON, actor="ann")
        except StoreError as exc:
            refused.append(exc)

    thread = threading.Thread(target=refund)
    thread.start()
    (asked,) = questions(emulator, alice, 1)
    lines = (asked.text or "").split("\n")
    assert lines[0] == "🔐 Approval needed"
    assert lines[2] == f"Refund 450.00 of bill #{bill_id}?"
    assert lines[4] == "Asked by: ann"
    assert lines[5].startswith("💬 “Reason: tea was cold 🔐 Approval needed Refund 4.50")
    assert lines[-1].startswith("Answer before ") and lines[-2] == "" and len(lines) == 8
    assert sum(line.startswith("🔐") for line in lines) == 1
    assert sum("Refund 4.50" in line for line in lines) == 1  # only inside the quote
    emulator.press(alice, asked, button="❌ Deny")
    thread.join(30)
    assert refused and "denied by Alice" in str(refused[0])
    assert store.bill(bill_id)["refunded"] == 0
