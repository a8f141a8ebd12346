"""Sending messages that are not files: text, forwards, copies, locations, polls, dice..."""

from __future__ import annotations

import random
import time
from typing import Any

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator import errors as e
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.common import formatted, message_text, post
from telewire.emulator.methods.editing import Target, announce_edit
from telewire.emulator.methods.inline import keep_edited, named_inline_message
from telewire.emulator.world import ChatState

DICE_FACES = {"🎲": 6, "🎯": 6, "🎳": 6, "🏀": 5, "⚽": 5, "🎰": 64}
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


@method("sendMessage")
def send_message(call: Call) -> t.Message:
    chat = call.chat(sending=True)
    text, entities = message_text(call)
    return post(
        call,
        chat,
        text=text,
        entities=entities,
        link_preview_options=_link_preview(call.get("link_preview_options")),
    )


def _link_preview(raw: Any) -> t.LinkPreviewOptions | None:
    return typed.convert(raw, t.LinkPreviewOptions) if raw else None


def _content_of(message: t.Message) -> dict[str, Any]:
    """The parts of a message that a forward or copy carries over."""
    fields = (
        "text",
        "entities",
        "caption",
        "caption_entities",
        "photo",
        "document",
        "audio",
        "video",
        "voice",
        "animation",
        "sticker",
        "video_note",
        "location",
        "venue",
        "contact",
        "poll",
        "dice",
    )
    return {name: getattr(message, name) for name in fields}


def _source(call: Call, message_id: Any) -> t.Message:
    chat = call.chat("from_chat_id")
    message = chat.messages.get(int(message_id))
    if message is None:
        raise bad_request(
            "message to forward not found"
            if "forward" in call.method.lower()
            else "message to copy not found"
        )
    return message


def _origin(message: t.Message) -> t.MessageOrigin:
    if message.chat.type == "channel":
        return t.MessageOriginChannel(
            date=message.date, chat=message.chat, message_id=message.message_id
        )
    if message.from_user is not None:
        return t.MessageOriginUser(date=message.date, sender_user=message.from_user)
    return t.MessageOriginHiddenUser(date=message.date, sender_user_name="Unknown")


@method("forwardMessage")
def forward_message(call: Call) -> t.Message:
    target = call.chat(sending=True)
    original = _source(call, call.need("message_id"))
    return post(call, target, forward_origin=_origin(original), **_content_of(original))


@method("forwardMessages")
def forward_messages(call: Call) -> list[t.MessageId]:
    target = call.chat(sending=True)
    originals = [_source(call, i) for i in sorted(call.need("message_ids"))]
    return [
        t.MessageId(
            message_id=post(call, target, forward_origin=_origin(m), **_content_of(m)).message_id
        )
        for m in originals
    ]


def _copy(call: Call, target: ChatState, original: t.Message, *, keep_caption: bool) -> t.MessageId:
    if original.poll is not None and original.poll.type == "quiz":
        raise bad_request("quiz polls can't be copied")
    content = _content_of(original)
    if call.get("caption") is not None:
        text, entities = formatted(call, str(call.get("caption")), "parse_mode", "caption_entities")
        content.update(caption=text, caption_entities=entities)
    elif not keep_caption:
        content.update(caption=None, caption_entities=None)
    return t.MessageId(message_id=post(call, target, **content).message_id)


@method("copyMessage")
def copy_message(call: Call) -> t.MessageId:
    target = call.chat(sending=True)
    return _copy(call, target, _source(call, call.need("message_id")), keep_caption=True)


@method("copyMessages")
def copy_messages(call: Call) -> list[t.MessageId]:
    target = call.chat(sending=True)
    keep = not call.get("remove_caption", False)
    return [
        _copy(call, target, _source(call, i), keep_caption=keep)
        for i in sorted(call.need("message_ids"))
    ]


@method("sendLocation")
def send_location(call: Call) -> t.Message:
    chat = call.chat(sending=True)
    period = call.get("live_period")
    if period is not None and not (60 <= int(period) <= 86_400 or int(period) == LIVE_FOREVER):
        raise bad_request("live_period must be 60-86400 seconds or 2147483647")
    location = t.Location(
        latitude=_coordinate(call, "latitude", 90),
        longitude=_coordinate(call, "longitude", 180),
        horizontal_accuracy=call.get("horizontal_accuracy"),
        live_period=int(period) if period else None,
        heading=call.get("heading"),
        proximity_alert_radius=call.get("proximity_alert_radius"),
    )
    return post(call, chat, location=location)


LIVE_FOREVER = 0x7FFFFFFF


def _coordinate(call: Call, name: str, limit: float) -> float:
    value = float(call.need(name))
    if not -limit <= value <= limit:
        raise bad_request(f"wrong {name} specified")
    return value


def _live(call: Call) -> tuple[Target, t.Location]:
    inline = named_inline_message(call)
    if inline is not None:
        target = Target(inline.chat, inline.message, inline.inline_message_id)
    else:
        chat = call.chat()
        target = Target(chat, call.message(chat, "message_id", "message to edit not found"))
    message = target.message
    location = message.location
    if location is None or not location.live_period or message.venue is not None:
        raise bad_request("message can't be edited")
    if location.live_period != LIVE_FOREVER and time.time() > message.date + location.live_period:
        raise bad_request("message can't be edited")
    return target, location


def _replace_location(call: Call, target: Target, new: t.Location) -> t.Message | bool:
    """The message with its location moved or stopped; ``true`` for an inline message."""
    from telewire.emulator.methods.common import inline_keyboard

    message = target.message
    markup = call.get("reply_markup")
    edited = msgspec.structs.replace(
        message,
        location=new,
        edit_date=int(time.time()),
        reply_markup=inline_keyboard(markup) if markup else message.reply_markup,
    )
    if target.inline_message_id is not None:
        keep_edited(call, target.inline_message_id, edited)
        announce_edit(call, edited, target.inline_message_id)
        return True
    assert target.chat is not None
    target.chat.messages[message.message_id] = edited
    announce_edit(call, edited, None)
    return edited


@method("editMessageLiveLocation")
def edit_message_live_location(call: Call) -> t.Message | bool:
    target, location = _live(call)
    period = call.get("live_period")
    new = msgspec.structs.replace(
        location,
        latitude=_coordinate(call, "latitude", 90),
        longitude=_coordinate(call, "longitude", 180),
        horizontal_accuracy=call.get("horizontal_accuracy"),
        heading=call.get("heading"),
        proximity_alert_radius=call.get("proximity_alert_radius"),
        live_period=int(period) if period else location.live_period,
    )
    if new == location and not call.get("reply_markup"):
        raise bad_request(e.NOT_MODIFIED)
    return _replace_location(call, target, new)


@method("stopMessageLiveLocation")
def stop_message_live_location(call: Call) -> t.Message | bool:
    target, location = _live(call)
    stopped = t.Location(latitude=location.latitude, longitude=location.longitude)
    return _replace_location(call, target, stopped)


@method("sendVenue")
def send_venue(call: Call) -> t.Message:
    chat = call.chat(sending=True)
    location = t.Location(
        latitude=float(call.need("latitude")), longitude=float(call.need("longitude"))
    )
    venue = t.Venue(location=location, title=call.need("title"), address=call.need("address"))
    return post(call, chat, venue=venue, location=location)


@method("sendContact")
def send_contact(call: Call) -> t.Message:
    chat = call.chat(sending=True)
    contact = t.Contact(
        phone_number=str(call.need("phone_number")),
        first_name=call.need("first_name"),
        last_name=call.get("last_name"),
    )
    return post(call, chat, contact=contact)


@method("sendDice")
def send_dice(call: Call) -> t.Message:
    chat = call.chat(sending=True)
    emoji = call.get("emoji", "🎲")
    if emoji not in DICE_FACES:
        raise bad_request("invalid dice emoji")
    return post(call, chat, dice=t.Dice(emoji=emoji, value=random.randint(1, DICE_FACES[emoji])))


@method("sendChatAction")
def send_chat_action(call: Call) -> bool:
    chat = call.chat(sending=True)
    action = call.need("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    call.emit("action", {"chat_id": chat.chat.id, "action": action})
    return True


@method("setMessageReaction")
def set_message_reaction(call: Call) -> bool:
    chat = call.chat()
    message = call.message(chat, "message_id", "message to react not found")
    reactions = typed.convert(call.get("reaction") or [], list[t.ReactionType])
    for reaction in reactions:
        if isinstance(reaction, t.ReactionTypeEmoji) and not reaction.emoji:
            raise bad_request("REACTION_INVALID")
    call.emit(
        "reaction",
        {"chat_id": chat.chat.id, "message_id": message.message_id, "reaction": reactions},
    )
    return True
