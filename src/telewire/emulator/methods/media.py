"""Sending and fetching files: photos, documents, audio, video, stickers, media groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.common import caption, post
from telewire.emulator.uploads import MAX_DOWNLOAD, image_size, local_copy, resolve
from telewire.emulator.world import BotState, FileRecord

FOLDERS = {
    "photo": "photos",
    "document": "documents",
    "audio": "music",
    "video": "videos",
    "voice": "voice",
    "animation": "animations",
    "sticker": "stickers",
    "video_note": "video_notes",
}


def media_object(kind: str, record: FileRecord) -> Any:
    """The Bot API object describing ``record`` as a ``kind`` (photo sizes for photos)."""
    ids: dict[str, Any] = {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": len(record.data),
    }
    width, height = (
        image_size(record.data) if kind in ("photo", "sticker", "animation", "video") else (0, 0)
    )
    if kind == "photo":
        return [t.PhotoSize(width=width, height=height, **ids)]
    if kind == "document":
        return t.Document(file_name=record.file_name, mime_type=record.mime_type, **ids)
    if kind == "audio":
        return t.Audio(duration=0, file_name=record.file_name, mime_type=record.mime_type, **ids)
    if kind == "video":
        return t.Video(width=width, height=height, duration=0, mime_type=record.mime_type, **ids)
    if kind == "voice":
        return t.Voice(duration=0, mime_type=record.mime_type, **ids)
    if kind == "animation":
        return t.Animation(width=width, height=height, duration=0, **ids)
    if kind == "sticker":
        return t.Sticker(
            type="regular",
            width=width or 512,
            height=height or 512,
            is_animated=False,
            is_video=False,
            **ids,
        )
    return t.VideoNote(length=width or 240, duration=0, **ids)


def _send(call: Call, kind: str) -> t.Message:
    chat = call.chat(sending=True)
    record = resolve(
        call.bot, call.need(kind), call.params, FOLDERS[kind], local_dir=call.engine.local_dir
    )
    extra = caption(call) if kind not in ("sticker", "video_note") else {}
    return post(call, chat, **{kind: media_object(kind, record)}, **extra)


def _sender(kind: str) -> Callable[[Call], t.Message]:
    def send(call: Call) -> t.Message:
        return _send(call, kind)

    return send


SENDERS = tuple(
    method("send" + "".join(part.title() for part in kind.split("_")))(_sender(kind))
    for kind in FOLDERS
)


def _input_media(call: Call, raw: dict[str, Any]) -> tuple[str, FileRecord, dict[str, Any]]:
    kind = raw.get("type")
    if kind not in ("photo", "video", "document", "audio", "animation"):
        raise bad_request("wrong type of the media specified")
    record = resolve(
        call.bot, raw.get("media"), call.params, FOLDERS[kind], local_dir=call.engine.local_dir
    )
    extra: dict[str, Any] = {}
    if raw.get("caption"):
        extra["caption"] = str(raw["caption"])
        if raw.get("caption_entities"):
            extra["caption_entities"] = typed.convert(
                raw["caption_entities"], list[t.MessageEntity]
            )
    return kind, record, extra


@method("sendMediaGroup")
def send_media_group(call: Call) -> list[t.Message]:
    chat = call.chat(sending=True)
    items = call.need("media")
    if not isinstance(items, list) or not 2 <= len(items) <= 10:
        raise bad_request("wrong number of media specified; must be 2-10")
    prepared = [_input_media(call, raw) for raw in items]
    group_id = f"{call.bot.id}{chat.next_message_id:08d}"
    return [
        post(call, chat, media_group_id=group_id, **{kind: media_object(kind, record)}, **extra)
        for kind, record, extra in prepared
    ]


def file_of(bot: BotState, file_id: str) -> FileRecord:
    record = bot.files.get(file_id)
    if record is None:
        raise bad_request("invalid file_id")
    return record


@method("getFile")
def get_file(call: Call) -> t.File:
    record = file_of(call.bot, str(call.need("file_id")))
    local_dir = call.engine.local_dir
    if local_dir is None and len(record.data) > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    path = record.file_path
    if local_dir is not None:  # --local: the file on this machine's disk, no size limit
        path = str(local_copy(local_dir, call.bot, record))
    return t.File(
        file_id=record.file_id,
        file_unique_id=record.file_unique_id,
        file_size=len(record.data),
        file_path=path,
    )


@method("getUserProfilePhotos")
def get_user_profile_photos(call: Call) -> t.UserProfilePhotos:
    user_id = int(call.need("user_id"))
    if user_id not in call.world.users and user_id != call.bot.id:
        raise bad_request("user not found")
    return t.UserProfilePhotos(total_count=0, photos=[])
