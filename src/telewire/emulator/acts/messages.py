"""Users' messages beyond text and files: edits, reactions, locations, venues, contacts,
dice and Web App data, and how each reaches the bot.

Delivery follows Telegram: a reaction reaches the bot as ``message_reaction`` in private
chats and where the bot is an administrator (and asked for it in allowed_updates); an
edit as ``edited_message``.
"""

from __future__ import annotations

import random
from typing import Any

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator.control import private_chat
from telewire.emulator.engine import Engine
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.messages import DICE_FACES
from telewire.emulator.privacy import bot_sees
from telewire.emulator.world import BotState, ChatState, now

OBJECT_KINDS = ("location", "venue", "contact", "dice", "web_app_data")
REACTION_LIMIT = 3


def _chat(bot: BotState, user: t.User, chat_id: int | None) -> ChatState:
    if chat_id is None or chat_id == user.id:
        chat = private_chat(bot, user)
        chat.started, chat.blocked = True, False
        return chat
    found = bot.chats.get(chat_id)
    if found is None:
        raise bad_request("chat not found")
    if found.members.get(user.id) in (None, "left", "kicked"):
        raise bad_request("the user is not a member of the chat")
    return found


def _object(bot: BotState, chat: ChatState, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    if kind == "location":
        return {"location": typed.convert(fields, t.Location)}
    if kind == "venue":
        venue = typed.convert(fields, t.Venue)
        return {"venue": venue, "location": venue.location}
    if kind == "contact":
        return {"contact": typed.convert(fields, t.Contact)}
    if kind == "dice":
        emoji = str(fields.get("emoji", "🎲"))
        if emoji not in DICE_FACES:
            raise bad_request(f"dice emoji must be one of {' '.join(DICE_FACES)}")
        value = int(fields.get("value") or random.randint(1, DICE_FACES[emoji]))
        if not 1 <= value <= DICE_FACES[emoji]:
            raise bad_request(f"a {emoji} shows 1-{DICE_FACES[emoji]}")
        return {"dice": t.Dice(emoji=emoji, value=value)}
    if kind == "web_app_data":
        data = typed.convert(fields, t.WebAppData)
        if chat.chat.type != "private":
            raise bad_request("Web App data comes only from private chats")
        if len(data.data.encode()) > 4096:
            raise bad_request("Web App data is at most 4096 bytes")
        if data.button_text not in _web_app_buttons(chat):
            raise bad_request(
                f"the chat's reply keyboard has no Web App button {data.button_text!r}"
            )
        return {"web_app_data": data}
    raise bad_request(f"kind must be one of {', '.join(OBJECT_KINDS)}")


def _web_app_buttons(chat: ChatState) -> set[str]:
    rows = (chat.reply_keyboard or {}).get("keyboard") or []
    return {
        str(button.get("text"))
        for row in rows
        for button in row
        if isinstance(button, dict) and button.get("web_app")
    }


def send_object(
    engine: Engine,
    token: str,
    user_data: dict[str, Any],
    kind: str,
    fields: dict[str, Any],
    *,
    chat_id: int | None = None,
    message_thread_id: int | None = None,
) -> t.Message:
    """``user`` sends a location, venue, contact, dice or Web App data."""
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    chat = _chat(bot, user, chat_id)
    content = _object(bot, chat, kind, fields)
    return user_message(engine, bot, chat, user, content, message_thread_id=message_thread_id)


def user_message(
    engine: Engine,
    bot: BotState,
    chat: ChatState,
    user: t.User,
    content: dict[str, Any],
    *,
    message_thread_id: int | None = None,
) -> t.Message:
    """Store a user's message in ``chat`` and deliver it to the bot."""
    topic: dict[str, Any] = {}
    if message_thread_id is not None:
        from telewire.emulator.methods.forum import check_topic

        check_topic(bot, chat, message_thread_id)
        topic = {"message_thread_id": message_thread_id, "is_topic_message": True}
    message = t.Message(
        message_id=bot.next_message_id(chat),
        date=now(),
        chat=chat.chat,
        from_user=user,
        **topic,
        **content,
    )
    chat.messages[message.message_id] = message
    engine.emit(bot, "message", {"chat_id": chat.chat.id, "message": message})
    if bot_sees(bot, chat, message):
        engine.deliver(bot, "message", message)
    return message


def edit(
    engine: Engine, token: str, user_data: dict[str, Any], chat_id: int, message_id: int, text: str
) -> t.Message:
    """``user`` edits the text (or caption) of a message they sent: ``edited_message``."""
    from telewire.emulator.control import _entities

    bot = engine.bot(token)
    user = engine.world.user(user_data)
    chat = _chat(bot, user, chat_id)
    message = chat.messages.get(message_id)
    if message is None or message.from_user is None or message.from_user.id != user.id:
        raise bad_request("message to edit not found (a user edits only their own messages)")
    if not text.strip():
        raise bad_request("message text is empty")
    field = (
        "text" if message.text is not None else "caption" if message.caption is not None else None
    )
    if field is None:
        raise bad_request("only text and captions can be edited")
    if getattr(message, field) == text:
        raise bad_request("message is not modified")
    entities = _entities(text)
    changes = {field: text, f"{field}_entities" if field == "caption" else "entities": entities}
    edited = msgspec.structs.replace(message, edit_date=now(), **changes)
    chat.messages[message_id] = edited
    engine.emit(bot, "edit", {"chat_id": chat.chat.id, "message": edited})
    if bot_sees(bot, chat, edited):  # privacy mode hides edits of messages it hid
        engine.deliver(bot, "edited_message", edited)
    return edited


def react(
    engine: Engine,
    token: str,
    user_data: dict[str, Any],
    chat_id: int,
    message_id: int,
    emoji: list[str],
) -> list[t.ReactionType]:
    """``user`` sets their reactions on a message (an empty list takes them back)."""
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    chat = _chat(bot, user, chat_id)
    if message_id not in chat.messages:
        raise bad_request("message to react not found")
    if len(emoji) > REACTION_LIMIT or len(set(emoji)) != len(emoji):
        raise bad_request(f"up to {REACTION_LIMIT} different reactions")
    if any(not e.strip() for e in emoji):
        raise bad_request("REACTION_INVALID")
    chosen: list[t.ReactionType] = [t.ReactionTypeEmoji(emoji=e) for e in emoji]
    table = bot.records.reactions.setdefault(f"{chat.chat.id}:{message_id}", {})
    bot.records.keep_recent(bot.records.reactions)
    old = table.get(user.id, [])
    if old == chosen:
        return chosen
    if chosen:
        table[user.id] = chosen
    else:
        table.pop(user.id, None)
    engine.emit(
        bot,
        "reaction",
        {"chat_id": chat.chat.id, "message_id": message_id, "reaction": chosen, "user_id": user.id},
    )
    if chat.chat.type == "private" or chat.members.get(bot.id) == "administrator":
        update = t.MessageReactionUpdated(
            chat=chat.chat,
            message_id=message_id,
            date=now(),
            old_reaction=old,
            new_reaction=chosen,
            user=user,
        )
        engine.deliver(bot, "message_reaction", update)
    return chosen
