"""Chats and their members: information, pins, bans, restrictions, titles."""

from __future__ import annotations

from typing import Any

from telewire.api._generated import types as t
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import ApiFailure, bad_request
from telewire.emulator.world import ChatState

_ADMIN_RIGHTS: dict[str, Any] = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": True,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_send_welcome_messages": True,
}
_RESTRICTED: dict[str, Any] = dict.fromkeys(
    (
        "can_send_messages",
        "can_send_audios",
        "can_send_documents",
        "can_send_photos",
        "can_send_videos",
        "can_send_video_notes",
        "can_send_voice_notes",
        "can_send_polls",
        "can_send_other_messages",
        "can_add_web_page_previews",
        "can_react_to_messages",
        "can_edit_tag",
        "can_change_info",
        "can_invite_users",
        "can_pin_messages",
        "can_manage_topics",
    ),
    False,
)


def member_object(call: Call, chat: ChatState, user_id: int) -> t.ChatMember:
    user = call.bot.user if user_id == call.bot.id else call.world.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    status = chat.members.get(user_id, "member" if chat.chat.type == "private" else "left")
    if status == "creator":
        return t.ChatMemberOwner(user=user, is_anonymous=False)
    if status == "administrator":
        return t.ChatMemberAdministrator(user=user, **_ADMIN_RIGHTS)
    if status == "restricted":
        return t.ChatMemberRestricted(user=user, is_member=True, until_date=0, **_RESTRICTED)
    if status == "kicked":
        return t.ChatMemberBanned(user=user, until_date=0)
    if status == "left":
        return t.ChatMemberLeft(user=user)
    return t.ChatMemberMember(user=user)


def _group(call: Call) -> ChatState:
    chat = call.chat()
    if chat.chat.type == "private":
        raise bad_request("method is available for supergroup and channel chats only")
    if chat.kicked:
        raise ApiFailure(403, "Forbidden: bot is not a member of the group chat")
    return chat


@method("getChat")
def get_chat(call: Call) -> t.ChatFullInfo:
    chat = call.chat()
    info: dict[str, Any] = {
        k: getattr(chat.chat, k)
        for k in ("id", "type", "title", "username", "first_name", "last_name", "is_forum")
    }
    pinned = chat.messages.get(chat.pinned[-1]) if chat.pinned else None
    return t.ChatFullInfo(
        **info,
        accent_color_id=0,
        max_reaction_count=11,
        description=chat.description,
        pinned_message=pinned,
        accepted_gift_types=t.AcceptedGiftTypes(
            unlimited_gifts=True,
            limited_gifts=True,
            unique_gifts=True,
            premium_subscription=True,
            gifts_from_channels=True,
        ),
    )


@method("getChatMember")
def get_chat_member(call: Call) -> t.ChatMember:
    chat = call.chat()
    return member_object(call, chat, int(call.need("user_id")))


@method("getChatMemberCount", "getChatMembersCount")
def get_chat_member_count(call: Call) -> int:
    chat = call.chat()
    if chat.chat.type == "private":
        return 2
    return sum(1 for s in chat.members.values() if s not in ("left", "kicked"))


@method("getChatAdministrators")
def get_chat_administrators(call: Call) -> list[t.ChatMember]:
    chat = _group(call)
    return [
        member_object(call, chat, uid)
        for uid, s in chat.members.items()
        if s in ("creator", "administrator")
    ]


def _set_status(call: Call, status: str) -> bool:
    chat = _group(call)
    user_id = int(call.need("user_id"))
    if chat.members.get(user_id) == "creator":
        raise bad_request(
            "can't remove chat owner" if status == "kicked" else "can't restrict chat owner"
        )
    if status == "member" and chat.members.get(user_id) != "kicked":
        return True  # unbanning someone who is not banned is a no-op, as on Telegram
    chat.members[user_id] = status if status != "member" else "left"
    call.emit("member", {"chat_id": chat.chat.id, "user_id": user_id, "status": status})
    return True


@method("banChatMember", "kickChatMember")
def ban_chat_member(call: Call) -> bool:
    return _set_status(call, "kicked")


@method("unbanChatMember")
def unban_chat_member(call: Call) -> bool:
    return _set_status(call, "member")


@method("restrictChatMember")
def restrict_chat_member(call: Call) -> bool:
    call.need("permissions")
    return _set_status(call, "restricted")


@method("promoteChatMember")
def promote_chat_member(call: Call) -> bool:
    return _set_status(call, "administrator")


@method("pinChatMessage")
def pin_chat_message(call: Call) -> bool:
    chat = call.chat()
    message = call.message(chat, "message_id", "message to pin not found")
    if message.message_id in chat.pinned:
        chat.pinned.remove(message.message_id)
    chat.pinned.append(message.message_id)
    call.emit("pin", {"chat_id": chat.chat.id, "message_id": message.message_id, "pinned": True})
    return True


@method("unpinChatMessage")
def unpin_chat_message(call: Call) -> bool:
    chat = call.chat()
    message_id = call.get("message_id") or (chat.pinned[-1] if chat.pinned else None)
    if message_id is None or int(message_id) not in chat.pinned:
        raise bad_request("message to unpin not found")
    chat.pinned.remove(int(message_id))
    call.emit("pin", {"chat_id": chat.chat.id, "message_id": int(message_id), "pinned": False})
    return True


@method("unpinAllChatMessages")
def unpin_all_chat_messages(call: Call) -> bool:
    chat = call.chat()
    chat.pinned.clear()
    return True


@method("leaveChat")
def leave_chat(call: Call) -> bool:
    chat = _group(call)
    chat.kicked = True
    chat.members[call.bot.id] = "left"
    return True


@method("setChatTitle")
def set_chat_title(call: Call) -> bool:
    chat = _group(call)
    title = str(call.need("title"))
    if not 1 <= len(title) <= 128:
        raise bad_request("chat title must be 1-128 characters")
    chat.chat.title = title
    return True


@method("setChatDescription")
def set_chat_description(call: Call) -> bool:
    chat = _group(call)
    description = str(call.get("description", ""))
    if len(description) > 255:
        raise bad_request("chat description is too long")
    if description == (chat.description or ""):
        raise bad_request("chat description is not modified")
    chat.description = description or None
    return True
