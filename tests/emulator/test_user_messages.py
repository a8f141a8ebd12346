"""What users send beyond text: edits, reactions, places, contacts, dice, Web App data, media."""

from __future__ import annotations

import pytest

from telewire import Bot
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import (
    KeyboardButton,
    ReactionTypeEmoji,
    ReplyKeyboardMarkup,
    Update,
    WebAppInfo,
)

PNG_2000x1000 = (
    bytes.fromhex("89504e470d0a1a0a0000000d49484452")
    + (2000).to_bytes(4, "big")
    + (1000).to_bytes(4, "big")
    + b"\x08\x02"
    + b"\0" * 40
)


def updates_of(bot: Bot, *kinds: str) -> list[Update]:
    found = bot.get_updates(allowed_updates=[*kinds, "message", "edited_message"])
    if found:
        bot.get_updates(offset=found[-1].update_id + 1)
    return found


def test_a_user_edits_a_message_and_the_bot_gets_edited_message(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    sent = emulator.send(alice, "helo")
    updates_of(bot)
    edited = emulator.edit(alice, sent, "hello @bobby")
    assert edited.text == "hello @bobby" and edited.edit_date
    assert edited.entities and edited.entities[0].type == "mention"
    got = [u.edited_message for u in updates_of(bot) if u.edited_message]
    assert [(m.message_id, m.text) for m in got] == [(sent.message_id, "hello @bobby")]
    with pytest.raises(AssertionError, match="not modified"):
        emulator.edit(alice, sent, "hello @bobby")
    reply = bot.send_message(chat_id=alice.id, text="mine")
    with pytest.raises(AssertionError, match="own messages"):
        emulator.edit(alice, reply, "hijacked")


def test_reactions_reach_the_bot_in_private_chats_and_where_it_is_admin(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    reply = bot.send_message(chat_id=alice.id, text="rate me")
    updates_of(bot, "message_reaction")
    assert emulator.react(alice, reply, "👍", "🔥") == [
        ReactionTypeEmoji(emoji="👍"),
        ReactionTypeEmoji(emoji="🔥"),
    ]
    emulator.react(alice, reply)  # taken back
    changes = [
        u.message_reaction for u in updates_of(bot, "message_reaction") if u.message_reaction
    ]
    assert [
        ([r.emoji for r in c.old_reaction], [r.emoji for r in c.new_reaction]) for c in changes
    ] == [  # type: ignore[union-attr]
        ([], ["👍", "🔥"]),
        (["👍", "🔥"], []),
    ]
    assert changes[0].user and changes[0].user.id == alice.id
    with pytest.raises(AssertionError, match="up to 3"):
        emulator.react(alice, reply, "1", "2", "3", "4")
    bot.get_updates(allowed_updates=[])  # by default bots are not sent reactions
    emulator.react(alice, reply, "👍")
    assert not [u for u in bot.get_updates() if u.message_reaction]


def test_places_contacts_and_dice(bot: Bot, emulator: EmulatorHandle, alice: TestUser) -> None:
    location = emulator.send_location(alice, 51.5, -0.12, live_period=60)
    assert location.location and location.location.latitude == 51.5
    assert location.location.live_period == 60
    venue = emulator.send_venue(alice, 48.85, 2.35, "Louvre", "Rue de Rivoli")
    assert venue.venue and venue.venue.title == "Louvre" and venue.location
    contact = emulator.send_contact(alice, "+15551234567", "Bob", user_id=42)
    assert contact.contact and contact.contact.user_id == 42
    dice = emulator.send_dice(alice, "🎯", value=6)
    assert dice.dice and (dice.dice.emoji, dice.dice.value) == ("🎯", 6)
    assert 1 <= (emulator.send_dice(alice, "🏀").dice.value) <= 5  # type: ignore[union-attr]
    with pytest.raises(AssertionError, match="shows 1-6"):
        emulator.send_dice(alice, "🎲", value=7)
    kinds = [
        next(k for k in ("venue", "location", "contact", "dice") if getattr(u.message, k))
        for u in updates_of(bot)
        if u.message and u.message.text is None
    ]
    assert kinds == ["location", "venue", "contact", "dice", "dice"]


def test_web_app_data_needs_the_keyboard_button(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    with pytest.raises(AssertionError, match="no Web App button"):
        emulator.send_web_app_data(alice, '{"size": "L"}', "Order")
    bot.send_message(
        chat_id=alice.id,
        text="Open the shop",
        reply_markup=ReplyKeyboardMarkup(
            keyboard=[
                [KeyboardButton(text="Order", web_app=WebAppInfo(url="https://shop.example"))]
            ]
        ),
    )
    sent = emulator.send_web_app_data(alice, '{"size": "L"}', "Order")
    assert sent.web_app_data and sent.web_app_data.data == '{"size": "L"}'


def test_media_carry_sizes_durations_and_mime_types(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    photo = emulator.send_photo(alice, PNG_2000x1000)
    assert [(p.width, p.height) for p in photo.photo or []] == [
        (90, 45),
        (320, 160),
        (800, 400),
        (1280, 640),
        (2000, 1000),
    ]
    assert len({p.file_id for p in photo.photo or []}) == 5
    small = bot.get_file(file_id=(photo.photo or [])[0].file_id)
    assert small.file_path
    voice = emulator.send_voice(alice, b"OggS" + b"\0" * 8000)
    assert voice.voice and voice.voice.mime_type == "audio/ogg" and voice.voice.duration == 4
    video = emulator.send_video(alice, b"\0" * 1000, duration=12, width=1920, height=1080)
    assert video.video and (video.video.duration, video.video.width, video.video.mime_type) == (
        12,
        1920,
        "video/mp4",
    )
    song = emulator.send_audio(
        alice, b"ID3" + b"\0" * 100, duration=200, performer="Band", title="Hit"
    )
    assert song.audio and (song.audio.performer, song.audio.title, song.audio.mime_type) == (
        "Band",
        "Hit",
        "audio/mpeg",
    )
    sent = bot.send_voice(chat_id=alice.id, voice=voice.voice.file_id, duration=9)
    assert sent.voice and sent.voice.duration == 9
