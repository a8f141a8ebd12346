"""Sending and fetching files: photos, documents, audio, video, stickers, media groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

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


PHOTO_SIDES = (90, 320, 800, 1280)
"""The longest sides of the smaller copies Telegram keeps of a photo."""
MEDIA_META = ("duration", "width", "height", "performer", "title", "length")
_MIME = {
    "voice": "audio/ogg",
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "video_note": "video/mp4",
}
_BYTES_PER_SECOND = {"voice": 2_000, "audio": 16_000, "video": 250_000, "video_note": 100_000}


def media_object(
    kind: str,
    record: FileRecord,
    meta: dict[str, Any] | None = None,
    bot: BotState | None = None,
) -> Any:
    """The Bot API object describing ``record`` as a ``kind``.

    As on Telegram, a photo comes in several sizes (smaller copies share the original's
    bytes here, as the emulator resizes nothing; they need ``bot`` to get file ids),
    and audio and video have a duration: the one given in ``meta``, else an estimate
    from the size. Mime types come from the upload, else from the kind.
    """
    meta = {k: v for k, v in (meta or {}).items() if v is not None}
    ids: dict[str, Any] = {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": len(record.data),
    }
    width, height = (
        image_size(record.data) if kind in ("photo", "sticker", "animation", "video") else (0, 0)
    )
    width, height = int(meta.get("width", width)), int(meta.get("height", height))
    mime = record.mime_type
    if mime in ("application/octet-stream", "") and kind in _MIME:
        mime = _MIME[kind]
    duration = int(meta.get("duration", max(1, len(record.data) // _BYTES_PER_SECOND.get(kind, 1))))
    if kind == "photo":
        return _photo_sizes(record, width, height, bot)
    if kind == "document":
        return t.Document(file_name=record.file_name, mime_type=mime, **ids)
    if kind == "audio":
        return t.Audio(
            duration=duration,
            file_name=record.file_name,
            mime_type=mime,
            performer=meta.get("performer"),
            title=meta.get("title"),
            **ids,
        )
    if kind == "video":
        return t.Video(
            width=width or 640,
            height=height or 360,
            duration=duration,
            file_name=record.file_name,
            mime_type=mime,
            **ids,
        )
    if kind == "voice":
        return t.Voice(duration=duration, mime_type=mime, **ids)
    if kind == "animation":
        return t.Animation(
            width=width, height=height, duration=duration, file_name=record.file_name, **ids
        )
    if kind == "sticker":
        return t.Sticker(
            type="regular",
            width=width or 512,
            height=height or 512,
            is_animated=False,
            is_video=False,
            **ids,
        )
    return t.VideoNote(length=int(meta.get("length", width or 240)), duration=duration, **ids)


def _photo_sizes(
    record: FileRecord, width: int, height: int, bot: BotState | None
) -> list[t.PhotoSize]:
    sizes = []
    longest = max(width, height)
    if bot is not None and longest:
        for side in PHOTO_SIDES:
            if side >= longest:
                break
            file_id, unique_id = bot.new_file_id()
            bot.files[file_id] = msgspec.structs.replace(
                record, file_id=file_id, file_unique_id=unique_id
            )
            scale = side / longest
            sizes.append(
                t.PhotoSize(
                    file_id=file_id,
                    file_unique_id=unique_id,
                    width=max(1, round(width * scale)),
                    height=max(1, round(height * scale)),
                    file_size=len(record.data),
                )
            )
    original = t.PhotoSize(
        file_id=record.file_id,
        file_unique_id=record.file_unique_id,
        width=width,
        height=height,
        file_size=len(record.data),
    )
    return [*sizes, original]


def _send(call: Call, kind: str) -> t.Message:
    chat = call.chat(sending=True)
    record = resolve(
        call.bot, call.need(kind), call.params, FOLDERS[kind], local_dir=call.engine.local_dir
    )
    extra = caption(call) if kind not in ("sticker", "video_note") else {}
    meta = {name: call.get(name) for name in MEDIA_META}
    return post(call, chat, **{kind: media_object(kind, record, meta, call.bot)}, **extra)


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
        post(
            call,
            chat,
            media_group_id=group_id,
            **{kind: media_object(kind, record, None, call.bot)},
            **extra,
        )
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
