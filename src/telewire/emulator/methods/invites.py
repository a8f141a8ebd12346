"""Invite links and join requests, the bot's side.

Links live in the bot's records per chat; a user who opens one (``acts/members.py``)
joins, or asks to join where the link ``creates_join_request``. The bot approves or
declines a request; Telegram's ``HIDE_REQUESTER_MISSING`` answers one that is not
pending, ``USER_ALREADY_PARTICIPANT`` a request of a member.
"""

from __future__ import annotations

import secrets

import msgspec

from telewire.api._generated import types as t
from telewire.emulator.engine import Call, Engine, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.chats import group
from telewire.emulator.methods.members import IN_CHAT, change
from telewire.emulator.world import BotState, ChatState, now

NAME_LIMIT = 32
MEMBER_LIMIT = 99_999
SUBSCRIPTION_PERIOD = 2_592_000


def _link_options(call: Call, link: t.ChatInviteLink) -> t.ChatInviteLink:
    name = call.get("name", link.name)
    if name is not None and len(str(name)) > NAME_LIMIT:
        raise bad_request(f"invite link name must be 0-{NAME_LIMIT} characters")
    limit = call.get("member_limit", link.member_limit)
    if limit is not None and not 1 <= int(limit) <= MEMBER_LIMIT:
        raise bad_request(f"member_limit must be 1-{MEMBER_LIMIT}")
    by_request = bool(call.get("creates_join_request", link.creates_join_request))
    if by_request and limit:
        raise bad_request("member_limit can't be used with creates_join_request")
    expire = call.get("expire_date", link.expire_date)
    if expire is not None and int(expire) and int(expire) <= now():
        raise bad_request("EXPIRE_DATE_INVALID")
    return msgspec.structs.replace(
        link,
        name=str(name) if name else None,
        member_limit=int(limit) if limit else None,
        creates_join_request=by_request,
        expire_date=int(expire) if expire else None,
    )


def _new_link(call: Call, chat: ChatState, *, primary: bool = False) -> t.ChatInviteLink:
    return t.ChatInviteLink(
        invite_link=f"https://t.me/+{secrets.token_urlsafe(12)}",
        creator=call.bot.user,
        creates_join_request=False,
        is_primary=primary,
        is_revoked=False,
    )


def _links(call: Call, chat: ChatState) -> list[t.ChatInviteLink]:
    return call.bot.records.invite_links.setdefault(chat.chat.id, [])


def _find(call: Call, chat: ChatState) -> tuple[int, t.ChatInviteLink]:
    wanted = str(call.need("invite_link"))
    for index, link in enumerate(_links(call, chat)):
        if link.invite_link == wanted:
            return index, link
    raise bad_request("INVITE_HASH_EXPIRED")


@method("exportChatInviteLink")
def export_chat_invite_link(call: Call) -> str:
    chat = group(call)
    links = _links(call, chat)
    for index, link in enumerate(links):
        if link.is_primary:
            links[index] = msgspec.structs.replace(link, is_revoked=True, is_primary=False)
    primary = _new_link(call, chat, primary=True)
    links.append(primary)
    return primary.invite_link


@method("createChatInviteLink")
def create_chat_invite_link(call: Call) -> t.ChatInviteLink:
    chat = group(call)
    link = _link_options(call, _new_link(call, chat))
    _links(call, chat).append(link)
    return link


@method("editChatInviteLink")
def edit_chat_invite_link(call: Call) -> t.ChatInviteLink:
    chat = group(call)
    index, link = _find(call, chat)
    if link.is_revoked:
        raise bad_request("INVITE_HASH_EXPIRED")
    if link.subscription_period:
        raise bad_request("use editChatSubscriptionInviteLink for subscription links")
    edited = _link_options(call, link)
    _links(call, chat)[index] = edited
    return edited


@method("createChatSubscriptionInviteLink")
def create_chat_subscription_invite_link(call: Call) -> t.ChatInviteLink:
    chat = group(call)
    if chat.chat.type != "channel":
        raise bad_request("subscription links can be created only for channels")
    if int(call.need("subscription_period")) != SUBSCRIPTION_PERIOD:
        raise bad_request("SUBSCRIPTION_PERIOD_INVALID")
    price = int(call.need("subscription_price"))
    if not 1 <= price <= 10_000:
        raise bad_request("SUBSCRIPTION_PRICE_INVALID")
    link = msgspec.structs.replace(
        _link_options(call, _new_link(call, chat)),
        subscription_period=SUBSCRIPTION_PERIOD,
        subscription_price=price,
    )
    _links(call, chat).append(link)
    return link


@method("editChatSubscriptionInviteLink")
def edit_chat_subscription_invite_link(call: Call) -> t.ChatInviteLink:
    chat = group(call)
    index, link = _find(call, chat)
    if not link.subscription_period:
        raise bad_request("not a subscription invite link")
    name = call.get("name")
    if name is not None and len(str(name)) > NAME_LIMIT:
        raise bad_request(f"invite link name must be 0-{NAME_LIMIT} characters")
    edited = msgspec.structs.replace(link, name=str(name) if name else None)
    _links(call, chat)[index] = edited
    return edited


@method("revokeChatInviteLink")
def revoke_chat_invite_link(call: Call) -> t.ChatInviteLink:
    chat = group(call)
    index, link = _find(call, chat)
    revoked = msgspec.structs.replace(link, is_revoked=True)
    _links(call, chat)[index] = revoked
    if link.is_primary:
        _links(call, chat).append(_new_link(call, chat, primary=True))
    return revoked


def _request(call: Call) -> tuple[ChatState, t.User]:
    chat = group(call)
    user_id = int(call.need("user_id"))
    pending = call.bot.records.join_requests.get(chat.chat.id, {})
    user = call.world.users.get(user_id)
    if user is None or user_id not in pending:
        if chat.members.get(user_id) in IN_CHAT:
            raise bad_request("USER_ALREADY_PARTICIPANT")
        raise bad_request("HIDE_REQUESTER_MISSING")
    del pending[user_id]
    return chat, user


@method("approveChatJoinRequest")
def approve_chat_join_request(call: Call) -> bool:
    chat, user = _request(call)
    admit(call.engine, call.bot, chat, user, call.bot.user, via_join_request=True)
    return True


@method("declineChatJoinRequest")
def decline_chat_join_request(call: Call) -> bool:
    _request(call)
    return True


def admit(
    engine: Engine,
    bot: BotState,
    chat: ChatState,
    user: t.User,
    actor: t.User,
    *,
    invite_link: t.ChatInviteLink | None = None,
    via_join_request: bool = False,
) -> None:
    """``user`` becomes a member of ``chat`` (joined, added, or let in by ``actor``)."""
    change(
        engine,
        bot,
        chat,
        t.ChatMemberMember(user=user),
        actor,
        invite_link=invite_link,
        via_join_request=via_join_request,
    )
