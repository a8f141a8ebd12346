"""``telewire store demo``: a store, its owner's bot and the owner's chat, on the emulator.

With ``--script`` a made-up day plays through (sign-in, bills, an approved refund, a
refused deletion, an order whose cancellation is refused once packed, its PDF invoice,
the owner's reports with /orders and /due, a forged record caught by /verify) and the
owner's chat is printed. Without it, the store keeps running and the page shows the
owner's chat, where you press the approval buttons yourself.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

OWNER_ID, OWNER_NAME = 1, "Olga"
PRODUCTS = [
    ("COF", "Coffee", "3.50", 40),
    ("CRO", "Croissant", "2.20", 12),
    ("TEA", "Tea", "2.80", 4),
    ("SAN", "Sandwich", "6.90", 20),
]


class AutoOwner:
    """Plays the owner in --script mode: presses Approve or Deny on approval requests, in turn."""

    def __init__(self, handle: Any, owner: Any, answers: list[str]) -> None:
        self.handle, self.owner, self.answers = handle, owner, answers
        self.seen: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05) and self.answers:
            for message in self.handle.messages(self.owner.id):
                if message.message_id in self.seen or not (message.text or "").startswith(
                    "🔐 Approval needed"
                ):
                    continue
                if message.reply_markup is None:
                    continue
                self.seen.add(message.message_id)
                self.handle.press(self.owner, message, button=self.answers.pop(0))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def run_demo(*, script: bool, port: int = 8081, folder: str | None = None) -> int:
    from telewire.apps.store.bot import build_router
    from telewire.apps.store.service import HEARTBEAT, NotApproved, Store
    from telewire.emulator import Emulator
    from telewire.testing import EmulatorHandle, TestUser

    try:
        emulator = Emulator(port=port).in_thread()
    except OSError:
        emulator = Emulator(port=0).in_thread()
    os.environ.update(TELEGRAM_API_URL=emulator.base_url, TELEGRAM_BOT_TOKEN=emulator.token)
    handle = EmulatorHandle(emulator.base_url, emulator.token)
    owner = TestUser(id=OWNER_ID, first_name=OWNER_NAME, username="owner")
    handle.send(owner, "/start")
    where = Path(folder or tempfile.mkdtemp(prefix="telewire-store-"))
    Store.create(where, owner_id=owner.id, tax_percent="10")
    store = Store(where, deliver=True, approval_timeout=60)
    (where / HEARTBEAT).write_text(str(time.time()))
    bot = handle.run(build_router(store)).start()
    robot = (
        AutoOwner(handle, owner, ["✅ Approve", "✅ Approve", "❌ Deny", "❌ Deny"])
        if script
        else None
    )
    try:
        for sku, name, price, stock in PRODUCTS:
            store.add_product(sku, name, price, stock, actor="manager")
        if script:
            print("cashier ann asks to sign in... the owner approves in Telegram")
            store.login("ann")
        bills = [
            store.issue_bill([("COF", 2), ("CRO", 1)], cashier="ann"),
            store.issue_bill([("SAN", 1), ("TEA", 1)], cashier="ann", payment="card"),
            store.issue_bill([("COF", 1)], cashier="ann", discount="0.50"),
        ]
        print(store.receipt(bills[0]))
        if not script:
            return _interactive(emulator, owner, where, store, bills)
        store.refund(bills[1], "2.80", "tea was cold", actor="ann")
        print(f"refund of bill #{bills[1]} approved and applied")
        try:
            store.delete_bill(bills[2], actor="ann")
        except NotApproved as refused:
            print(f"deleting bill #{bills[2]} was refused: {refused}")
        customer = store.add_customer("Dana", "555-0101", actor="manager")
        order = store.place_order(
            [("CRO", 6)], customer_id=customer, due=time.strftime("%Y-%m-%d"), actor="manager",
            payment="account",
        )  # fmt: skip
        store.advance_order(order, actor="manager")
        try:
            store.cancel_order(order, "customer called", actor="ann")
        except NotApproved as refused:
            print(f"cancelling packed order #{order} was refused: {refused}")
        store.advance_order(order, actor="manager")
        store.advance_order(order, actor="manager")
        store.send_invoice("order", order, actor="manager")
        for command in ("/sales", "/stock", "/orders", "/due", "/report week", "/verify"):
            handle.send(owner, command)
            handle.expect_reply(owner.id, timeout=10)
        db = sqlite3.connect(where / "store.db")
        db.execute("UPDATE bills SET total = 100 WHERE id = ?", (bills[0],))  # the manager's trick
        db.commit()
        db.close()
        handle.send(owner, "/verify")
        caught = handle.expect_reply(owner.id, timeout=10)
        store.outbox.flush(15)
        print("\nThe owner's chat:")
        for message in handle.messages(owner.id):
            who = "owner" if message.from_user and not message.from_user.is_bot else "bot"
            body = message.text or message.caption or ""
            if message.photo:
                body = f"[photo: sales chart] {body}"
            if message.document:
                body = f"[document: {message.document.file_name}] {body}"
            print(f"  {who:>5}: " + body.replace("\n", "\n         "))
        return 0 if "was changed after it was issued" in (caught.text or "") else 1
    finally:
        if robot is not None:
            robot.stop()
        bot.stop()
        store.close()
        handle.close()
        emulator.close()


def _interactive(emulator: Any, owner: Any, where: Path, store: Any, bills: list[int]) -> int:
    print(f"\nThe store runs in {where} against the built-in emulator.")
    print(f"  The owner's chat:  {emulator.page_url}?user={owner.id}")
    print("  Try /sales, /stock, /report week, /verify there. From another terminal:")
    print(f"    export TELEGRAM_API_URL={emulator.base_url} TELEGRAM_BOT_TOKEN={emulator.token}")
    print(f"    telewire store --dir {where} refund {bills[0]} 1.00 --reason test --by ann")
    print("  and approve or deny on the page. Ctrl-C stops.", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
