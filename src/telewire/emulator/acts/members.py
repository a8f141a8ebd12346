"""Members, the users' side: joining (maybe by a link or a request), leaving, and what
an owner or administrator does to others, the bot included (add, promote, restrict, ban).

All of it goes through :func:`methods.members.change`, so the bot hears exactly what
its own methods would have told it.
"""

from __future__ import annotations

from typing import Any

from telewire.api._generated import types as t
from telewire.emulator.engine import Engine
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.invites import admit
from telewire.emulator.methods.members import (
    ADMIN_RIGHTS,
    IN_CHAT,
    OPTIONAL_ADMIN_RIGHTS,
    PERMISSIONS,
    change,
    full_rights,
    member_object,
    stored_status,
)
from telewire.emulator.world import BotState, ChatState, now

STATUSES = frozenset({"member", "administrator", "restricted", "kicked", "left"})


def _chat(bot: BotState, chat_id: int) -> ChatState:
    chat = bot.chats.get(chat_id)
    if chat is None or chat.chat.type == "private":
        raise bad_request("group chat not found")
    return chat


def join(
    engine: Engine,
    token: str,
    user_data: dict[str, Any],
    chat_id: int,
    *,
    invite_link: str | None = None,
    request: bool = False,
) -> str:
    """``user`` joins ``chat_id``; "member", or "requested" where a request is needed."""
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    chat = _chat(bot, chat_id)
    status = chat.members.get(user.id)
    if status == "kicked":
        raise bad_request("the user is banned in the chat (unban them first)")
    if status in IN_CHAT:
        raise bad_request("USER_ALREADY_PARTICIPANT")
    link = _link(bot, chat, invite_link) if invite_link else None
    if request or (link is not None and link.creates_join_request):
        bot.records.join_requests.setdefault(chat.chat.id, {})[user.id] = now()
        asked = t.ChatJoinRequest(
            chat=chat.chat, from_user=user, user_chat_id=user.id, date=now(), invite_link=link
        )
        engine.deliver(bot, "chat_join_request", asked)
        engine.emit(
            bot, "member", {"chat_id": chat.chat.id, "user_id": user.id, "status": "requested"}
        )
        return "requested"
    admit(engine, bot, chat, user, user, invite_link=link)
    return "member"


def _link(bot: BotState, chat: ChatState, url: str) -> t.ChatInviteLink:
    for link in bot.records.invite_links.get(chat.chat.id, []):
        if link.invite_link == url:
            if link.is_revoked or (link.expire_date and link.expire_date <= now()):
                break
            return link
    raise bad_request("INVITE_HASH_EXPIRED")


def leave(engine: Engine, token: str, user_data: dict[str, Any], chat_id: int) -> None:
    """``user`` leaves a group: ``chat_member`` and a ``left_chat_member`` message."""
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    chat = _chat(bot, chat_id)
    if chat.members.get(user.id) not in IN_CHAT:
        raise bad_request("USER_NOT_PARTICIPANT")
    if chat.members.get(user.id) == "creator":
        raise bad_request("the owner can't leave (in this emulator)")
    change(engine, bot, chat, t.ChatMemberLeft(user=user), user)


def set_member(
    engine: Engine,
    token: str,
    actor_data: dict[str, Any],
    chat_id: int,
    member_id: int,
    status: str,
    *,
    rights: dict[str, bool] | None = None,
    until_date: int = 0,
    custom_title: str | None = None,
) -> t.ChatMember:
    """An owner or administrator makes ``member_id`` (a user or the bot) ``status``.

    ``rights`` are administrator rights for "administrator" (all when None), or
    permissions for "restricted" (none when None).
    """
    if status not in STATUSES:
        raise bad_request(f"status must be one of {', '.join(sorted(STATUSES))}")
    bot = engine.bot(token)
    actor = engine.world.user(actor_data)
    chat = _chat(bot, chat_id)
    if chat.members.get(actor.id) not in ("creator", "administrator"):
        raise bad_request("only the owner or an administrator can change members")
    target = bot.user if member_id == bot.id else engine.world.users.get(member_id)
    if target is None:
        raise bad_request("user not found")
    current = member_object(bot, chat, target)
    if isinstance(current, t.ChatMemberOwner):
        raise bad_request("nobody can change the owner")
    new = _member(target, status, rights or {}, rights is None, until_date, custom_title)
    if isinstance(new, t.ChatMemberRestricted):
        new.is_member = stored_status(current) in IN_CHAT
    change(engine, bot, chat, new, actor)
    return member_object(bot, chat, target)


def _member(
    user: t.User,
    status: str,
    given: dict[str, bool],
    default: bool,
    until_date: int,
    custom_title: str | None,
) -> t.ChatMember:
    if status == "administrator":
        if default:
            return full_rights(user)
        unknown = set(given) - {*ADMIN_RIGHTS, *OPTIONAL_ADMIN_RIGHTS, "is_anonymous"}
        if unknown:
            raise bad_request(f"unknown rights: {', '.join(sorted(unknown))}")
        rights: dict[str, Any] = dict.fromkeys(ADMIN_RIGHTS, False) | given
        rights.setdefault("is_anonymous", False)
        return t.ChatMemberAdministrator(
            user=user, can_be_edited=False, custom_title=custom_title, **rights
        )
    if status == "restricted":
        unknown = set(given) - set(PERMISSIONS)
        if unknown:
            raise bad_request(f"unknown permissions: {', '.join(sorted(unknown))}")
        allowed: dict[str, Any] = dict.fromkeys(PERMISSIONS, False) | given
        return t.ChatMemberRestricted(user=user, is_member=True, until_date=until_date, **allowed)
    if status == "kicked":
        return t.ChatMemberBanned(user=user, until_date=until_date)
    if status == "left":
        return t.ChatMemberLeft(user=user)
    return t.ChatMemberMember(user=user)
