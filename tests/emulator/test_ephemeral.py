"""Ephemeral messages (Bot API 10.3) in the emulator: one receiver sees them, nobody else."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from telewire import BadRequest, Bot
from telewire.core import typed
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import (
    EphemeralMessageParameters,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
)
from tests.emulator.conformance.test_peers import PNG


def seen_by(emulator: EmulatorHandle, chat_id: int, user: TestUser | None) -> list[Message]:
    """The chat as the page shows it to ``user``: everyone's messages and their ephemeral ones."""
    query = {"token": emulator.token, **({"user": user.id} if user else {})}
    reply = requests.get(f"{emulator.base_url}/emulator/chats/{chat_id}/messages", params=query)
    reply.raise_for_status()
    return typed.decode(reply.content, list[Message])


def for_(user: TestUser) -> EphemeralMessageParameters:
    return EphemeralMessageParameters(receiver_user_id=user.id)


@pytest.fixture
def group(emulator: EmulatorHandle) -> tuple[int, TestUser, TestUser]:
    alice, bob = emulator.user("Alice"), emulator.user("Bob")
    return emulator.group("Team", [alice, bob]).id, alice, bob


def test_only_the_receiver_sees_an_ephemeral_message(
    bot: Bot, emulator: EmulatorHandle, group: tuple[int, TestUser, TestUser]
) -> None:
    chat_id, alice, bob = group
    sent = bot.send_message(chat_id=chat_id, text="psst", ephemeral_message_parameters=for_(alice))
    assert sent.message_id == 0 and sent.ephemeral_message_id == 1
    assert sent.receiver_user is not None and sent.receiver_user.id == alice.id
    to_bob = bot.send_message(
        chat_id=chat_id, text="hi Bob", ephemeral_message_parameters=for_(bob)
    )
    assert to_bob.ephemeral_message_id == 2

    assert [m.text for m in seen_by(emulator, chat_id, alice)] == ["psst"]
    assert [m.text for m in seen_by(emulator, chat_id, bob)] == ["hi Bob"]
    assert seen_by(emulator, chat_id, None) == []
    bot.send_message(chat_id=chat_id, text="for all")
    assert [m.text for m in seen_by(emulator, chat_id, bob)] == ["for all", "hi Bob"]


def test_ephemeral_messages_are_edited_and_deleted_with_the_new_methods(
    bot: Bot, emulator: EmulatorHandle, group: tuple[int, TestUser, TestUser]
) -> None:
    chat_id, alice, bob = group
    sent = bot.send_message(chat_id=chat_id, text="draft", ephemeral_message_parameters=for_(alice))
    where = {"chat_id": chat_id, "receiver_user_id": alice.id, "ephemeral_message_id": 1}
    assert sent.ephemeral_message_id == 1
    assert bot.edit_ephemeral_message_text(**where, text="*final*", parse_mode="MarkdownV2")
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data="ok")]]
    )
    assert bot.edit_ephemeral_message_reply_markup(**where, reply_markup=keyboard) is True
    (shown,) = seen_by(emulator, chat_id, alice)
    assert shown.text == "final" and shown.entities and shown.entities[0].type == "bold"
    assert shown.edit_date and shown.reply_markup == keyboard

    with pytest.raises(BadRequest, match="message is not modified"):
        bot.edit_ephemeral_message_reply_markup(**where, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="message to edit not found"):
        bot.edit_ephemeral_message_text(**{**where, "receiver_user_id": bob.id}, text="x")
    with pytest.raises(BadRequest, match="there is no caption in the message to edit"):
        bot.edit_ephemeral_message_caption(**where, caption="x")

    assert bot.delete_ephemeral_message(**where) is True
    assert seen_by(emulator, chat_id, alice) == []
    with pytest.raises(BadRequest, match="message to delete not found"):
        bot.delete_ephemeral_message(**where)
    again = bot.send_message(chat_id=chat_id, text="new", ephemeral_message_parameters=for_(alice))
    assert again.ephemeral_message_id == 1  # "may be reused ... after the message is deleted"


def test_an_ephemeral_photo_gets_a_new_caption_and_new_media(
    bot: Bot, emulator: EmulatorHandle, group: tuple[int, TestUser, TestUser]
) -> None:
    from telewire import InputFile

    chat_id, alice, _ = group
    sent = bot.send_photo(
        chat_id=chat_id,
        photo=InputFile(PNG, filename="a.png"),
        caption="one",
        ephemeral_message_parameters=for_(alice),
    )
    assert sent.photo and sent.message_id == 0
    where = {"chat_id": chat_id, "receiver_user_id": alice.id, "ephemeral_message_id": 1}
    assert bot.edit_ephemeral_message_caption(**where, caption="two") is True
    file_id = sent.photo[-1].file_id
    other = bot.send_photo(chat_id=chat_id, photo=InputFile(PNG + b"x", filename="b.png"))
    assert other.photo
    new_media = InputMediaPhoto(media=other.photo[-1].file_id, caption="three")
    assert bot.edit_ephemeral_message_media(**where, media=new_media) is True
    shown = seen_by(emulator, chat_id, alice)[-1]
    assert (
        shown.receiver_user
        and shown.caption == "three"
        and shown.photo
        and shown.photo[-1].file_id != file_id
    )


def test_what_the_spec_refuses_is_refused(
    bot: Bot, emulator: EmulatorHandle, group: tuple[int, TestUser, TestUser], alice: TestUser
) -> None:
    chat_id, member, _ = group
    outsider = emulator.user("Eve")
    emulator.send(outsider, "/start")
    with pytest.raises(BadRequest, match="only to group and supergroup chats"):
        bot.send_message(chat_id=alice.id, text="x", ephemeral_message_parameters=for_(alice))
    with pytest.raises(BadRequest, match="USER_NOT_PARTICIPANT"):
        bot.send_message(chat_id=chat_id, text="x", ephemeral_message_parameters=for_(outsider))
    with pytest.raises(BadRequest, match="query is too old"):
        bot.send_message(
            chat_id=chat_id,
            text="x",
            ephemeral_message_parameters=EphemeralMessageParameters(
                receiver_user_id=member.id, callback_query_id="999"
            ),
        )
    with pytest.raises(BadRequest, match="live_period must be 0"):
        bot.send_location(
            chat_id=chat_id,
            latitude=1.0,
            longitude=2.0,
            live_period=60,
            ephemeral_message_parameters=for_(member),
        )
    assert seen_by(emulator, chat_id, member) == []


def test_bot_api_10_2_receiver_user_id_still_sends_an_ephemeral_message(
    bot: Bot, emulator: EmulatorHandle, group: tuple[int, TestUser, TestUser]
) -> None:
    chat_id, alice, bob = group
    sent = bot.call("sendMessage", chat_id=chat_id, text="old style", receiver_user_id=bob.id)
    assert sent.message_id == 0 and sent.receiver_user.id == bob.id
    assert [m.text for m in seen_by(emulator, chat_id, bob)] == ["old style"]
    assert seen_by(emulator, chat_id, alice) == []


def _eventually(read: Callable[[], list[str]], expected: list[str], timeout: float = 20) -> None:
    """Wait until ``read()`` gives ``expected``; the timeout only bounds a failure."""
    deadline = time.monotonic() + timeout
    while (seen := read()) != expected:
        assert time.monotonic() < deadline, f"expected {expected}, still {seen}"
        time.sleep(0.05)


def test_an_unmodified_aiogram_bot_sends_edits_and_deletes_ephemeral_messages(
    emulator: EmulatorHandle, group: tuple[int, TestUser, TestUser]
) -> None:
    chat_id, alice, bob = group
    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
    }
    script = Path(__file__).parent / "conformance" / "aiogram_ephemeral_bot.py"
    process = subprocess.Popen(
        [sys.executable, str(script)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def ephemeral_of(user: TestUser) -> list[str]:
            return [m.text or "" for m in seen_by(emulator, chat_id, user) if m.receiver_user]

        emulator.send(alice, "/secret", chat_id=chat_id)
        # aiogram alone takes seconds to import on a loaded machine: a generous first wait
        _eventually(lambda: ephemeral_of(alice), ["only you, Alice (#1)"], timeout=90)
        assert ephemeral_of(bob) == []
        (secret,) = [m for m in seen_by(emulator, chat_id, alice) if m.receiver_user]
        assert emulator.press(alice, secret, button="ok", timeout=20) == {
            "text": "noted",
            "show_alert": False,
        }
        _eventually(lambda: ephemeral_of(alice), ["seen"])
        emulator.send(alice, "/forget 1", chat_id=chat_id)
        emulator.wait_for(chat_id, lambda m: m.text == "forgotten", timeout=20)
        assert ephemeral_of(alice) == []
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert "Traceback" not in output, output
