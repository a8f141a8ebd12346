"""``telewire store demo``: a store, its owner's bot and the owner's chat, on the emulator.

With ``--script`` a made-up day plays through (sign-in, bills, an approved refund, a
refused deletion, the owner changing a price and a low-stock threshold by dialog, an
order that trips that threshold and whose cancellation is refused once packed, its
delivery by a registered delivery person with a photo as proof, its PDF invoice, a shift
reminder and check-in, the owner's reports with /orders, /due and /shifts, the closing
report at the owner's chosen time, a forged record caught by /verify) and the owner's
chat is printed. The store's jobs run on a fake clock there, so the evening comes at once.
Without it, the store keeps running and the page shows the
owner's chat, where you press the approval buttons yourself.
"""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

OWNER_ID, OWNER_NAME = 1, "Olga"
COURIER_ID, COURIER_NAME = 2, "Bob"
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
    from telewire.apps.store.schedule import start_jobs, store_scheduler
    from telewire.apps.store.service import HEARTBEAT, NotApproved, Store
    from telewire.emulator import Emulator
    from telewire.jobs import FakeClock
    from telewire.testing import EmulatorHandle, TestUser

    try:
        emulator = Emulator(port=port).in_thread()
    except OSError:
        emulator = Emulator(port=0).in_thread()
    os.environ.update(TELEGRAM_API_URL=emulator.base_url, TELEGRAM_BOT_TOKEN=emulator.token)
    handle = EmulatorHandle(emulator.base_url, emulator.token)
    owner = TestUser(id=OWNER_ID, first_name=OWNER_NAME, username="owner")
    courier = TestUser(id=COURIER_ID, first_name=COURIER_NAME, username="bob")
    handle.send(owner, "/start")
    handle.send(courier, "/start")  # a bot writes only to who wrote first
    where = Path(folder or tempfile.mkdtemp(prefix="telewire-store-"))
    Store.create(where, owner_id=owner.id, tax_percent="10")
    store = Store(where, deliver=True, approval_timeout=60)
    (where / HEARTBEAT).write_text(str(time.time()))
    clock = FakeClock(time.time()) if script else None
    jobs = store_scheduler(store, clock=clock)
    asyncio.run(start_jobs(jobs, store))
    bot = handle.run(build_router(store, jobs), jobs=jobs).start()
    robot = (
        AutoOwner(handle, owner, ["✅ Approve", "✅ Approve", "❌ Deny", "❌ Deny", "✅ Approve"])
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
        assert clock is not None
        store.refund(bills[1], "2.80", "tea was cold", actor="ann")
        print(f"refund of bill #{bills[1]} approved and applied")
        try:
            store.delete_bill(bills[2], actor="ann")
        except NotApproved as refused:
            print(f"deleting bill #{bills[2]} was refused: {refused}")
        talk = _Talk(handle, owner)
        print("the owner changes the price of tea in a dialog: /price")
        talk.say("/price", "Which product's price?").press("Tea (TEA)", "The new price?")
        talk.say("three", "is not a price").say("3.10", "Change the price of Tea")
        talk.press("Yes", "✅ Tea costs 3.10")
        print("...and asks to hear when croissants are down to 6: /threshold")
        talk.say("/threshold", "Which product should I watch?")
        talk.press("Croissant (CRO)", "Tell you when").say("6", "✅ I will tell you")
        customer = store.add_customer("Dana", "555-0101", actor="manager")
        order = store.place_order(
            [("CRO", 6)], customer_id=customer, due=time.strftime("%Y-%m-%d"), actor="manager",
            payment="account",
        )  # fmt: skip
        talk.wait("⚠️ Low stock: Croissant")
        print(f"order #{order} took croissants to their threshold: the owner is told")
        store.advance_order(order, actor="manager")
        try:
            store.cancel_order(order, "customer called", actor="ann")
        except NotApproved as refused:
            print(f"cancelling packed order #{order} was refused: {refused}")
        _deliver(handle, store, courier, order)
        store.send_invoice("order", order, actor="manager")
        _shift(handle, store, jobs, clock, courier)
        for command in ("/sales", "/stock", "/orders", "/due", "/shifts", "/report week"):
            handle.send(owner, command)
            handle.expect_reply(owner.id, timeout=10)
        talk.say("/closing 21:30 Europe/Berlin", "The closing report comes every day at 21:30")
        (closing,) = [j for j in asyncio.run(jobs.list()) if j.id == "store.closing"]
        print("the clock moves on to 21:30 in Berlin: the closing report comes")
        clock.set(closing.next_run or 0)
        store.outbox.flush(30)  # the report is a ledger message, behind the others
        talk.wait("🌙 Closing")
        handle.wait_for(
            owner.id, lambda m: "🌙 Sales of the 7 days" in (m.caption or ""), timeout=15
        )
        handle.send(owner, "/verify")
        handle.expect_reply(owner.id, timeout=10)
        db = sqlite3.connect(where / "store.db")
        db.execute("UPDATE bills SET total = 100 WHERE id = ?", (bills[0],))  # the manager's trick
        db.commit()
        db.close()
        handle.send(owner, "/verify")
        caught = talk.wait("Records were altered")
        store.outbox.flush(15)
        print("\nThe owner's chat:")
        for message in handle.messages(owner.id):
            who = "owner" if message.from_user and not message.from_user.is_bot else "bot"
            body = message.text or message.caption or ""
            if message.photo:
                chart = body.startswith(("Last 7 days", "🌙 Sales"))
                body = f"[photo: {'sales chart' if chart else 'delivery proof'}] {body}"
            if message.document:
                body = f"[document: {message.document.file_name}] {body}"
            print(f"  {who:>5}: " + body.replace("\n", "\n         "))
        return 0 if "was changed after it was issued" in caught else 1
    finally:
        if robot is not None:
            robot.stop()
        bot.stop()
        store.close()
        handle.close()
        emulator.close()


class _Talk:
    """The owner typing and pressing in their chat, waiting for each answer of the bot."""

    def __init__(self, handle: Any, owner: Any) -> None:
        self.handle, self.owner, self.last = handle, owner, 0
        self.asked: Any = None

    def wait(self, text: str) -> str:
        def new(message: Any) -> bool:
            return message.message_id > self.last and text in (message.text or "")

        found = self.handle.wait_for(self.owner.id, new, timeout=15, what=repr(text))
        self.asked = found
        return str(found.text)

    def say(self, text: str, answer: str) -> _Talk:
        self.last = self.handle.send(self.owner, text).message_id
        self.wait(answer)
        return self

    def press(self, button: str, answer: str) -> _Talk:
        self.last = max(m.message_id for m in self.handle.messages(self.owner.id))
        self.handle.press(self.owner, self.asked, button=button)
        self.wait(answer)
        return self


def _deliver(handle: Any, store: Any, courier: Any, order: int) -> None:
    """Register Bob for deliveries (the owner approves), give him the order, let him go."""
    from PIL import Image

    store.register_courier(courier.id, COURIER_NAME, actor="manager")
    delivery = store.assign_delivery(order, courier.id, actor="manager")
    given = handle.wait_for(courier.id, lambda m: m.reply_markup is not None, timeout=15)
    handle.press(courier, given, button="📦 Picked up", timeout=15)
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), "tan").save(photo, format="PNG")
    handle.send_photo(courier, photo.getvalue(), caption=f"#{delivery}")
    handle.wait_for(courier.id, lambda m: "Kept as proof" in (m.text or ""), timeout=15)
    handle.press(courier, given, button="✅ Delivered", timeout=15)
    print(f"{COURIER_NAME} delivered order #{order} (delivery #{delivery}) with a photo as proof")


def _shift(handle: Any, store: Any, jobs: Any, clock: Any, courier: Any) -> None:
    """Plan Bob's shift in 20 minutes; the reminder job comes 15 minutes before; he checks in."""
    from telewire.apps.store.schedule import schedule_shift_reminders

    starts = clock.now() + 20 * 60
    shift = store.plan_shift("bob", courier.id, starts, starts + 4 * 3600, actor="manager")
    asyncio.run(schedule_shift_reminders(jobs, store))
    clock.advance(5 * 60)
    reminder = handle.wait_for(
        courier.id, lambda m: f"Your shift #{shift}" in (m.text or ""), timeout=15
    )
    handle.press(courier, reminder, button="🟢 Check in", timeout=15)
    print(f"{COURIER_NAME} got the reminder of shift #{shift} and checked in")


def _interactive(emulator: Any, owner: Any, where: Path, store: Any, bills: list[int]) -> int:
    print(f"\nThe store runs in {where} against the built-in emulator.")
    print(f"  The owner's chat:  {emulator.page_url}?user={owner.id}")
    print("  Try /sales, /stock, /price, /threshold, /closing 21:30 Europe/Berlin, /report week,")
    print("  /verify there. From another terminal:")
    print(f"    export TELEGRAM_API_URL={emulator.base_url} TELEGRAM_BOT_TOKEN={emulator.token}")
    print(f"    telewire store --dir {where} refund {bills[0]} 1.00 --reason test --by ann")
    print("  and approve or deny on the page. Ctrl-C stops.", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
