"""Ephemeral messages (Bot API 10.2/10.3): shown to one member of a group and nobody else.

A send method given ``ephemeral_message_parameters`` (or 10.2's top-level
``receiver_user_id``, which 10.3 deprecated but bots still send) posts a message that only
its receiver sees: ``message_id`` 0, its own ``ephemeral_message_id`` and ``receiver_user``.
It is kept beside the chat's messages, not among them, so history, replies and forwards
stay what every member sees; the chat page shows it to the receiver alone. The
``editEphemeralMessage*`` methods and ``deleteEphemeralMessage`` find it by chat, receiver
and id, and answer ``True`` as the spec says.
"""

from __future__ import annotations

from typing import Any

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator import errors as e
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.common import caption, inline_keyboard, message_text
from telewire.emulator.methods.editing import MEDIA_FIELDS, Target, apply_edit, media_changes
from telewire.emulator.world import ChatState, now

GROUP_TYPES = ("group", "supergroup")
ABSENT = ("left", "kicked")


def requested(call: Call) -> t.EphemeralMessageParameters | None:
    """The call's ephemeral parameters, from either the 10.3 object or 10.2's fields."""
    raw = call.get("ephemeral_message_parameters")
    receiver = call.get("receiver_user_id")
    if raw is None and receiver is not None:
        # Not in the 10.3 spec, so not coerced by type: a form sends it as text.
        if not str(receiver).lstrip("-").isdigit():
            raise bad_request("invalid receiver_user_id specified")
        raw = {
            "receiver_user_id": int(receiver),
            "callback_query_id": call.get("callback_query_id"),
        }
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise bad_request("can't parse ephemeral_message_parameters JSON object")
    return typed.convert(raw, t.EphemeralMessageParameters)


def post_ephemeral(
    call: Call, chat: ChatState, wanted: t.EphemeralMessageParameters, content: dict[str, Any]
) -> t.Message:
    """Create the ephemeral message a send method asked for; see the module docstring."""
    if chat.chat.type not in GROUP_TYPES:
        raise bad_request("ephemeral messages can be sent only to group and supergroup chats")
    receiver = call.world.users.get(wanted.receiver_user_id)
    if receiver is None or chat.members.get(receiver.id, "left") in ABSENT:
        raise bad_request("USER_NOT_PARTICIPANT")
    if wanted.callback_query_id is not None and wanted.callback_query_id not in call.bot.callbacks:
        raise bad_request(e.QUERY_TOO_OLD)
    if call.get("live_period"):
        raise bad_request("live_period must be 0 for ephemeral messages")
    markup = inline_keyboard(call.get("reply_markup"))
    if markup and any(b.login_url for row in markup.inline_keyboard for b in row):
        raise bad_request("BUTTON_TYPE_INVALID: login_url buttons are unsupported here")
    # Ids are per chat and may be reused once a message is gone, as the spec allows.
    ephemeral_id = max(chat.ephemeral, default=0) + 1
    message = t.Message(
        message_id=0,
        ephemeral_message_id=ephemeral_id,
        receiver_user=receiver,
        date=now(),
        chat=chat.chat,
        from_user=call.bot.user,
        reply_markup=markup,
        has_protected_content=True if call.get("protect_content") else None,
        **{k: v for k, v in content.items() if v is not None},
    )
    chat.ephemeral[ephemeral_id] = message
    while len(chat.ephemeral) > call.world.history:
        del chat.ephemeral[next(iter(chat.ephemeral))]
    call.emit("message", {"chat_id": chat.chat.id, "message": message})
    return message


def visible_to(chat: ChatState, user_id: int | None) -> list[t.Message]:
    """The ephemeral messages of ``chat`` that ``user_id`` sees (none for anyone else)."""
    return [m for m in chat.ephemeral.values() if m.receiver_user and m.receiver_user.id == user_id]


def shown_to(chat: ChatState, user_id: int, ephemeral_id: int) -> t.Message | None:
    """Ephemeral message ``ephemeral_id`` of ``chat`` if ``user_id`` is its receiver."""
    message = chat.ephemeral.get(ephemeral_id)
    receiver = message.receiver_user if message else None
    return message if receiver is not None and receiver.id == user_id else None


def _target(call: Call, missing: str) -> tuple[ChatState, t.Message]:
    chat = call.chat()
    ephemeral_id = int(call.need("ephemeral_message_id"))
    message = shown_to(chat, int(call.need("receiver_user_id")), ephemeral_id)
    if message is None:
        raise bad_request(missing)
    return chat, message


@method("editEphemeralMessageText")
def edit_ephemeral_message_text(call: Call) -> bool:
    chat, message = _target(call, e.EDIT_NOT_FOUND)
    if call.get("rich_message") is not None and call.get("text") is None:
        raise bad_request("rich messages are not supported by the telewire emulator")
    if message.text is None:
        raise bad_request("there is no text in the message to edit")
    text, entities = message_text(call)
    apply_edit(call, Target(chat, message), {"text": text, "entities": entities})
    return True


@method("editEphemeralMessageCaption")
def edit_ephemeral_message_caption(call: Call) -> bool:
    chat, message = _target(call, e.EDIT_NOT_FOUND)
    if not any(getattr(message, f) for f in MEDIA_FIELDS):
        raise bad_request("there is no caption in the message to edit")
    new = caption(call)
    changes = {"caption": new.get("caption"), "caption_entities": new.get("caption_entities")}
    apply_edit(call, Target(chat, message), changes)
    return True


@method("editEphemeralMessageMedia")
def edit_ephemeral_message_media(call: Call) -> bool:
    chat, message = _target(call, e.EDIT_NOT_FOUND)
    apply_edit(call, Target(chat, message), media_changes(call, message))
    return True


@method("editEphemeralMessageReplyMarkup")
def edit_ephemeral_message_reply_markup(call: Call) -> bool:
    chat, message = _target(call, e.EDIT_NOT_FOUND)
    apply_edit(call, Target(chat, message), {})
    return True


@method("deleteEphemeralMessage")
def delete_ephemeral_message(call: Call) -> bool:
    chat, message = _target(call, e.DELETE_NOT_FOUND)
    ephemeral_id = message.ephemeral_message_id
    del chat.ephemeral[ephemeral_id or 0]
    receiver = message.receiver_user.id if message.receiver_user else None
    call.emit(
        "delete",
        {
            "chat_id": chat.chat.id,
            "message_id": 0,
            "ephemeral_message_id": ephemeral_id,
            "receiver_user_id": receiver,
        },
    )
    return True
