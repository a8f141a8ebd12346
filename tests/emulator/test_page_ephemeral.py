"""The chat page in headless Chromium shows an ephemeral message to its receiver only."""

from __future__ import annotations

from typing import Any

import pytest

from telewire import Bot
from telewire.testing import EmulatorHandle
from telewire.types import EphemeralMessageParameters
from tests.emulator.test_page import page  # noqa: F401  (the Chromium page fixture)

pytestmark = pytest.mark.browser


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
    )
    page.wait_for_selector(".msg.ephemeral >> text=again, Alice", timeout=10_000)

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
