"""The bot's own profile photos, emoji statuses it sets for users, users' chat boosts,
and message drafts it streams to a user while writing a long answer.

Profile photos show in getUserProfilePhotos of the bot; a draft shows on the chat page
(event ``draft``) until the bot sends its message or 30 s pass, as in Telegram's apps.
"""

from __future__ import annotations

import time
from typing import Any

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.common import formatted
from telewire.emulator.methods.media import media_object
from telewire.emulator.uploads import resolve

DRAFT_SECONDS = 30


@method("setMyProfilePhoto")
def set_my_profile_photo(call: Call) -> bool:
    raw = call.need("photo")
    photo = typed.convert(raw, t.InputProfilePhoto)
    source = photo.photo if isinstance(photo, t.InputProfilePhotoStatic) else photo.animation
    record = resolve(
        call.bot, call.params.get(source.removeprefix("attach://"), source), {}, "profile_photos"
    )
    call.bot.records.bot_photos.insert(0, media_object("photo", record, None, call.bot))
    return True


@method("removeMyProfilePhoto")
def remove_my_profile_photo(call: Call) -> bool:
    if not call.bot.records.bot_photos:
        raise bad_request("PHOTO_NOT_MODIFIED")
    call.bot.records.bot_photos.pop(0)
    return True


@method("getUserProfilePhotos")
def get_user_profile_photos(call: Call) -> t.UserProfilePhotos:
    user_id = int(call.need("user_id"))
    if user_id not in call.world.users and user_id != call.bot.id:
        raise bad_request("user not found")
    photos = call.bot.records.bot_photos if user_id == call.bot.id else []
    offset = max(0, int(call.get("offset", 0)))
    limit = min(100, max(1, int(call.get("limit", 100))))
    return t.UserProfilePhotos(total_count=len(photos), photos=photos[offset : offset + limit])


@method("setUserEmojiStatus")
def set_user_emoji_status(call: Call) -> bool:
    """Users allow this in a Mini App on Telegram; the emulator takes their consent as given."""
    user_id = int(call.need("user_id"))
    if user_id not in call.world.users:
        raise bad_request("USER_ID_INVALID")
    emoji = call.get("emoji_status_custom_emoji_id")
    if emoji:
        call.bot.records.emoji_statuses[user_id] = str(emoji)
    else:
        call.bot.records.emoji_statuses.pop(user_id, None)
    return True


@method("getUserChatBoosts")
def get_user_chat_boosts(call: Call) -> t.UserChatBoosts:
    """Nobody boosts chats in the emulator (it has no Premium), so the list is empty."""
    chat = call.chat()
    if chat.chat.type != "channel" and chat.chat.type != "supergroup":
        raise bad_request("method is available for supergroup and channel chats only")
    if int(call.need("user_id")) not in call.world.users:
        raise bad_request("USER_ID_INVALID")
    return t.UserChatBoosts(boosts=[])


@method("sendMessageDraft")
def send_message_draft(call: Call) -> bool:
    chat = call.chat(sending=True)
    if chat.chat.type != "private":
        raise bad_request("drafts can be streamed to private chats only")
    draft_id = int(call.need("draft_id"))
    if draft_id == 0:
        raise bad_request("draft_id must be non-zero")
    text, entities = formatted(call, str(call.get("text", "")), "parse_mode", "entities")
    draft: dict[str, Any] = {
        "draft_id": draft_id,
        "text": text,
        "entities": entities,
        "until": time.time() + DRAFT_SECONDS,
    }
    call.bot.records.drafts[chat.chat.id] = draft
    call.emit(
        "draft", {"chat_id": chat.chat.id, "draft_id": draft_id, "text": text, "entities": entities}
    )
    return True


@method("sendPaidMedia")
def send_paid_media(call: Call) -> t.Message:
    """Media a user unlocks for Stars: they see a preview and the price."""
    from telewire.emulator.methods.common import caption, post
    from telewire.emulator.methods.media import FOLDERS

    chat = call.chat(sending=True)
    stars = int(call.need("star_count"))
    if not 1 <= stars <= 10_000:
        raise bad_request("star_count must be 1-10000")
    items = call.need("media")
    if not 1 <= len(items) <= 10:
        raise bad_request("paid media must have 1-10 items")
    previews: list[t.PaidMedia] = []
    for raw in items:
        kind = raw.get("type") if isinstance(raw, dict) else None
        if kind not in ("photo", "video", "live_photo"):
            raise bad_request("wrong type of the paid media specified")
        record = resolve(
            call.bot,
            raw.get("media"),
            call.params,
            FOLDERS["photo" if kind == "photo" else "video"],
        )
        shown = media_object("photo" if kind == "photo" else "video", record, raw, call.bot)
        width = shown[-1].width if isinstance(shown, list) else shown.width
        height = shown[-1].height if isinstance(shown, list) else shown.height
        previews.append(t.PaidMediaPreview(width=width, height=height))
    info = t.PaidMediaInfo(star_count=stars, paid_media=previews)
    return post(call, chat, paid_media=info, **caption(call))
