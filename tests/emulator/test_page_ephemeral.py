"""The chat page in headless Chromium shows an ephemeral message to its receiver only."""

from __future__ import annotations

from typing import Any

import pytest

from telewire import Bot
from telewire.testing import EmulatorHandle
from telewire.types import (
    CallbackQuery,
    EphemeralMessageParameters,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from tests.emulator.test_page import page  # noqa: F401  (the Chromium page fixture)

pytestmark = pytest.mark.browser


def _next_callback_query(bot: Bot) -> CallbackQuery:
    """Long-poll until the press arrives (the timeout only bounds a failure)."""
    offset = None
    for _ in range(10):
        for update in bot.get_updates(offset=offset, timeout=5):
            offset = update.update_id + 1
            if update.callback_query is not None:
                return update.callback_query
    raise AssertionError("the press never reached the bot")


def test_the_receiver_sees_it_live_and_others_never(
    page: Any,  # noqa: F811
    emulator: EmulatorHandle,
    bot: Bot,
) -> None:
    alice, bob = emulator.user("Alice"), emulator.user("Bob")
    chat_id = emulator.group("Team", [alice, bob]).id
    bot.send_message(chat_id=chat_id, text="hello team")
    bot.send_message(
        chat_id=chat_id,
        text="psst, Alice",
        ephemeral_message_parameters=EphemeralMessageParameters(receiver_user_id=alice.id),
    )

    page.goto(f"{emulator.page_url}?user={alice.id}")
    page.click("#chats li:has-text('Team')")
    page.wait_for_selector(".msg.ephemeral >> text=psst, Alice", timeout=10_000)
    assert "only you can see this" in page.locator(".msg.ephemeral .meta").inner_text()

    where = {"chat_id": chat_id, "receiver_user_id": alice.id, "ephemeral_message_id": 1}
    bot.edit_ephemeral_message_text(**where, text="changed my mind")
    page.wait_for_selector(".msg.ephemeral >> text=changed my mind", timeout=10_000)
    bot.delete_ephemeral_message(**where)
    page.wait_for_selector(".msg.ephemeral", state="detached", timeout=10_000)
    bot.send_message(
        chat_id=chat_id,
        text="again, Alice",
        ephemeral_message_parameters=EphemeralMessageParameters(receiver_user_id=alice.id),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="got it", callback_data="ack")]]
        ),
    )
    page.click(".msg.ephemeral .keyboard button:has-text('got it')")
    query = _next_callback_query(bot)
    assert query.message is not None and query.from_user.id == alice.id
    assert getattr(query.message, "ephemeral_message_id", None) == 1
    bot.answer_callback_query(callback_query_id=query.id, text="noted")
    page.wait_for_selector("#toast >> text=noted", timeout=10_000)

    page.goto(f"{emulator.page_url}?user={bob.id}")
    page.click("#chats li:has-text('Team')")
    page.wait_for_selector(".msg >> text=hello team", timeout=10_000)
    bot.send_message(
        chat_id=chat_id,
        text="Bob's own",
        ephemeral_message_parameters=EphemeralMessageParameters(receiver_user_id=bob.id),
    )
    page.wait_for_selector(".msg.ephemeral >> text=Bob's own", timeout=10_000)
    assert page.locator(".msg.ephemeral").count() == 1
    assert page.locator("text=again, Alice").count() == 0
