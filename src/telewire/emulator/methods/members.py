"""Chat members: who is in a chat with which rights, and the one way to change it.

One mechanism, :func:`change`, moves a user (or the bot) from one ChatMember to another,
for the bot's methods here and for users' acts (``acts/members.py``) alike: it keeps the
status in ``ChatState.members`` and the full object (rights, permissions, tag, until
date) in the bot's records, and tells the bot: ``my_chat_member`` about itself,
``chat_member`` about others (only where the bot is an administrator and asked for
them in allowed_updates, as on Telegram), and the ``new_chat_members`` /
``left_chat_member`` service messages.
"""

from __future__ import annotations

from typing import Any

import msgspec

from telewire.api._generated import types as t
from telewire.emulator.engine import Call, Engine, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.chats import group
from telewire.emulator.world import BotState, ChatState, now

ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)
OPTIONAL_ADMIN_RIGHTS = (
    "can_post_messages",
    "can_edit_messages",
    "can_pin_messages",
    "can_manage_topics",
    "can_manage_direct_messages",
    "can_manage_tags",
)
PERMISSIONS = tuple(f.name for f in msgspec.structs.fields(t.ChatPermissions))
TAG_LIMIT = 16
IN_CHAT = frozenset({"creator", "administrator", "member", "restricted"})


def status_of(member: t.ChatMember) -> str:
    return str(type(member).__struct_config__.tag)


def stored_status(member: t.ChatMember) -> str:
    """The status kept in ``ChatState.members``: a restricted non-member counts as left."""
    if isinstance(member, t.ChatMemberRestricted) and not member.is_member:
        return "left"
    return status_of(member)


def full_rights(user: t.User) -> t.ChatMemberAdministrator:
    rights: dict[str, Any] = dict.fromkeys(ADMIN_RIGHTS + OPTIONAL_ADMIN_RIGHTS, True)
    rights.update(can_post_stories=False, can_edit_stories=False, can_delete_stories=False)
    return t.ChatMemberAdministrator(user=user, can_be_edited=False, is_anonymous=False, **rights)


def member_object(bot: BotState, chat: ChatState, user: t.User) -> t.ChatMember:
    """The user's ChatMember in ``chat`` as getChatMember answers it."""
    status = chat.members.get(user.id, "member" if chat.chat.type == "private" else "left")
    known = bot.records.members.get(chat.chat.id, {}).get(user.id)
    if known is not None and stored_status(known) == status:
        return msgspec.structs.replace(known, user=user)
    if status == "creator":
        return t.ChatMemberOwner(user=user, is_anonymous=False)
    if status == "administrator":
        return full_rights(user)
    if status == "restricted":
        denied: dict[str, Any] = dict.fromkeys(PERMISSIONS, False)
        return t.ChatMemberRestricted(user=user, is_member=True, until_date=0, **denied)
    if status == "kicked":
        return t.ChatMemberBanned(user=user, until_date=0)
    if status == "left":
        return t.ChatMemberLeft(user=user)
    return t.ChatMemberMember(user=user)


def change(
    engine: Engine,
    bot: BotState,
    chat: ChatState,
    new: t.ChatMember,
    actor: t.User,
    *,
    invite_link: t.ChatInviteLink | None = None,
    via_join_request: bool = False,
) -> t.ChatMemberUpdated | None:
    """Make ``new`` the member's state in ``chat`` and tell the bot; None if nothing changed."""
    user = new.user
    old = member_object(bot, chat, user)
    if old == new:
        return None
    status = stored_status(new)
    chat.members[user.id] = status
    details = bot.records.members.setdefault(chat.chat.id, {})
    details[user.id] = new
    update = t.ChatMemberUpdated(
        chat=chat.chat,
        from_user=actor,
        date=now(),
        old_chat_member=old,
        new_chat_member=new,
        invite_link=invite_link,
        via_join_request=True if via_join_request else None,
    )
    if user.id == bot.id:
        chat.kicked = status not in IN_CHAT
        engine.deliver(bot, "my_chat_member", update)
    elif chat.members.get(bot.id) == "administrator":
        engine.deliver(bot, "chat_member", update)
    engine.emit(bot, "member", {"chat_id": chat.chat.id, "user_id": user.id, "status": status})
    was_in, is_in = stored_status(old) in IN_CHAT, status in IN_CHAT
    if chat.chat.type in ("group", "supergroup") and was_in != is_in and user.id != bot.id:
        field = {"new_chat_members": [user]} if is_in else {"left_chat_member": user}
        if via_join_request or (is_in and actor.id == bot.id):
            actor = user
        _service_message(engine, bot, chat, actor, **field)
    return update


def _service_message(
    engine: Engine, bot: BotState, chat: ChatState, sender: t.User, **content: Any
) -> None:
    message = t.Message(
        message_id=bot.next_message_id(chat),
        date=now(),
        chat=chat.chat,
        from_user=sender if sender.id != bot.id else bot.user,
        **content,
    )
    chat.messages[message.message_id] = message
    engine.emit(bot, "message", {"chat_id": chat.chat.id, "message": message})
    engine.deliver(bot, "message", message)


# -- reading -------------------------------------------------------------------------


def target_user(call: Call) -> t.User:
    user_id = int(call.need("user_id"))
    if user_id == call.bot.id:
        return call.bot.user
    user = call.world.users.get(user_id)
    if user is None:
        raise bad_request("PARTICIPANT_ID_INVALID")
    return user


@method("getChatMember")
def get_chat_member(call: Call) -> t.ChatMember:
    chat = call.chat()
    return member_object(call.bot, chat, target_user(call))


@method("getChatMemberCount", "getChatMembersCount")
def get_chat_member_count(call: Call) -> int:
    chat = call.chat()
    if chat.chat.type == "private":
        return 2
    return sum(1 for s in chat.members.values() if s in IN_CHAT)


@method("getChatAdministrators")
def get_chat_administrators(call: Call) -> list[t.ChatMember]:
    chat = group(call)
    users = [
        call.bot.user if uid == call.bot.id else call.world.users[uid]
        for uid, s in chat.members.items()
        if s in ("creator", "administrator") and (uid == call.bot.id or uid in call.world.users)
    ]
    return [member_object(call.bot, chat, user) for user in users]
