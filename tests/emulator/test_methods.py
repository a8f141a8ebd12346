"""Every emulated method, called through the typed client, changing real state."""

from __future__ import annotations

import pytest

from telewire import BadRequest, Bot, InputFile
from telewire.api._generated.methods import METHODS
from telewire.emulator.engine import Engine
from telewire.emulator.methods import registry
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import (
    BotCommand,
    BotCommandScopeChat,
    ChatAdministratorRights,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberOwner,
    ChatPermissions,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputPollOption,
    MenuButtonCommands,
    MenuButtonDefault,
    ReactionTypeEmoji,
    ReplyParameters,
)

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000040000000508") + b"\0" * 30


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=d, callback_data=d) for d in data]]
    )


def test_at_least_sixty_methods_are_emulated() -> None:
    assert len({k for k in registry() if k in METHODS}) >= 60
    assert Engine().registry is registry()


def test_an_engine_serves_exactly_the_registry_it_is_given() -> None:
    """No hidden global: the methods an engine serves are an argument (default: all)."""
    from telewire.core.token import EXAMPLE
    from telewire.emulator.errors import ApiFailure
    from telewire.emulator.world import World

    world = World()
    world.add_bot(EXAMPLE, "only_bot")
    engine = Engine(world, registry={"getme": registry()["getme"]})
    assert engine.call(EXAMPLE, "getMe", {}).username == "only_bot"
    with pytest.raises(ApiFailure, match="sendMessage is not supported"):
        engine.call(EXAMPLE, "sendMessage", {"chat_id": 1, "text": "x"})


def test_messages_forwards_copies_and_misc_sends(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    first = bot.send_message(chat_id=alice.id, text="first")
    reply = bot.send_message(
        chat_id=alice.id,
        text="a reply",
        reply_parameters=ReplyParameters(message_id=first.message_id),
    )
    assert reply.reply_to_message and reply.reply_to_message.text == "first"
    bob = emulator.user("Bob")
    emulator.send(bob, "hi")
    forwarded = bot.forward_message(
        chat_id=bob.id, from_chat_id=alice.id, message_id=first.message_id
    )
    assert forwarded.text == "first" and forwarded.forward_origin is not None
    ids = bot.forward_messages(
        chat_id=bob.id, from_chat_id=alice.id, message_ids=[first.message_id, reply.message_id]
    )
    copied = bot.copy_message(chat_id=bob.id, from_chat_id=alice.id, message_id=first.message_id)
    more = bot.copy_messages(chat_id=bob.id, from_chat_id=alice.id, message_ids=[first.message_id])
    texts = [m.text for m in emulator.messages(bob.id)]
    assert texts == ["hi", "first", "first", "a reply", "first", "first"]
    assert len(ids) == 2 and copied.message_id > 0 and len(more) == 1
    assert bot.send_location(chat_id=alice.id, latitude=1.5, longitude=2.5).location is not None
    venue = bot.send_venue(
        chat_id=alice.id, latitude=1, longitude=2, title="Cafe", address="Main st"
    )
    assert venue.venue and venue.venue.title == "Cafe"
    assert (
        bot.send_contact(chat_id=alice.id, phone_number="+100", first_name="Z").contact is not None
    )
    dice = bot.send_dice(chat_id=alice.id, emoji="🎯")
    assert dice.dice and 1 <= dice.dice.value <= 6
    poll = bot.send_poll(
        chat_id=alice.id,
        question="Tea?",
        options=[InputPollOption(text="yes"), InputPollOption(text="no")],
    )
    assert poll.poll and [o.text for o in poll.poll.options] == ["yes", "no"]
    assert bot.stop_poll(chat_id=alice.id, message_id=poll.message_id).is_closed
    assert bot.send_chat_action(chat_id=alice.id, action="typing") is True
    assert (
        bot.set_message_reaction(
            chat_id=alice.id, message_id=first.message_id, reaction=[ReactionTypeEmoji(emoji="👍")]
        )
        is True
    )


def test_media_sends_of_every_kind(bot: Bot, alice: TestUser) -> None:
    sent = {
        "photo": bot.send_photo(chat_id=alice.id, photo=InputFile(PNG, filename="p.png")).photo,
        "document": bot.send_document(
            chat_id=alice.id, document=InputFile(b"d", filename="d.pdf")
        ).document,
        "audio": bot.send_audio(chat_id=alice.id, audio=InputFile(b"a", filename="a.mp3")).audio,
        "video": bot.send_video(chat_id=alice.id, video=InputFile(b"v", filename="v.mp4")).video,
        "voice": bot.send_voice(chat_id=alice.id, voice=InputFile(b"o", filename="v.ogg")).voice,
        "animation": bot.send_animation(
            chat_id=alice.id, animation=InputFile(b"g", filename="a.gif")
        ).animation,
        "sticker": bot.send_sticker(
            chat_id=alice.id, sticker=InputFile(b"s", filename="s.webp")
        ).sticker,
        "video_note": bot.send_video_note(
            chat_id=alice.id, video_note=InputFile(b"n", filename="n.mp4")
        ).video_note,
    }
    assert all(value for value in sent.values()), sent
    photo = sent["photo"][0]  # type: ignore[index]
    assert (photo.width, photo.height) == (4, 5)
    assert bot.get_file(file_id=photo.file_id).file_path.startswith("photos/")  # type: ignore[union-attr]
    assert bot.get_user_profile_photos(user_id=alice.id).total_count == 0


def test_edits_and_deletes(bot: Bot, emulator: EmulatorHandle, alice: TestUser) -> None:
    message = bot.send_message(chat_id=alice.id, text="draft", reply_markup=keyboard("a"))
    edited = bot.edit_message_text(
        chat_id=alice.id, message_id=message.message_id, text="final", reply_markup=keyboard("b")
    )
    assert isinstance(edited, type(message)) and edited.text == "final" and edited.edit_date
    bot.edit_message_reply_markup(
        chat_id=alice.id, message_id=message.message_id, reply_markup=keyboard("c")
    )
    shown = emulator.messages(alice.id)[-1]
    assert shown.text == "final" and shown.reply_markup == keyboard("c")
    photo = bot.send_photo(chat_id=alice.id, photo=InputFile(PNG, filename="p.png"), caption="old")
    bot.edit_message_caption(chat_id=alice.id, message_id=photo.message_id, caption="new")
    bot.edit_message_media(
        chat_id=alice.id,
        message_id=photo.message_id,
        media=InputMediaDocument(media=InputFile(b"doc", filename="x.txt"), caption="now a doc"),
    )
    shown = emulator.messages(alice.id)[-1]
    assert shown.document is not None and shown.photo is None and shown.caption == "now a doc"
    with pytest.raises(BadRequest, match="there is no text in the message to edit"):
        bot.edit_message_text(chat_id=alice.id, message_id=photo.message_id, text="x")
    assert bot.delete_message(chat_id=alice.id, message_id=photo.message_id)
    extra = [bot.send_message(chat_id=alice.id, text=str(i)).message_id for i in range(3)]
    assert bot.delete_messages(chat_id=alice.id, message_ids=extra)
    assert [m.text for m in emulator.messages(alice.id)][-1] == "final"


def test_groups_members_pins_and_moderation(bot: Bot, emulator: EmulatorHandle) -> None:
    owner, member = emulator.user("Owner"), emulator.user("Member")
    group = emulator.group("Team", [owner, member], kind="supergroup")
    assert group.id < -(10**12)
    info = bot.get_chat(chat_id=group.id)
    assert info.title == "Team" and info.type == "supergroup"
    assert isinstance(bot.get_chat_member(chat_id=group.id, user_id=owner.id), ChatMemberOwner)
    assert isinstance(bot.get_chat_member(chat_id=group.id, user_id=member.id), ChatMemberMember)
    assert bot.get_chat_member_count(chat_id=group.id) == 3
    admins = bot.get_chat_administrators(chat_id=group.id)
    assert {type(a) for a in admins} == {ChatMemberOwner, ChatMemberAdministrator}
    notice = bot.send_message(chat_id=group.id, text="rules")
    assert bot.pin_chat_message(chat_id=group.id, message_id=notice.message_id)
    pinned = bot.get_chat(chat_id=group.id).pinned_message
    assert pinned is not None and pinned.text == "rules"
    assert bot.unpin_chat_message(chat_id=group.id)
    bot.pin_chat_message(chat_id=group.id, message_id=notice.message_id)
    assert bot.unpin_all_chat_messages(chat_id=group.id)
    assert bot.get_chat(chat_id=group.id).pinned_message is None
    assert bot.ban_chat_member(chat_id=group.id, user_id=member.id)
    assert isinstance(bot.get_chat_member(chat_id=group.id, user_id=member.id), ChatMemberBanned)
    assert bot.unban_chat_member(chat_id=group.id, user_id=member.id)
    assert bot.restrict_chat_member(
        chat_id=group.id, user_id=member.id, permissions=ChatPermissions(can_send_messages=False)
    )
    assert bot.promote_chat_member(chat_id=group.id, user_id=member.id, can_pin_messages=True)
    assert isinstance(
        bot.get_chat_member(chat_id=group.id, user_id=member.id), ChatMemberAdministrator
    )
    with pytest.raises(BadRequest, match="can't remove chat owner"):
        bot.ban_chat_member(chat_id=group.id, user_id=owner.id)
    assert bot.set_chat_title(chat_id=group.id, title="Team 2")
    assert bot.set_chat_description(chat_id=group.id, description="about")
    assert bot.get_chat(chat_id=group.id).description == "about"
    emulator.send(member, "hello group", chat_id=group.id)
    assert [m.text for m in emulator.messages(group.id)] == ["rules", "hello group"]
    assert bot.leave_chat(chat_id=group.id)


def test_bot_settings(bot: Bot, alice: TestUser) -> None:
    commands = [
        BotCommand(command="start", description="Start"),
        BotCommand(command="help", description="Help"),
    ]
    assert bot.set_my_commands(commands=commands)
    assert bot.get_my_commands() == commands
    scoped = BotCommandScopeChat(chat_id=alice.id)
    bot.set_my_commands(commands=commands[:1], scope=scoped)
    assert bot.get_my_commands(scope=scoped) == commands[:1]
    assert bot.delete_my_commands() and bot.get_my_commands() == []
    with pytest.raises(BadRequest, match="BOT_COMMAND_INVALID"):
        bot.set_my_commands(commands=[BotCommand(command="Bad Command", description="x")])
    bot.set_my_name(name="Shop bot")
    assert bot.get_my_name().name == "Shop bot" and bot.get_me().first_name == "Shop bot"
    bot.set_my_description(description="Sells things")
    assert bot.get_my_description().description == "Sells things"
    bot.set_my_short_description(short_description="Shop", language_code="en")
    assert bot.get_my_short_description(language_code="en").short_description == "Shop"
    assert bot.get_my_short_description().short_description == ""
    bot.set_chat_menu_button(chat_id=alice.id, menu_button=MenuButtonDefault())
    assert isinstance(bot.get_chat_menu_button(chat_id=alice.id), MenuButtonDefault)
    assert isinstance(bot.get_chat_menu_button(), MenuButtonCommands)
    rights = ChatAdministratorRights(
        is_anonymous=False,
        can_manage_chat=True,
        can_delete_messages=True,
        can_manage_video_chats=False,
        can_restrict_members=False,
        can_promote_members=False,
        can_change_info=False,
        can_invite_users=True,
        can_post_stories=False,
        can_edit_stories=False,
        can_delete_stories=False,
        can_send_welcome_messages=False,
    )
    bot.set_my_default_administrator_rights(rights=rights)
    assert bot.get_my_default_administrator_rights() == rights
    assert bot.log_out() is True and bot.close_bot_instance() is True


def test_webhook_settings_round_trip(bot: Bot) -> None:
    assert bot.set_webhook(
        url="http://127.0.0.1:9/hook", secret_token="s3cr3t_-", max_connections=5
    )
    info = bot.get_webhook_info()
    assert (info.url, info.max_connections, info.pending_update_count) == (
        "http://127.0.0.1:9/hook",
        5,
        0,
    )
    with pytest.raises(BadRequest, match="secret token contains unallowed characters"):
        bot.set_webhook(url="http://127.0.0.1:9/hook", secret_token="no spaces")
    assert bot.delete_webhook() and bot.get_webhook_info().url == ""
