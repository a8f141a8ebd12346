"""Members: joining, leaving, requests, links, promotion, restriction, bans, tags, the bot."""

from __future__ import annotations

import pytest

from telewire import BadRequest, Bot
from telewire.testing import EmulatorHandle
from telewire.types import (
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberRestricted,
    ChatPermissions,
    Update,
)

ALL = ["message", "chat_member", "my_chat_member", "chat_join_request"]


def drain(bot: Bot) -> list[Update]:
    updates = bot.get_updates(allowed_updates=ALL)
    if updates:
        bot.get_updates(offset=updates[-1].update_id + 1)
    return updates


def test_join_and_leave_give_chat_member_and_service_messages(
    bot: Bot, emulator: EmulatorHandle
) -> None:
    owner, bob = emulator.user("Owner"), emulator.user("Bob")
    group = emulator.group("Club", [owner], kind="supergroup")
    drain(bot)
    assert emulator.join(bob, group.id) == "member"
    updates = drain(bot)
    change = next(u.chat_member for u in updates if u.chat_member)
    assert isinstance(change.old_chat_member, ChatMemberLeft)
    assert isinstance(change.new_chat_member, ChatMemberMember)
    assert change.from_user.id == bob.id
    joined = next(u.message for u in updates if u.message)
    assert joined.new_chat_members and joined.new_chat_members[0].id == bob.id
    with pytest.raises(AssertionError, match="USER_ALREADY_PARTICIPANT"):
        emulator.join(bob, group.id)
    emulator.leave(bob, group.id)
    updates = drain(bot)
    assert isinstance(
        next(u.chat_member for u in updates if u.chat_member).new_chat_member, ChatMemberLeft
    )
    left = next(u.message for u in updates if u.message)
    assert left.left_chat_member and left.left_chat_member.id == bob.id
    assert bot.get_chat_member_count(chat_id=group.id) == 2


def test_chat_member_updates_need_allowed_updates_as_on_telegram(
    bot: Bot, emulator: EmulatorHandle
) -> None:
    owner, bob = emulator.user("Owner"), emulator.user("Bob")
    group = emulator.group("Club", [owner], kind="supergroup")
    bot.get_updates(allowed_updates=[])
    emulator.join(bob, group.id)
    kinds = [k for u in bot.get_updates() for k in ("message", "chat_member") if getattr(u, k)]
    assert "chat_member" not in kinds and "message" in kinds


def test_join_requests_by_link_are_approved_or_declined(bot: Bot, emulator: EmulatorHandle) -> None:
    owner, bob, eve = emulator.user("Owner"), emulator.user("Bob"), emulator.user("Eve")
    group = emulator.group("Private club", [owner], kind="supergroup")
    link = bot.create_chat_invite_link(chat_id=group.id, name="vip", creates_join_request=True)
    assert link.creates_join_request and link.name == "vip"
    drain(bot)
    assert emulator.join(bob, group.id, invite_link=link.invite_link) == "requested"
    assert emulator.join(eve, group.id, request=True) == "requested"
    requests = [u.chat_join_request for u in drain(bot) if u.chat_join_request]
    assert [(r.from_user.id, r.user_chat_id) for r in requests] == [
        (bob.id, bob.id),
        (eve.id, eve.id),
    ]
    assert requests[0].invite_link and requests[0].invite_link.invite_link == link.invite_link
    assert bot.approve_chat_join_request(chat_id=group.id, user_id=bob.id)
    assert bot.decline_chat_join_request(chat_id=group.id, user_id=eve.id)
    with pytest.raises(BadRequest, match="USER_ALREADY_PARTICIPANT"):
        bot.approve_chat_join_request(chat_id=group.id, user_id=bob.id)
    with pytest.raises(BadRequest, match="HIDE_REQUESTER_MISSING"):
        bot.approve_chat_join_request(chat_id=group.id, user_id=eve.id)
    change = next(u.chat_member for u in drain(bot) if u.chat_member)
    assert change.via_join_request and isinstance(change.new_chat_member, ChatMemberMember)
    assert isinstance(bot.get_chat_member(chat_id=group.id, user_id=eve.id), ChatMemberLeft)
    revoked = bot.revoke_chat_invite_link(chat_id=group.id, invite_link=link.invite_link)
    assert revoked.is_revoked
    with pytest.raises(AssertionError, match="INVITE_HASH_EXPIRED"):
        emulator.join(eve, group.id, invite_link=link.invite_link)
    with pytest.raises(BadRequest, match="member_limit can't be used"):
        bot.create_chat_invite_link(chat_id=group.id, member_limit=5, creates_join_request=True)
    primary = bot.export_chat_invite_link(chat_id=group.id)
    assert primary.startswith("https://t.me/+")
    edited = bot.edit_chat_invite_link(chat_id=group.id, invite_link=primary, name="main")
    assert edited.name == "main" and edited.is_primary


def test_bot_moderation_methods_change_members_and_tell_the_bot(
    bot: Bot, emulator: EmulatorHandle
) -> None:
    owner, bob = emulator.user("Owner"), emulator.user("Bob")
    group = emulator.group("Club", [owner, bob], kind="supergroup")
    drain(bot)
    assert bot.restrict_chat_member(
        chat_id=group.id,
        user_id=bob.id,
        permissions=ChatPermissions(can_send_messages=False, can_send_polls=True),
    )
    restricted = bot.get_chat_member(chat_id=group.id, user_id=bob.id)
    assert isinstance(restricted, ChatMemberRestricted) and restricted.is_member
    assert restricted.can_send_polls and not restricted.can_send_messages
    assert bot.set_chat_member_tag(chat_id=group.id, user_id=bob.id, tag="helper")
    assert bot.get_chat_member(chat_id=group.id, user_id=bob.id).tag == "helper"  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match="tag must be 0-16"):
        bot.set_chat_member_tag(chat_id=group.id, user_id=bob.id, tag="x" * 17)
    assert bot.promote_chat_member(chat_id=group.id, user_id=bob.id, can_delete_messages=True)
    assert bot.set_chat_administrator_custom_title(
        chat_id=group.id, user_id=bob.id, custom_title="Mod"
    )
    admin = bot.get_chat_member(chat_id=group.id, user_id=bob.id)
    assert isinstance(admin, ChatMemberAdministrator) and admin.custom_title == "Mod"
    assert admin.can_delete_messages and not admin.can_restrict_members
    with pytest.raises(BadRequest, match="user is an administrator of the chat"):
        bot.restrict_chat_member(chat_id=group.id, user_id=bob.id, permissions=ChatPermissions())
    assert bot.promote_chat_member(chat_id=group.id, user_id=bob.id)  # no rights: demoted
    assert isinstance(bot.get_chat_member(chat_id=group.id, user_id=bob.id), ChatMemberMember)
    assert bot.ban_chat_member(chat_id=group.id, user_id=bob.id, revoke_messages=True)
    assert isinstance(bot.get_chat_member(chat_id=group.id, user_id=bob.id), ChatMemberBanned)
    with pytest.raises(AssertionError, match="banned"):
        emulator.join(bob, group.id)
    assert bot.unban_chat_member(chat_id=group.id, user_id=bob.id, only_if_banned=True)
    assert emulator.join(bob, group.id) == "member"
    assert bot.unban_chat_member(chat_id=group.id, user_id=bob.id)  # removes a member too
    assert isinstance(bot.get_chat_member(chat_id=group.id, user_id=bob.id), ChatMemberLeft)
    statuses = [type(u.chat_member.new_chat_member).__name__ for u in drain(bot) if u.chat_member]
    assert statuses == [
        "ChatMemberRestricted",
        "ChatMemberRestricted",
        "ChatMemberAdministrator",
        "ChatMemberAdministrator",
        "ChatMemberMember",
        "ChatMemberBanned",
        "ChatMemberLeft",
        "ChatMemberMember",
        "ChatMemberLeft",
    ]
    assert bot.set_chat_permissions(
        chat_id=group.id, permissions=ChatPermissions(can_send_polls=False)
    )
    assert bot.get_chat(chat_id=group.id).permissions == ChatPermissions(can_send_polls=False)
    with pytest.raises(BadRequest, match="CHAT_NOT_MODIFIED"):
        bot.set_chat_permissions(
            chat_id=group.id, permissions=ChatPermissions(can_send_polls=False)
        )


def test_admins_act_on_users_and_on_the_bot(bot: Bot, emulator: EmulatorHandle) -> None:
    owner, bob = emulator.user("Owner"), emulator.user("Bob")
    group = emulator.group("Club", [owner, bob], kind="supergroup")
    drain(bot)
    promoted = emulator.set_member(
        owner, group.id, bob, "administrator", rights={"can_invite_users": True}
    )
    assert isinstance(promoted, ChatMemberAdministrator) and promoted.can_invite_users
    assert not promoted.can_delete_messages
    with pytest.raises(AssertionError, match="only the owner or an administrator"):
        emulator.set_member(emulator.user("Eve"), group.id, bob, "kicked")
    change = next(u.chat_member for u in drain(bot) if u.chat_member)
    assert change.from_user.id == owner.id
    emulator.set_member(owner, group.id, emulator.bot_id, "member")  # the bot loses admin rights
    mine = next(u.my_chat_member for u in drain(bot) if u.my_chat_member)
    assert isinstance(mine.old_chat_member, ChatMemberAdministrator)
    assert isinstance(mine.new_chat_member, ChatMemberMember)
    with pytest.raises(BadRequest, match="not enough rights"):
        bot.ban_chat_member(chat_id=group.id, user_id=bob.id)
    emulator.set_member(owner, group.id, emulator.bot_id, "kicked")
    assert isinstance(
        next(u.my_chat_member for u in drain(bot) if u.my_chat_member).new_chat_member,
        ChatMemberBanned,
    )
    with pytest.raises(Exception, match=r"kicked|not a member"):
        bot.send_message(chat_id=group.id, text="still here?")
