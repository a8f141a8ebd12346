"""Changing and removing sent messages: edits of text, caption, markup and media; deletes.

An edit names a chat's message by ``chat_id`` and ``message_id``, or a message a user
sent via the bot (inline mode) by ``inline_message_id``; Telegram answers the latter with
``true``, not the message.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator import errors as e
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.common import caption, inline_keyboard, message_text
from telewire.emulator.methods.inline import keep_edited, named_inline_message
from telewire.emulator.methods.media import FOLDERS, media_object
from telewire.emulator.uploads import resolve
from telewire.emulator.world import ChatState, now

MEDIA_FIELDS = ("photo", "video", "document", "audio", "animation")


class Target(NamedTuple):
    """The message an edit changes: a chat's, or one sent via the bot (inline mode)."""

    chat: ChatState | None
    message: t.Message
    inline_message_id: str | None = None


def _target(call: Call) -> Target:
    inline = named_inline_message(call)
    if inline is not None:
        return Target(inline.chat, inline.message, inline.inline_message_id)
    chat = call.chat()
    message = call.message(chat, "message_id", e.EDIT_NOT_FOUND)
    mine = message.from_user is not None and message.from_user.id == call.bot.id
    if not mine and message.sender_chat is None:
        raise bad_request("message can't be edited")
    return Target(chat, message)


def apply_edit(call: Call, target: Target, changes: dict[str, Any]) -> t.Message | bool:
    """Edit the message; Telegram answers an inline message's edit with ``true``."""
    message = target.message
    markup = inline_keyboard(call.get("reply_markup"))
    changes["reply_markup"] = markup
    if all(getattr(message, k) == v for k, v in changes.items()):
        raise bad_request(e.NOT_MODIFIED)
    if target.inline_message_id is not None:
        message = msgspec.structs.replace(message, edit_date=now(), **changes)
        keep_edited(call, target.inline_message_id, message)
    else:
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = now()
    announce_edit(call, message, target.inline_message_id)
    return True if target.inline_message_id is not None else message


def announce_edit(call: Call, message: t.Message, inline_message_id: str | None) -> None:
    event: dict[str, Any] = {"chat_id": message.chat.id, "message": message}
    if inline_message_id is not None:
        event["inline_message_id"] = inline_message_id
    call.emit("edit", event)


@method("editMessageText")
def edit_message_text(call: Call) -> t.Message | bool:
    target = _target(call)
    if target.message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(call)
    return apply_edit(call, target, {"text": text, "entities": entities})


@method("editMessageCaption")
def edit_message_caption(call: Call) -> t.Message | bool:
    target = _target(call)
    if not any(getattr(target.message, f) for f in MEDIA_FIELDS):
        raise bad_request("there is no caption in the message to edit")
    new = caption(call)
    changes = {"caption": new.get("caption"), "caption_entities": new.get("caption_entities")}
    return apply_edit(call, target, changes)


@method("editMessageReplyMarkup")
def edit_message_reply_markup(call: Call) -> t.Message | bool:
    return apply_edit(call, _target(call), {})


@method("editMessageMedia")
def edit_message_media(call: Call) -> t.Message | bool:
    target = _target(call)
    return apply_edit(call, target, media_changes(call, target.message))


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
