"""What users do, for the control API, the chat page and tests: write, press, block...

These are the emulator's only ways of creating updates, so they hold the rules of who
may write where, and what the bot then receives.
"""

from __future__ import annotations

from typing import Any

from telewire.api._generated import types as t
from telewire.core.markup import detect_entities, utf16_len
from telewire.emulator.engine import Engine
from telewire.emulator.errors import bad_request
from telewire.emulator.methods import ephemeral
from telewire.emulator.methods.media import FOLDERS, media_object
from telewire.emulator.privacy import bot_sees
from telewire.emulator.uploads import Upload, store
from telewire.emulator.world import BotState, CallbackRecord, ChatState, now


def deliver(engine: Engine, bot: BotState, kind: str, payload: Any) -> t.Update | None:
    return engine.deliver(bot, kind, payload)


def private_chat(bot: BotState, user: t.User) -> ChatState:
    chat = bot.chats.get(user.id)
    if chat is None:
        chat = ChatState(
            chat=t.Chat(
                id=user.id,
                type="private",
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
            ),
            members={user.id: "member", bot.id: "member"},
        )
        bot.chats[user.id] = chat
    return chat


def user_sends(
    engine: Engine,
    token: str,
    user_data: dict[str, Any],
    *,
    text: str | None = None,
    chat_id: int | None = None,
    upload: Upload | None = None,
    kind: str = "document",
    caption: str | None = None,
    reply_to: int | None = None,
    message_thread_id: int | None = None,
    meta: dict[str, Any] | None = None,
) -> t.Message:
    """A user writes ``text`` (or sends a file) to the bot, privately or in ``chat_id``.

    ``meta`` describes a file (duration, width, height...); ``message_thread_id`` is a
    forum topic to write in.
    """
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    if chat_id is None or chat_id == user.id:
        chat = private_chat(bot, user)
        chat.started, chat.blocked = True, False
    else:
        found = bot.chats.get(chat_id)
        if found is None:
            raise bad_request("chat not found")
        chat = found
        if chat.members.get(user.id) in (None, "left", "kicked"):
            chat.members[user.id] = "member"
    content: dict[str, Any] = {}
    if upload is not None:
        if kind not in FOLDERS:
            raise bad_request(f"unknown file kind {kind!r}")
        content[kind] = media_object(kind, store(bot, upload, FOLDERS[kind]), meta, bot)
        if caption:
            content.update(caption=caption, caption_entities=_entities(caption))
    elif text:
        if utf16_len(text) > 4096:
            raise bad_request("message is too long")
        content.update(text=text, entities=_entities(text))
    else:
        raise bad_request("message text is empty")
    replied = chat.messages.get(reply_to) if reply_to else None
    if message_thread_id is not None:
        from telewire.emulator.methods.forum import check_topic

        check_topic(bot, chat, message_thread_id)
        content.update(message_thread_id=message_thread_id, is_topic_message=True)
    message = t.Message(
        message_id=bot.next_message_id(chat),
        date=now(),
        chat=chat.chat,
        from_user=user,
        reply_to_message=replied,
        **content,
    )
    chat.remember(message, engine.world.history)
    engine.emit(bot, "message", {"chat_id": chat.chat.id, "message": message})
    if bot_sees(bot, chat, message):
        deliver(engine, bot, "message", message)
    return message


def _entities(text: str) -> list[t.MessageEntity] | None:
    found = detect_entities(text)
    return [t.MessageEntity(**e) for e in found] if found else None  # type: ignore[arg-type]


def press(
    engine: Engine,
    token: str,
    user_data: dict[str, Any],
    chat_id: int,
    message_id: int,
    data: str,
    *,
    ephemeral_message_id: int | None = None,
) -> CallbackRecord:
    """A user presses an inline button carrying ``data`` under a message of the bot.

    With ``ephemeral_message_id`` the button is under an ephemeral message shown to them.
    """
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    chat = bot.chats.get(chat_id)
    if chat is not None and ephemeral_message_id is not None:
        message = ephemeral.shown_to(chat, user.id, ephemeral_message_id)
    else:
        message = chat.messages.get(message_id) if chat else None
    if chat is None or message is None:
        raise bad_request("message not found")
    if data not in callback_data_of(message):
        raise bad_request(
            "the message has no inline button with this callback_data (a user can press "
            "only a button of its current keyboard)"
        )
    record = CallbackRecord(id=bot.new_callback_id(), created=now(), chat_id=chat_id)
    bot.callbacks[record.id] = record
    if len(bot.callbacks) > 10_000:
        for stale in list(bot.callbacks)[:5_000]:
            del bot.callbacks[stale]
    # A button under a message sent via the bot (inline mode) names it by its
    # inline_message_id, without the message, as on Telegram.
    inline_id = inline_id_of(bot, chat_id, message) if message.via_bot is not None else None
    query = t.CallbackQuery(
        id=record.id,
        from_user=user,
        chat_instance=f"{bot.id}{chat_id}",
        message=message if inline_id is None else None,
        inline_message_id=inline_id,
        data=data,
    )
    engine.emit(bot, "press", {"chat_id": chat_id, "message_id": message_id, "data": data})
    deliver(engine, bot, "callback_query", query)
    return record


def inline_id_of(bot: BotState, chat_id: int, message: t.Message) -> str | None:
    for inline_id, kept in bot.records.inline_messages.items():
        if kept.chat_id == chat_id and kept.message_id == message.message_id:
            return inline_id
    return None


def callback_data_of(message: t.Message) -> set[str]:
    """The callback_data of every button of the message's current inline keyboard."""
    markup = message.reply_markup
    if markup is None:
        return set()
    return {
        button.callback_data
        for row in markup.inline_keyboard
        for button in row
        if button.callback_data is not None
    }


def create_chat(
    engine: Engine,
    token: str,
    kind: str,
    title: str,
    members: list[dict[str, Any]],
    username: str | None = None,
    is_forum: bool = False,
) -> t.Chat:
    """Create a group, supergroup or channel with ``members`` (the first one owns it)."""
    if kind not in ("group", "supergroup", "channel"):
        raise bad_request("type must be group, supergroup or channel")
    bot = engine.bot(token)
    world = engine.world
    world.next_group_id += 1
    number = world.next_group_id
    chat_id = -number if kind == "group" else -(10**12 + number)
    if is_forum and kind != "supergroup":
        raise bad_request("only a supergroup can be a forum")
    chat = t.Chat(
        id=chat_id, type=kind, title=title, username=username, is_forum=True if is_forum else None
    )
    state = ChatState(chat=chat, members={bot.id: "administrator"}, started=True)
    for position, data in enumerate(members):
        user = world.user(data)
        state.members[user.id] = "creator" if position == 0 else "member"
    bot.chats[chat_id] = state
    if members:
        owner = world.user(members[0])
        change = t.ChatMemberUpdated(
            chat=chat,
            from_user=owner,
            date=now(),
            old_chat_member=t.ChatMemberLeft(user=bot.user),
            new_chat_member=t.ChatMemberMember(user=bot.user),
        )
        deliver(engine, bot, "my_chat_member", change)
    return chat


def upgrade_group(engine: Engine, token: str, chat_id: int) -> t.Chat:
    """A group becomes a supergroup with a new id; the old id now answers with migrate_to."""
    bot = engine.bot(token)
    old = bot.chats.get(chat_id)
    if old is None or old.chat.type != "group":
        raise bad_request("only a basic group can be upgraded")
    engine.world.next_group_id += 1
    new_id = -(10**12 + engine.world.next_group_id)
    chat = t.Chat(id=new_id, type="supergroup", title=old.chat.title)
    bot.chats[new_id] = ChatState(chat=chat, members=dict(old.members), started=True)
    old.migrated_to = new_id
    engine.emit(bot, "migrate", {"chat_id": chat_id, "migrate_to_chat_id": new_id})
    return chat


def set_blocked(engine: Engine, token: str, user_data: dict[str, Any], blocked: bool) -> None:
    """A user blocks (or unblocks) the bot; the bot hears of it as my_chat_member."""
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    chat = private_chat(bot, user)
    if chat.blocked == blocked:
        return
    chat.blocked = blocked
    old, new = (t.ChatMemberMember(user=bot.user), t.ChatMemberBanned(user=bot.user, until_date=0))
    change = t.ChatMemberUpdated(
        chat=chat.chat,
        from_user=user,
        date=now(),
        old_chat_member=old if blocked else new,
        new_chat_member=new if blocked else old,
    )
    deliver(engine, bot, "my_chat_member", change)


def chat_messages(
    engine: Engine, token: str, chat_id: int, viewer: int | None = None
) -> list[t.Message]:
    """Every message of the chat; with ``viewer``, also the ephemeral ones sent to them."""
    bot = engine.bot(token)
    chat = bot.chats.get(chat_id)
    if chat is None:
        raise bad_request("chat not found")
    return [*chat.messages.values(), *ephemeral.visible_to(chat, viewer)]
