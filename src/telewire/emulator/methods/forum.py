"""Forum topics: creating, editing, closing, reopening and deleting them, and the General one.

A topic's thread id is the id of its ``forum_topic_created`` service message, as on
Telegram; messages in it carry ``message_thread_id`` and ``is_topic_message``. Texts:
"the chat is not a forum", ``TOPIC_ID_INVALID``, ``TOPIC_CLOSED``, ``TOPIC_NOT_MODIFIED``.
"""

from __future__ import annotations

from typing import Any

from telewire.api._generated import types as t
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.chats import group
from telewire.emulator.methods.common import post
from telewire.emulator.world import BotState, ChatState

GENERAL = 1
ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
NAME_LIMIT = 128


def check_topic(bot: BotState, chat: ChatState, thread_id: int, *, writing: bool = True) -> None:
    """Refuse a thread id that is not an open topic of ``chat`` (General counts)."""
    if not chat.chat.is_forum:
        if writing:
            return  # outside forums message_thread_id names a reply thread; nothing to check
        raise bad_request("the chat is not a forum")
    topics = bot.records.topics.get(chat.chat.id, {})
    if thread_id != GENERAL and thread_id not in topics:
        raise bad_request("TOPIC_ID_INVALID")
    if writing and thread_id in bot.records.closed_topics.get(chat.chat.id, []):
        raise bad_request("TOPIC_CLOSED")


def _forum(call: Call) -> ChatState:
    chat = group(call)
    if not chat.chat.is_forum:
        raise bad_request("the chat is not a forum")
    return chat


def _topic(call: Call, chat: ChatState) -> t.ForumTopic:
    thread_id = int(call.need("message_thread_id"))
    topic = call.bot.records.topics.get(chat.chat.id, {}).get(thread_id)
    if topic is None:
        raise bad_request("TOPIC_ID_INVALID")
    return topic


def _name(call: Call, required: bool) -> str | None:
    name = call.get("name")
    if name is None and not required:
        return None
    name = str(name or "")
    if not 1 <= len(name) <= NAME_LIMIT:
        raise bad_request(f"topic name must be 1-{NAME_LIMIT} characters")
    return name


def _service(call: Call, chat: ChatState, thread_id: int, **content: Any) -> t.Message:
    return post(call, chat, message_thread_id=thread_id, is_topic_message=True, **content)


@method("createForumTopic")
def create_forum_topic(call: Call) -> t.ForumTopic:
    chat = _forum(call)
    name = _name(call, True) or ""
    color = int(call.get("icon_color", ICON_COLORS[0]))
    if color not in ICON_COLORS:
        raise bad_request("icon_color must be one of " + ", ".join(map(str, ICON_COLORS)))
    emoji = call.get("icon_custom_emoji_id")
    created = t.ForumTopicCreated(name=name, icon_color=color, icon_custom_emoji_id=emoji)
    thread_id = chat.next_message_id
    message = _service(call, chat, thread_id, forum_topic_created=created)
    topic = t.ForumTopic(
        message_thread_id=message.message_id,
        name=name,
        icon_color=color,
        icon_custom_emoji_id=emoji,
    )
    call.bot.records.topics.setdefault(chat.chat.id, {})[topic.message_thread_id] = topic
    return topic


@method("editForumTopic")
def edit_forum_topic(call: Call) -> bool:
    chat = _forum(call)
    topic = _topic(call, chat)
    name, emoji = _name(call, False), call.get("icon_custom_emoji_id")
    if (name is None or name == topic.name) and (
        emoji is None or emoji == (topic.icon_custom_emoji_id or "")
    ):
        raise bad_request("TOPIC_NOT_MODIFIED")
    if name is not None:
        topic.name = name
    if emoji is not None:
        topic.icon_custom_emoji_id = str(emoji) or None
    _service(
        call,
        chat,
        topic.message_thread_id,
        forum_topic_edited=t.ForumTopicEdited(name=name, icon_custom_emoji_id=emoji),
    )
    return True


def _set_closed(call: Call, chat: ChatState, thread_id: int, closed: bool) -> None:
    ids = call.bot.records.closed_topics.setdefault(chat.chat.id, [])
    if (thread_id in ids) == closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    if closed:
        ids.append(thread_id)
    else:
        ids.remove(thread_id)
    content: dict[str, Any] = (
        {"forum_topic_closed": t.ForumTopicClosed()}
        if closed
        else {"forum_topic_reopened": t.ForumTopicReopened()}
    )
    _service(call, chat, thread_id, **content)


@method("closeForumTopic")
def close_forum_topic(call: Call) -> bool:
    chat = _forum(call)
    _set_closed(call, chat, _topic(call, chat).message_thread_id, True)
    return True


@method("reopenForumTopic")
def reopen_forum_topic(call: Call) -> bool:
    chat = _forum(call)
    _set_closed(call, chat, _topic(call, chat).message_thread_id, False)
    return True


@method("deleteForumTopic")
def delete_forum_topic(call: Call) -> bool:
    chat = _forum(call)
    thread_id = _topic(call, chat).message_thread_id
    del call.bot.records.topics[chat.chat.id][thread_id]
    for message_id, message in list(chat.messages.items()):
        if message.message_thread_id == thread_id:
            del chat.messages[message_id]
            call.emit("delete", {"chat_id": chat.chat.id, "message_id": message_id})
    return True


def _unpin_thread(call: Call, chat: ChatState, thread_id: int | None) -> bool:
    for message_id in list(chat.pinned):
        message = chat.messages.get(message_id)
        if message is not None and message.message_thread_id == thread_id:
            chat.pinned.remove(message_id)
    return True


@method("unpinAllForumTopicMessages")
def unpin_all_forum_topic_messages(call: Call) -> bool:
    chat = _forum(call)
    return _unpin_thread(call, chat, _topic(call, chat).message_thread_id)


@method("unpinAllGeneralForumTopicMessages")
def unpin_all_general_forum_topic_messages(call: Call) -> bool:
    return _unpin_thread(call, _forum(call), None)


@method("editGeneralForumTopic")
def edit_general_forum_topic(call: Call) -> bool:
    chat = _forum(call)
    name = _name(call, True)
    post(call, chat, forum_topic_edited=t.ForumTopicEdited(name=name))
    return True


@method("closeGeneralForumTopic")
def close_general_forum_topic(call: Call) -> bool:
    _set_closed(call, _forum(call), GENERAL, True)
    return True


@method("reopenGeneralForumTopic")
def reopen_general_forum_topic(call: Call) -> bool:
    chat = _forum(call)
    _set_closed(call, chat, GENERAL, False)
    if chat.chat.id in call.bot.records.hidden_general:  # Telegram unhides it too
        call.bot.records.hidden_general.remove(chat.chat.id)
    return True


@method("hideGeneralForumTopic", "unhideGeneralForumTopic")
def hide_general_forum_topic(call: Call) -> bool:
    chat = _forum(call)
    hidden = call.bot.records.hidden_general
    hide = call.method.lower().startswith("hide")
    if (chat.chat.id in hidden) == hide:
        raise bad_request("TOPIC_NOT_MODIFIED")
    if hide:
        hidden.append(chat.chat.id)
        closed = call.bot.records.closed_topics.setdefault(chat.chat.id, [])
        if GENERAL not in closed:  # hiding closes it, as on Telegram
            closed.append(GENERAL)
        post(call, chat, general_forum_topic_hidden=t.GeneralForumTopicHidden())
    else:
        hidden.remove(chat.chat.id)
        post(call, chat, general_forum_topic_unhidden=t.GeneralForumTopicUnhidden())
    return True


@method("getForumTopicIconStickers")
def get_forum_topic_icon_stickers(call: Call) -> list[t.Sticker]:
    icons = ("📰", "💡", "⚡️", "🎙", "🔝", "🗣")
    return [
        t.Sticker(
            file_id=f"CAACAgIAAxUAAWTopicIcon{index}",
            file_unique_id=f"AgADTopicIcon{index}",
            type="custom_emoji",
            width=100,
            height=100,
            is_animated=False,
            is_video=False,
            emoji=emoji,
            custom_emoji_id=f"5{index:018d}",
        )
        for index, emoji in enumerate(icons)
    ]
