"""One way to ask (``telewire.ask`` / ``telewire.ask_async``), beside a bot or on its own."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import telewire
from telewire import AsyncBot, Bot, Context, Decision, Router, approvals_router
from telewire.features.approvals import ApprovalBook
from telewire.features.approvals.presence import answered_elsewhere
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import Message


def in_thread(ask: Callable[[], Decision], decided: list[Decision]) -> threading.Thread:
    """Ask in a daemon thread (a stuck ask must not keep the test process alive)."""
    thread = threading.Thread(target=lambda: decided.append(ask()), daemon=True)
    thread.start()
    return thread


@pytest.fixture
def book(tmp_path: Path, alice: TestUser) -> Iterator[ApprovalBook]:
    shared = ApprovalBook(tmp_path / "approvals.db", approvers=[alice.id])
    yield shared
    shared.close()


def question(emulator: EmulatorHandle, owner: TestUser, text: str) -> Message:
    return emulator.wait_for(
        owner.id,
        lambda m: m.reply_markup is not None and text in (m.text or ""),
        timeout=15,
        what="the approval question",
    )


def ping_bot(book: ApprovalBook) -> Router:
    router = Router()

    @router.text("ping")
    async def ping(ctx: Context) -> None:
        await ctx.reply("pong")

    router.include(approvals_router(book))
    return router


def test_ask_beside_a_bot_polling_the_same_token_hears_through_the_book(
    emulator: EmulatorHandle, alice: TestUser, book: ApprovalBook
) -> None:
    decided: list[Decision] = []
    with emulator.run(ping_bot(book)), Bot(emulator.token, base_url=emulator.base_url) as bot:
        asking = in_thread(
            lambda: telewire.ask("Refund bill #17?", book=book, client=bot, timeout=30), decided
        )
        asked = question(emulator, alice, "Refund bill #17?")
        emulator.send(alice, "ping")  # the bot keeps its updates: ask does not poll
        assert emulator.expect_reply(alice.id, timeout=10).text == "pong"
        answer = emulator.press(alice, asked, button="Approve")  # the label without its emoji
        assert answer == {"text": "✅ Approved", "show_alert": False}
        asking.join(30)
    [decision] = decided
    assert decision.status == "approved" and decision.approved
    assert decision.by is not None and decision.by.id == alice.id
    assert decision.by.first_name == "Alice"


def test_ask_async_is_the_twin_and_polls_itself_when_no_bot_runs(
    emulator: EmulatorHandle, alice: TestUser, book: ApprovalBook
) -> None:
    assert not answered_elsewhere(book.path)

    async def main() -> Decision:
        async with AsyncBot(emulator.token, base_url=emulator.base_url) as bot:
            return await telewire.ask_async("Rotate keys?", book=book, client=bot, timeout=30)

    decided: list[Decision] = []
    asking = in_thread(lambda: asyncio.run(main()), decided)
    asked = question(emulator, alice, "Rotate keys?")
    answer = emulator.press(alice, asked, button="Deny")
    assert answer == {"text": "❌ Denied", "show_alert": False}
    asking.join(30)
    [decision] = decided
    assert decision.status == "denied" and decision.by is not None and decision.by.id == alice.id


def test_ask_async_beside_a_bot_waits_on_the_shared_book(
    emulator: EmulatorHandle, alice: TestUser, book: ApprovalBook
) -> None:
    async def main() -> Decision:
        async with AsyncBot(emulator.token, base_url=emulator.base_url) as bot:
            return await telewire.ask_async("Ship it?", book=book, client=bot, timeout=30)

    decided: list[Decision] = []
    with emulator.run(ping_bot(book)):
        asking = in_thread(lambda: asyncio.run(main()), decided)
        asked = question(emulator, alice, "Ship it?")
        emulator.send(alice, "ping")
        assert emulator.expect_reply(alice.id, timeout=10).text == "pong"
        emulator.press(alice, asked, button="✅ Approve")
        asking.join(30)
    assert [d.status for d in decided] == ["approved"]


def test_a_router_of_a_process_that_died_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "approvals.db"
    program = (
        "import os, sys\n"
        "from telewire.features.approvals import ApprovalBook, approvals_router\n"
        "approvals_router(ApprovalBook(sys.argv[1], approvers=[1]))\n"
        "os._exit(0)  # no clean exit: the announcement stays behind\n"
    )
    subprocess.run([sys.executable, "-c", program, str(path)], check=True, timeout=60)
    assert not answered_elsewhere(path)
    alive = ApprovalBook(path, approvers=[1])
    approvals_router(alive)
    assert answered_elsewhere(path)
    alive.close()


def test_ask_takes_its_approvers_once(tmp_path: Path) -> None:
    book = ApprovalBook(tmp_path / "a.db", approvers=[1])
    with pytest.raises(ValueError, match="give the approvers to the ApprovalBook"):
        telewire.ask("x", book=book, approvers=[2])
    book.close()


def test_press_matches_a_label_with_or_without_its_emoji(
    emulator: EmulatorHandle, alice: TestUser, bot: Bot
) -> None:
    keyboard = telewire.InlineKeyboard().button("✅ Approve", "a").button("👍", "like")
    sent = bot.send_message(chat_id=alice.id, text="choose", reply_markup=keyboard.markup())
    shown = emulator.messages(alice.id)[-1]
    assert shown.message_id == sent.message_id
    assert emulator._button_data(shown, "Approve") == "a"
    assert emulator._button_data(shown, "✅ Approve") == "a"
    assert emulator._button_data(shown, "👍") == "like"
    with pytest.raises(AssertionError, match="no button 'Deny'; buttons: '✅ Approve', '👍'"):
        emulator._button_data(shown, "Deny")
