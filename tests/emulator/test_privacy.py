"""Group privacy mode, automatic entities and tg://user mentions, the bot's own ``from``."""

from __future__ import annotations

from telewire import Bot
from telewire.testing import EmulatorHandle, TestUser


def group_texts(bot: Bot) -> list[str]:
    updates = bot.get_updates()
    if updates:
        bot.get_updates(offset=updates[-1].update_id + 1)
    return [u.message.text for u in updates if u.message and u.message.text]


def test_a_bot_in_privacy_mode_gets_commands_replies_and_mentions_only(
    bot: Bot, emulator: EmulatorHandle
) -> None:
    owner, bob = emulator.user("Owner"), emulator.user("Bob")
    group = emulator.group("Chatty", [owner, bob], kind="supergroup")
    emulator.set_member(owner, group.id, emulator.bot_id, "member")  # not an admin any more
    me = bot.get_me()
    assert me.can_read_all_group_messages is False
    group_texts(bot)
    mine = bot.send_message(chat_id=group.id, text="ask me")
    for text in [
        "just chatting",
        "/help",
        f"/help@{me.username}",
        "/help@other_bot",
        f"hi @{me.username}",
    ]:
        emulator.send(bob, text, chat_id=group.id)
    emulator.send(bob, "an answer", chat_id=group.id, reply_to=mine)
    assert group_texts(bot) == ["/help", f"/help@{me.username}", f"hi @{me.username}", "an answer"]
    emulator.set_privacy(False)
    assert bot.get_me().can_read_all_group_messages is True
    emulator.send(bob, "now everything", chat_id=group.id)
    assert group_texts(bot) == ["now everything"]
    emulator.set_privacy(True)
    emulator.set_member(owner, group.id, emulator.bot_id, "administrator")
    emulator.send(bob, "admins see all", chat_id=group.id)
    assert group_texts(bot) == ["admins see all"]


def test_entities_made_as_telegram_makes_them(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bold = bot.send_message(chat_id=alice.id, text="<b>/start</b> or /help", parse_mode="HTML")
    assert [(e.type, e.offset) for e in bold.entities or []] == [("bold", 0), ("bot_command", 10)]
    link = bot.send_message(
        chat_id=alice.id, text=f'hi <a href="tg://user?id={alice.id}">Alice</a>', parse_mode="HTML"
    )
    entity = (link.entities or [])[0]
    assert entity.type == "text_mention" and entity.user and entity.user.id == alice.id
    stranger = bot.send_message(
        chat_id=alice.id, text='<a href="tg://user?id=999999">who</a>', parse_mode="HTML"
    )
    assert (stranger.entities or [])[0].type == "text_link"
    sender = bold.from_user
    assert sender is not None and sender.is_bot
    assert sender.can_join_groups is None and sender.supports_inline_queries is None
    assert bot.get_me().can_join_groups is True
