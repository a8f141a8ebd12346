"""The emulator keeps a bounded history per chat, in memory and in --state."""

from __future__ import annotations

from pathlib import Path

import pytest

from telewire import Bot
from telewire.core.errors import BadRequest
from telewire.emulator import Emulator
from telewire.emulator.persistence import StateFile
from telewire.emulator.world import BotState
from telewire.testing import EmulatorHandle


def test_a_chat_keeps_its_last_messages_and_forgets_older_ones_as_deleted(
    tmp_path: Path,
) -> None:
    state = tmp_path / "state.db"
    server = Emulator(history=6, state=state).in_thread()
    handle = EmulatorHandle(server.base_url, server.token)
    try:
        user = handle.user("Chatty")
        with Bot(server.token, base_url=server.base_url) as bot:
            sent = []
            for i in range(20):
                handle.send(user, f"user {i}")
                sent.append(bot.send_message(chat_id=user.id, text=f"bot {i}"))
            bot.pin_chat_message(chat_id=user.id, message_id=sent[-1].message_id)
            texts = [m.text for m in handle.messages(user.id)]
            assert texts == ["user 17", "bot 17", "user 18", "bot 18", "user 19", "bot 19"]
            with pytest.raises(BadRequest, match="message to edit not found"):
                bot.edit_message_text(chat_id=user.id, message_id=sent[0].message_id, text="x")
            edited = bot.edit_message_text(
                chat_id=user.id, message_id=sent[-1].message_id, text="still here"
            )
            assert getattr(edited, "text", None) == "still here"
            for i in range(6):  # the pinned message scrolls out of the history too
                bot.send_message(chat_id=user.id, text=f"more {i}")
            assert bot.get_chat(chat_id=user.id).pinned_message is None
    finally:
        handle.close()
        server.close()
    kept = StateFile(state)
    world = kept.load()
    kept.close()
    assert world is not None
    chat = next(iter(world.bots.values())).chats[user.id]
    assert len(chat.messages) == 6 and chat.pinned == []


def test_delivery_counts_are_kept_for_the_latest_updates_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("telewire.emulator.world.DELIVERIES_KEPT", 3)
    bot = BotState(id=1, token="1:" + "A" * 35, username="b", first_name="B")
    for update_id in (1, 2, 2, 3, 4, 5):
        bot.delivered(update_id)
    assert bot.deliveries == {3: 1, 4: 1, 5: 1}


def test_the_history_option_refuses_nonsense(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Emulator(history=0)
