"""A small program using telewire's public surface as a user would: type-checked, not run.

tests/typing/test_typed_surface.py checks it with ``mypy --strict --disallow-any-expr``
and ``pyright --strict``: no error, and no ``Any`` from telewire reaching this code.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Literal

from typing_extensions import assert_type

import telewire
from telewire import (
    ApprovalBook,
    AsyncBot,
    AsyncOutbox,
    Bot,
    Decision,
    Ledger,
    Outbox,
    Router,
    TelegramHandler,
    approvals_router,
)
from telewire.features.outbox import OutboxStatus
from telewire.testing import CallbackAnswer, EmulatorHandle
from telewire.types import InlineKeyboardMarkup, Message, User


def record_bill(db: sqlite3.Connection, number: int) -> list[int]:
    outbox = Outbox(
        "billing.db", token="123:" + "a" * 35, base_url="http://127.0.0.1:8081", chat_id=42
    )
    with db:
        db.execute("INSERT INTO bills VALUES (?)", (number,))
        ids = outbox.notify(f"Bill #{number}", connection=db, disable_notification=True)
    status = outbox.status()
    assert_type(status, OutboxStatus)
    pending: int = status["pending"] + status["delivered"] + status["dead"]
    logging.getLogger().addHandler(TelegramHandler(outbox, level=logging.ERROR))
    ledger = Ledger("audit.db", outbox=outbox, chat_id=42)
    entry = ledger.record("sale", actor="cashier:ann", message=f"{pending} pending")
    return [*ids, entry.seq]


async def tell_async() -> OutboxStatus:
    async with AsyncOutbox("outbox.db", chat_id=42, max_backoff=5.0) as outbox:
        await outbox.notify("async hello")
        return outbox.status()


def refund(book: ApprovalBook) -> bool:
    router = Router()
    router.include(approvals_router(book))
    with Bot(base_url="http://127.0.0.1:8081", timeout=10.0) as bot:
        decision = telewire.ask("Refund bill #42?", book=book, client=bot, timeout=60.0)
    assert_type(decision, Decision)
    status: Literal["pending", "approved", "denied", "expired"] = decision.status
    who: User | None = decision.by
    name = who.first_name if who is not None else status
    markup = book.buttons(decision.request_id)
    assert_type(markup, InlineKeyboardMarkup)
    return decision.approved and bool(name)


async def refund_async() -> Decision:
    async with AsyncBot() as bot:
        return await telewire.ask_async("Ship it?", approvers=[42], client=bot, listen=False)


def drive(emulator: EmulatorHandle) -> str | None:
    alice = emulator.user("Alice")
    asked: Message = emulator.wait_for(
        alice.id, lambda m: m.text is not None and "Refund" in m.text, timeout=10.0
    )
    answer = emulator.press(alice, asked, button="Approve")
    assert_type(answer, CallbackAnswer | None)
    with emulator.down():
        pass
    emulator.stop()
    emulator.start()
    return answer["text"] if answer is not None and not answer["show_alert"] else None
