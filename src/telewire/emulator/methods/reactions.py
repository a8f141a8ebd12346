"""Removing users' reactions (the bot's own are set in ``messages.py``)."""

from __future__ import annotations

from telewire.api._generated import types as t
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.members import member_object
from telewire.emulator.world import ChatState


def _moderated(call: Call) -> ChatState:
    chat = call.chat()
    if chat.chat.type != "private":
        me = member_object(call.bot, chat, call.bot.user)
        if not (isinstance(me, t.ChatMemberAdministrator) and me.can_delete_messages):
            raise bad_request("not enough rights to delete reactions")
    return chat


def _clear(call: Call, chat: ChatState, key: str, user_id: int | None) -> int:
    table = call.bot.records.reactions.get(key, {})
    gone = [uid for uid in table if user_id is None or uid == user_id]
    for uid in gone:
        del table[uid]
        message_id = int(key.rsplit(":", 1)[1])
        call.emit(
            "reaction",
            {"chat_id": chat.chat.id, "message_id": message_id, "reaction": [], "user_id": uid},
        )
    return len(gone)


@method("deleteMessageReaction")
def delete_message_reaction(call: Call) -> bool:
    chat = _moderated(call)
    message = call.message(chat, "message_id", "message to react not found")
    user_id = call.get("user_id")
    _clear(call, chat, f"{chat.chat.id}:{message.message_id}", int(user_id) if user_id else None)
    return True


@method("deleteAllMessageReactions")
def delete_all_message_reactions(call: Call) -> bool:
    chat = _moderated(call)
    user_id = call.get("user_id")
    prefix = f"{chat.chat.id}:"
    for key in [k for k in call.bot.records.reactions if k.startswith(prefix)]:
        _clear(call, chat, key, int(user_id) if user_id else None)
    return True
