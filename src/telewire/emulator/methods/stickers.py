"""Sticker sets a bot creates for its users: creating, filling, reordering, deleting.

Sets live in the bot's records by name; as on Telegram a name ends in ``_by_<bot
username>`` and is unique. Texts: ``STICKERSET_INVALID`` for an unknown set, "sticker
set name is already occupied", ``STICKERS_TOO_MUCH`` past 120 stickers (200 custom
emoji), "invalid sticker set name is specified".
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.uploads import resolve
from telewire.emulator.world import FileRecord

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
FORMATS = frozenset({"static", "animated", "video"})
TYPES = frozenset({"regular", "mask", "custom_emoji"})
LIMITS = {"regular": 120, "mask": 120, "custom_emoji": 200}


def _owner(call: Call) -> int:
    user_id = int(call.need("user_id"))
    if user_id not in call.world.users:
        raise bad_request("USER_ID_INVALID")
    return user_id


def _set(call: Call, name: str | None = None) -> t.StickerSet:
    found = call.bot.records.sticker_sets.get(str(name or call.need("name")))
    if found is None:
        raise bad_request("STICKERSET_INVALID")
    return found


def _sticker(call: Call, raw: Any, kind: str, set_name: str) -> t.Sticker:
    item = typed.convert(raw, t.InputSticker)
    if item.format not in FORMATS:
        raise bad_request("invalid sticker format specified")
    if not 1 <= len(item.emoji_list) <= 20:
        raise bad_request("sticker emoji list must have 1-20 emoji")
    record: FileRecord = resolve(call.bot, item.sticker, call.params, "stickers")
    file_id, unique_id = call.bot.new_file_id()
    call.bot.files[file_id] = msgspec.structs.replace(
        record, file_id=file_id, file_unique_id=unique_id
    )
    if item.keywords:
        call.bot.records.sticker_keywords[file_id] = list(item.keywords)
    call.bot.records.sticker_emoji[file_id] = list(item.emoji_list)
    return t.Sticker(
        file_id=file_id,
        file_unique_id=unique_id,
        type=kind,
        width=512,
        height=512,
        is_animated=item.format == "animated",
        is_video=item.format == "video",
        emoji=item.emoji_list[0],
        set_name=set_name,
        mask_position=item.mask_position,
        custom_emoji_id=f"5{unique_id[-12:]}" if kind == "custom_emoji" else None,
        file_size=len(record.data),
    )


def _find_sticker(call: Call) -> tuple[t.StickerSet, int]:
    file_id = str(call.need("sticker"))
    for sticker_set in call.bot.records.sticker_sets.values():
        for index, sticker in enumerate(sticker_set.stickers):
            if sticker.file_id == file_id:
                return sticker_set, index
    raise bad_request("STICKER_INVALID")


@method("uploadStickerFile")
def upload_sticker_file(call: Call) -> t.File:
    _owner(call)
    if call.need("sticker_format") not in FORMATS:
        raise bad_request("invalid sticker format specified")
    record = resolve(call.bot, call.need("sticker"), call.params, "stickers")
    return t.File(
        file_id=record.file_id,
        file_unique_id=record.file_unique_id,
        file_size=len(record.data),
        file_path=record.file_path,
    )


@method("createNewStickerSet")
def create_new_sticker_set(call: Call) -> bool:
    _owner(call)
    name, title = str(call.need("name")), str(call.need("title"))
    suffix = f"_by_{call.bot.username}".lower()
    if not _NAME.match(name) or not name.lower().endswith(suffix) or "__" in name:
        raise bad_request("invalid sticker set name is specified")
    if name in call.bot.records.sticker_sets:
        raise bad_request("sticker set name is already occupied")
    if not 1 <= len(title) <= 64:
        raise bad_request("sticker set title must be 1-64 characters")
    kind = str(call.get("sticker_type", "regular"))
    if kind not in TYPES:
        raise bad_request("invalid sticker type specified")
    raw = call.need("stickers")
    if not 1 <= len(raw) <= 50:
        raise bad_request("a new sticker set takes 1-50 stickers")
    stickers = [_sticker(call, item, kind, name) for item in raw]
    call.bot.records.sticker_sets[name] = t.StickerSet(
        name=name, title=title, sticker_type=kind, stickers=stickers
    )
    return True


@method("getStickerSet")
def get_sticker_set(call: Call) -> t.StickerSet:
    return _set(call)


@method("addStickerToSet")
def add_sticker_to_set(call: Call) -> bool:
    _owner(call)
    sticker_set = _set(call)
    if len(sticker_set.stickers) >= LIMITS[sticker_set.sticker_type]:
        raise bad_request("STICKERS_TOO_MUCH")
    sticker_set.stickers.append(
        _sticker(call, call.need("sticker"), sticker_set.sticker_type, sticker_set.name)
    )
    return True


@method("replaceStickerInSet")
def replace_sticker_in_set(call: Call) -> bool:
    _owner(call)
    sticker_set = _set(call)
    old = str(call.need("old_sticker"))
    for index, sticker in enumerate(sticker_set.stickers):
        if sticker.file_id == old:
            sticker_set.stickers[index] = _sticker(
                call, call.need("sticker"), sticker_set.sticker_type, sticker_set.name
            )
            return True
    raise bad_request("STICKER_INVALID")


@method("deleteStickerFromSet")
def delete_sticker_from_set(call: Call) -> bool:
    sticker_set, index = _find_sticker(call)
    del sticker_set.stickers[index]
    return True


@method("setStickerPositionInSet")
def set_sticker_position_in_set(call: Call) -> bool:
    sticker_set, index = _find_sticker(call)
    position = int(call.need("position")) if call.get("position") is not None else 0
    if not 0 <= position < len(sticker_set.stickers):
        raise bad_request("STICKER_POSITION_INVALID")
    sticker_set.stickers.insert(position, sticker_set.stickers.pop(index))
    return True


@method("setStickerEmojiList")
def set_sticker_emoji_list(call: Call) -> bool:
    sticker_set, index = _find_sticker(call)
    emoji = list(call.need("emoji_list"))
    if not 1 <= len(emoji) <= 20:
        raise bad_request("sticker emoji list must have 1-20 emoji")
    sticker = sticker_set.stickers[index]
    sticker_set.stickers[index] = msgspec.structs.replace(sticker, emoji=emoji[0])
    call.bot.records.sticker_emoji[sticker.file_id] = emoji
    return True


@method("setStickerKeywords")
def set_sticker_keywords(call: Call) -> bool:
    sticker_set, index = _find_sticker(call)
    keywords = list(call.get("keywords") or [])
    if len(keywords) > 20 or sum(len(k) for k in keywords) > 64:
        raise bad_request("sticker keywords: up to 20 of 64 characters in total")
    call.bot.records.sticker_keywords[sticker_set.stickers[index].file_id] = keywords
    return True


@method("setStickerMaskPosition")
def set_sticker_mask_position(call: Call) -> bool:
    sticker_set, index = _find_sticker(call)
    if sticker_set.sticker_type != "mask":
        raise bad_request("STICKER_MASK_COORDS_NOT_SUPPORTED")
    raw = call.get("mask_position")
    position = typed.convert(raw, t.MaskPosition) if raw else None
    sticker_set.stickers[index] = msgspec.structs.replace(
        sticker_set.stickers[index], mask_position=position
    )
    return True


@method("setStickerSetTitle")
def set_sticker_set_title(call: Call) -> bool:
    sticker_set = _set(call)
    title = str(call.need("title"))
    if not 1 <= len(title) <= 64:
        raise bad_request("sticker set title must be 1-64 characters")
    sticker_set.title = title
    return True


@method("setStickerSetThumbnail")
def set_sticker_set_thumbnail(call: Call) -> bool:
    _owner(call)
    sticker_set = _set(call)
    if call.need("format") not in FORMATS:
        raise bad_request("invalid sticker format specified")
    raw = call.get("thumbnail")
    if raw is None:
        sticker_set.thumbnail = None
        return True
    record = resolve(call.bot, raw, call.params, "thumbnails")
    sticker_set.thumbnail = t.PhotoSize(
        file_id=record.file_id,
        file_unique_id=record.file_unique_id,
        width=100,
        height=100,
        file_size=len(record.data),
    )
    return True


@method("setCustomEmojiStickerSetThumbnail")
def set_custom_emoji_sticker_set_thumbnail(call: Call) -> bool:
    sticker_set = _set(call)
    if sticker_set.sticker_type != "custom_emoji":
        raise bad_request("STICKERSET_INVALID")
    wanted = call.get("custom_emoji_id")
    if wanted and not any(s.custom_emoji_id == wanted for s in sticker_set.stickers):
        raise bad_request("CUSTOM_EMOJI_INVALID")
    return True


@method("deleteStickerSet")
def delete_sticker_set(call: Call) -> bool:
    name = _set(call).name
    del call.bot.records.sticker_sets[name]
    return True


@method("getCustomEmojiStickers")
def get_custom_emoji_stickers(call: Call) -> list[t.Sticker]:
    wanted = list(call.need("custom_emoji_ids"))
    if len(wanted) > 200:
        raise bad_request("too many custom emoji identifiers")
    known = {
        s.custom_emoji_id: s
        for sticker_set in call.bot.records.sticker_sets.values()
        for s in sticker_set.stickers
        if s.custom_emoji_id
    }
    return [known[i] for i in wanted if i in known]
