"""Forum topics: the bot manages them, users and the bot write in them."""

from __future__ import annotations

import pytest

from telewire import BadRequest, Bot
from telewire.testing import EmulatorHandle


def test_topics_are_created_written_in_closed_and_deleted(
    bot: Bot, emulator: EmulatorHandle
) -> None:
    owner, bob = emulator.user("Owner"), emulator.user("Bob")
    forum = emulator.group("Support", [owner, bob], kind="supergroup", forum=True)
    assert forum.is_forum
    topic = bot.create_forum_topic(chat_id=forum.id, name="Billing", icon_color=16766590)
    created = next(m for m in emulator.messages(forum.id) if m.forum_topic_created)
    assert created.message_id == topic.message_thread_id and created.is_topic_message
    asked = emulator.send(
        bob, "my invoice?", chat_id=forum.id, message_thread_id=topic.message_thread_id
    )
    assert asked.message_thread_id == topic.message_thread_id and asked.is_topic_message
    answer = bot.send_message(
        chat_id=forum.id, message_thread_id=topic.message_thread_id, text="on its way"
    )
    assert answer.message_thread_id == topic.message_thread_id
    assert bot.edit_forum_topic(
        chat_id=forum.id, message_thread_id=topic.message_thread_id, name="Bills"
    )
    with pytest.raises(BadRequest, match="TOPIC_NOT_MODIFIED"):
        bot.edit_forum_topic(
            chat_id=forum.id, message_thread_id=topic.message_thread_id, name="Bills"
        )
    assert bot.close_forum_topic(chat_id=forum.id, message_thread_id=topic.message_thread_id)
    with pytest.raises(AssertionError, match="TOPIC_CLOSED"):
        emulator.send(bob, "hello?", chat_id=forum.id, message_thread_id=topic.message_thread_id)
    with pytest.raises(BadRequest, match="TOPIC_CLOSED"):
        bot.send_message(chat_id=forum.id, message_thread_id=topic.message_thread_id, text="x")
    assert bot.reopen_forum_topic(chat_id=forum.id, message_thread_id=topic.message_thread_id)
    kinds = [
        k
        for m in emulator.messages(forum.id)
        for k in ("forum_topic_edited", "forum_topic_closed", "forum_topic_reopened")
        if getattr(m, k)
    ]
    assert kinds == ["forum_topic_edited", "forum_topic_closed", "forum_topic_reopened"]
    assert bot.delete_forum_topic(chat_id=forum.id, message_thread_id=topic.message_thread_id)
    assert not [m for m in emulator.messages(forum.id) if m.message_thread_id]
    with pytest.raises(BadRequest, match="TOPIC_ID_INVALID"):
        bot.close_forum_topic(chat_id=forum.id, message_thread_id=topic.message_thread_id)
    with pytest.raises(AssertionError, match="TOPIC_ID_INVALID"):
        emulator.send(bob, "lost", chat_id=forum.id, message_thread_id=9999)


def test_general_topic_and_non_forums(bot: Bot, emulator: EmulatorHandle) -> None:
    owner = emulator.user("Owner")
    forum = emulator.group("Support", [owner], kind="supergroup", forum=True)
    assert bot.edit_general_forum_topic(chat_id=forum.id, name="Lobby")
    assert bot.hide_general_forum_topic(chat_id=forum.id)
    with pytest.raises(BadRequest, match="TOPIC_NOT_MODIFIED"):
        bot.hide_general_forum_topic(chat_id=forum.id)
    assert bot.unhide_general_forum_topic(chat_id=forum.id)
    assert bot.reopen_general_forum_topic(chat_id=forum.id)  # hiding had closed it
    assert bot.close_general_forum_topic(chat_id=forum.id)
    assert bot.unpin_all_general_forum_topic_messages(chat_id=forum.id)
    assert len(bot.get_forum_topic_icon_stickers()) == 6
    plain = emulator.group("Plain", [owner], kind="supergroup")
    with pytest.raises(BadRequest, match="the chat is not a forum"):
        bot.create_forum_topic(chat_id=plain.id, name="x")
    with pytest.raises(AssertionError, match="only a supergroup can be a forum"):
        emulator.group("Small", [owner], forum=True)
