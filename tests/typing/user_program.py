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


def audit(ledger: Ledger, bill: dict[str, str]) -> list[str]:
    entries = ledger.entries(limit=10)
    kinds = [entry.kind for entry in entries]
    problems = [str(problem) for problem in ledger.problems()]
    seal = ledger.seal("bill:42", bill, kind="bill.issue", actor="cashier:ann")
    check = ledger.check_seal("bill:42", bill)
    status: Literal["intact", "changed", "missing", "unsealed", "retired"] = check.status
    return [*kinds, *problems, seal.key, status, str(check.ok)]


def a_bot() -> Router:
    router = Router()
    keyboard = telewire.InlineKeyboard().button("👍", "like").markup()

    @router.text("hello", ignore_case=True)
    async def hello(ctx: telewire.Context) -> None:
        await ctx.reply("Hey there!", reply_markup=keyboard)

    @router.callback("like")
    async def liked(ctx: telewire.Context) -> None:
        await ctx.answer("Thanks!")

    @router.command("start", filter=telewire.F.private)
    async def start(ctx: telewire.Context) -> None:
        sent = await ctx.bot.send_message(chat_id=ctx.chat_id or 0, text="hi")
        assert_type(sent, Message)

    return router


def tell_quickly() -> None:
    telewire.notify("Nightly import finished")
    with Bot(retry=telewire.RetryPolicy(attempts=3)) as bot:
        me = bot.get_me()
        data: bytes = bot.download("file-id")
        try:
            bot.send_message(chat_id=me.id, text=f"{len(data)} bytes")
        except telewire.RetryAfter as exc:
            print(exc.retry_after)
    telewire.run_polling(a_bot(), offsets="bot.offset")
