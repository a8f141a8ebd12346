"""Changing and removing sent messages: edits of text, caption, markup and media; deletes."""

from __future__ import annotations

from typing import Any

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator import errors as e
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.common import caption, inline_keyboard, message_text
from telewire.emulator.methods.media import FOLDERS, media_object
from telewire.emulator.uploads import resolve
from telewire.emulator.world import ChatState, now

MEDIA_FIELDS = ("photo", "video", "document", "audio", "animation")


def _target(call: Call) -> tuple[ChatState, t.Message]:
    if call.get("inline_message_id"):
        raise bad_request("inline messages are not supported by the telewire emulator")
    chat = call.chat()
    message = call.message(chat, "message_id", e.EDIT_NOT_FOUND)
    mine = message.from_user is not None and message.from_user.id == call.bot.id
    if not mine and message.sender_chat is None:
        raise bad_request("message can't be edited")
    return chat, message


def _apply(call: Call, chat: ChatState, message: t.Message, changes: dict[str, Any]) -> t.Message:
    markup = inline_keyboard(call.get("reply_markup"))
    changes["reply_markup"] = markup
    if all(getattr(message, k) == v for k, v in changes.items()):
        raise bad_request(e.NOT_MODIFIED)
    for key, value in changes.items():
        setattr(message, key, value)
    message.edit_date = now()
    call.emit("edit", {"chat_id": chat.chat.id, "message": message})
    return message


@method("editMessageText")
def edit_message_text(call: Call) -> t.Message:
    chat, message = _target(call)
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(call)
    return _apply(call, chat, message, {"text": text, "entities": entities})


@method("editMessageCaption")
def edit_message_caption(call: Call) -> t.Message:
    chat, message = _target(call)
    if not any(getattr(message, f) for f in MEDIA_FIELDS):
        raise bad_request("there is no caption in the message to edit")
    new = caption(call)
    return _apply(
        call,
        chat,
        message,
        {"caption": new.get("caption"), "caption_entities": new.get("caption_entities")},
    )


@method("editMessageReplyMarkup")
def edit_message_reply_markup(call: Call) -> t.Message:
    chat, message = _target(call)
    return _apply(call, chat, message, {})


@method("editMessageMedia")
def edit_message_media(call: Call) -> t.Message:
    chat, message = _target(call)
    return _apply(call, chat, message, media_changes(call, message))


def media_changes(call: Call, message: t.Message) -> dict[str, Any]:
    """The fields an edit of ``message``'s media (the call's ``media``) changes."""
    if not any(getattr(message, f) for f in MEDIA_FIELDS):
        raise bad_request("message can't be edited: there is no media in the message")
    raw = call.need("media")
    kind = raw.get("type")
    if kind not in MEDIA_FIELDS:
        raise bad_request("wrong type of the media specified")
    record = resolve(
        call.bot, raw.get("media"), call.params, FOLDERS[kind], local_dir=call.engine.local_dir
    )
    changes: dict[str, Any] = dict.fromkeys(MEDIA_FIELDS)
    changes[kind] = media_object(kind, record)
    changes["caption"] = raw.get("caption") or None
    entities = raw.get("caption_entities")
    changes["caption_entities"] = (
        typed.convert(entities, list[t.MessageEntity]) if entities else None
    )
    return changes


def _delete(call: Call, chat: ChatState, message_id: int) -> bool:
    if chat.messages.pop(message_id, None) is None:
        return False
    if message_id in chat.pinned:
        chat.pinned.remove(message_id)
    call.emit("delete", {"chat_id": chat.chat.id, "message_id": message_id})
    return True


@method("deleteMessage")
def delete_message(call: Call) -> bool:
    chat = call.chat()
    if not _delete(call, chat, int(call.need("message_id"))):
        raise bad_request(e.DELETE_NOT_FOUND)
    return True


@method("deleteMessages")
def delete_messages(call: Call) -> bool:
    chat = call.chat()
    ids = call.need("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must contain 1-100 identifiers")
    for message_id in ids:
        _delete(call, chat, int(message_id))
    return True
