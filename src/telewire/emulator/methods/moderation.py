"""Moderation, the bot's side: banning, restricting, promoting, titles, tags, permissions.

Each method checks the bot's own rights first (as Telegram: "not enough rights..."), then
moves the member with :func:`members.change`, which tells the bot and the chat.
"""

from __future__ import annotations

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.chats import group
from telewire.emulator.methods.members import (
    ADMIN_RIGHTS,
    IN_CHAT,
    OPTIONAL_ADMIN_RIGHTS,
    PERMISSIONS,
    TAG_LIMIT,
    change,
    member_object,
    stored_status,
    target_user,
)
from telewire.emulator.world import ChatState, now


def _administered(call: Call, right: str) -> tuple[ChatState, t.User, t.ChatMember]:
    """The chat (where the bot has ``right``), the target user and their current state."""
    chat = group(call)
    me = member_object(call.bot, chat, call.bot.user)
    if not isinstance(me, (t.ChatMemberAdministrator, t.ChatMemberOwner)) or (
        isinstance(me, t.ChatMemberAdministrator) and not getattr(me, right, False)
    ):
        raise bad_request(
            "not enough rights to restrict/ban chat member"
            if right == "can_restrict_members"
            else "not enough rights"
        )
    user = target_user(call)
    return chat, user, member_object(call.bot, chat, user)


def _until(call: Call) -> int:
    until = int(call.get("until_date", 0))
    # Telegram: less than 30 seconds or more than 366 days from now means forever.
    return 0 if until and not 30 <= until - now() <= 366 * 86_400 else until


@method("banChatMember", "kickChatMember")
def ban_chat_member(call: Call) -> bool:
    chat, user, current = _administered(call, "can_restrict_members")
    if isinstance(current, t.ChatMemberOwner):
        raise bad_request("can't remove chat owner")
    if user.id == call.bot.id:
        raise bad_request("can't remove self")
    # revoke_messages takes the chat's history from the removed user's view; the
    # emulator shows no user a chat they are not in, so it changes nothing here.
    change(
        call.engine,
        call.bot,
        chat,
        t.ChatMemberBanned(user=user, until_date=_until(call)),
        call.bot.user,
    )
    return True


@method("unbanChatMember")
def unban_chat_member(call: Call) -> bool:
    chat, user, current = _administered(call, "can_restrict_members")
    if isinstance(current, t.ChatMemberOwner):
        raise bad_request("can't remove chat owner")
    banned = isinstance(current, t.ChatMemberBanned)
    # Without only_if_banned Telegram also removes a member, so they "can join again".
    if (banned or not call.get("only_if_banned", False)) and not isinstance(
        current, t.ChatMemberLeft
    ):
        change(call.engine, call.bot, chat, t.ChatMemberLeft(user=user), call.bot.user)
    return True


@method("restrictChatMember")
def restrict_chat_member(call: Call) -> bool:
    chat, user, current = _administered(call, "can_restrict_members")
    if isinstance(current, t.ChatMemberOwner):
        raise bad_request("can't restrict chat owner")
    if isinstance(current, t.ChatMemberAdministrator):
        raise bad_request("user is an administrator of the chat")
    if user.id == call.bot.id:
        raise bad_request("can't restrict self")
    if chat.chat.type != "supergroup":
        raise bad_request("method is available only for supergroups")
    given = typed.convert(call.need("permissions"), t.ChatPermissions)
    allowed = {name: bool(getattr(given, name)) for name in PERMISSIONS}
    in_chat = stored_status(current) in IN_CHAT
    if all(allowed.values()):
        new: t.ChatMember = (
            t.ChatMemberMember(user=user) if in_chat else t.ChatMemberLeft(user=user)
        )
    else:
        new = t.ChatMemberRestricted(
            user=user, is_member=in_chat, until_date=_until(call), tag=_tag_of(current), **allowed
        )
    change(call.engine, call.bot, chat, new, call.bot.user)
    return True


def _tag_of(member: t.ChatMember) -> str | None:
    return getattr(member, "tag", None)


@method("promoteChatMember")
def promote_chat_member(call: Call) -> bool:
    chat, user, current = _administered(call, "can_promote_members")
    if isinstance(current, t.ChatMemberOwner):
        raise bad_request("can't change the rights of the chat owner")
    if user.id == call.bot.id:
        raise bad_request("can't promote self")
    if stored_status(current) not in IN_CHAT:
        raise bad_request("USER_NOT_PARTICIPANT")
    rights = {name: bool(call.get(name, False)) for name in ADMIN_RIGHTS}
    optional = {name: bool(call.get(name, False)) for name in OPTIONAL_ADMIN_RIGHTS}
    anonymous = bool(call.get("is_anonymous", False))
    if not any(rights.values()) and not any(optional.values()) and not anonymous:
        new: t.ChatMember = t.ChatMemberMember(user=user)
    else:
        title = current.custom_title if isinstance(current, t.ChatMemberAdministrator) else None
        new = t.ChatMemberAdministrator(
            user=user,
            can_be_edited=True,
            is_anonymous=anonymous,
            custom_title=title,
            **rights,
            **optional,
        )
    change(call.engine, call.bot, chat, new, call.bot.user)
    return True


@method("setChatAdministratorCustomTitle")
def set_chat_administrator_custom_title(call: Call) -> bool:
    chat, _, current = _administered(call, "can_promote_members")
    title = str(call.get("custom_title", ""))
    if len(title) > 16 or any(ord(c) > 0xFFFF for c in title):
        raise bad_request("ADMIN_RANK_INVALID")
    if not isinstance(current, t.ChatMemberAdministrator):
        raise bad_request("user is not an administrator")
    if not current.can_be_edited:
        raise bad_request("not enough rights to change custom title of the user")
    change(
        call.engine,
        call.bot,
        chat,
        msgspec.structs.replace(current, custom_title=title or None),
        call.bot.user,
    )
    return True


@method("setChatMemberTag")
def set_chat_member_tag(call: Call) -> bool:
    chat, _, current = _administered(call, "can_manage_tags")
    tag = str(call.get("tag", ""))
    if len(tag) > TAG_LIMIT or any(ord(c) > 0xFFFF for c in tag):
        raise bad_request(f"tag must be 0-{TAG_LIMIT} characters without emoji")
    if not isinstance(current, (t.ChatMemberMember, t.ChatMemberRestricted)):
        raise bad_request("tags can be set only for regular members")
    change(
        call.engine,
        call.bot,
        chat,
        msgspec.structs.replace(current, tag=tag or None),
        call.bot.user,
    )
    return True


@method("setChatPermissions")
def set_chat_permissions(call: Call) -> bool:
    chat = group(call)
    me = member_object(call.bot, chat, call.bot.user)
    if not isinstance(me, t.ChatMemberAdministrator) or not me.can_restrict_members:
        raise bad_request("not enough rights to change chat permissions")
    permissions = typed.convert(call.need("permissions"), t.ChatPermissions)
    if call.bot.records.permissions.get(chat.chat.id) == permissions:
        raise bad_request("CHAT_NOT_MODIFIED")
    call.bot.records.permissions[chat.chat.id] = permissions
    return True


@method("banChatSenderChat", "unbanChatSenderChat")
def ban_chat_sender_chat(call: Call) -> bool:
    chat = group(call)
    sender = int(call.need("sender_chat_id"))
    banned = call.bot.records.banned_senders.setdefault(chat.chat.id, [])
    if call.method.lower().startswith("ban"):
        if sender not in banned:
            banned.append(sender)
    elif sender in banned:
        banned.remove(sender)
    return True
