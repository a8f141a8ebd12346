"""Chats: information, pins, titles, descriptions, photos (members are in ``members.py``)."""

from __future__ import annotations

from typing import Any

from telewire.api._generated import types as t
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import ApiFailure, bad_request
from telewire.emulator.world import ChatState


def group(call: Call) -> ChatState:
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
        permissions=call.bot.records.permissions.get(chat.chat.id),
        photo=call.bot.records.chat_photos.get(chat.chat.id),
        sticker_set_name=call.bot.records.chat_sticker_sets.get(chat.chat.id),
        pinned_message=pinned,
        accepted_gift_types=t.AcceptedGiftTypes(
            unlimited_gifts=True,
            limited_gifts=True,
            unique_gifts=True,
            premium_subscription=True,
            gifts_from_channels=True,
        ),
    )


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
    chat = group(call)
    chat.kicked = True
    chat.members[call.bot.id] = "left"
    return True


@method("setChatTitle")
def set_chat_title(call: Call) -> bool:
    chat = group(call)
    title = str(call.need("title"))
    if not 1 <= len(title) <= 128:
        raise bad_request("chat title must be 1-128 characters")
    chat.chat.title = title
    return True


@method("setChatDescription")
def set_chat_description(call: Call) -> bool:
    chat = group(call)
    description = str(call.get("description", ""))
    if len(description) > 255:
        raise bad_request("chat description is too long")
    if description == (chat.description or ""):
        raise bad_request("chat description is not modified")
    chat.description = description or None
    return True


@method("setChatPhoto")
def set_chat_photo(call: Call) -> bool:
    from telewire.emulator.methods.common import post
    from telewire.emulator.methods.media import media_object
    from telewire.emulator.uploads import resolve

    chat = group(call)
    record = resolve(call.bot, call.need("photo"), call.params, "profile_photos")
    if isinstance(call.need("photo"), str) and not call.need("photo").startswith("attach://"):
        raise bad_request("PHOTO_INVALID")  # a new upload only, as on Telegram
    sizes = media_object("photo", record, None, call.bot)
    small, big = sizes[0], sizes[-1]
    call.bot.records.chat_photos[chat.chat.id] = t.ChatPhoto(
        small_file_id=small.file_id,
        small_file_unique_id=small.file_unique_id,
        big_file_id=big.file_id,
        big_file_unique_id=big.file_unique_id,
    )
    post(call, chat, new_chat_photo=sizes)
    return True


@method("deleteChatPhoto")
def delete_chat_photo(call: Call) -> bool:
    from telewire.emulator.methods.common import post

    chat = group(call)
    if call.bot.records.chat_photos.pop(chat.chat.id, None) is None:
        raise bad_request("CHAT_NOT_MODIFIED")
    post(call, chat, delete_chat_photo=True)
    return True


@method("setChatStickerSet")
def set_chat_sticker_set(call: Call) -> bool:
    chat = group(call)
    if chat.chat.type != "supergroup":
        raise bad_request("method is available only for supergroups")
    name = str(call.need("sticker_set_name"))
    if name not in call.bot.records.sticker_sets:
        raise bad_request("STICKERSET_INVALID")
    call.bot.records.chat_sticker_sets[chat.chat.id] = name
    return True


@method("deleteChatStickerSet")
def delete_chat_sticker_set(call: Call) -> bool:
    chat = group(call)
    if call.bot.records.chat_sticker_sets.pop(chat.chat.id, None) is None:
        raise bad_request("CHAT_NOT_MODIFIED")
    return True
