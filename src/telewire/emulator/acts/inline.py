"""Inline mode, the user's side: typing ``@bot query`` in a chat and choosing a result.

Typing gives the bot an ``inline_query``; its answer (``methods/inline.py``) is what the
user sees. Choosing a result sends a message from the user ``via_bot`` into the chat
where they typed, and gives the bot ``chosen_inline_result``.
"""

from __future__ import annotations

import time
from typing import Any

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.core.markup import MarkupError, detect_entities, parse
from telewire.emulator.control import private_chat
from telewire.emulator.engine import Engine
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.inline import checked_result
from telewire.emulator.methods.media import media_object
from telewire.emulator.records import InlineMessageRecord, InlineQueryRecord
from telewire.emulator.world import BotState, ChatState, FileRecord, now

QUERY_LIMIT = 256
_MEDIA = {
    "photo": "photo",
    "gif": "animation",
    "mpeg4_gif": "animation",
    "video": "video",
    "audio": "audio",
    "voice": "voice",
    "document": "document",
    "sticker": "sticker",
}


def _chat_of(
    engine: Engine, bot: BotState, user: t.User, chat_id: int | None
) -> ChatState | t.Chat:
    """Where the user types: one of the bot's chats, or (a Chat) their chat with a friend."""
    if chat_id is None or chat_id == user.id:
        return private_chat(bot, user)
    friend = engine.world.users.get(chat_id)
    if friend is not None:
        # Another user's id names the private chat between the two, which the bot is not
        # part of (the bot's own chat with that user is theirs alone).
        return t.Chat(
            id=friend.id,
            type="private",
            first_name=friend.first_name,
            last_name=friend.last_name,
            username=friend.username,
        )
    chat = bot.chats.get(chat_id)
    if chat is not None and chat.members.get(user.id) not in (None, "left", "kicked"):
        return chat
    raise bad_request(
        "chat not found (a user types inline queries in the bot's chats they are in, "
        "or in their private chat with another known user)"
    )


def type_query(
    engine: Engine,
    token: str,
    user_data: dict[str, Any],
    query: str,
    *,
    chat_id: int | None = None,
    offset: str = "",
) -> InlineQueryRecord:
    """A user types ``@bot query`` in ``chat_id`` (their private chat with the bot if None)."""
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    if len(query) > QUERY_LIMIT:
        raise bad_request(f"an inline query is at most {QUERY_LIMIT} characters")
    where = _chat_of(engine, bot, user, chat_id)
    chat = where.chat if isinstance(where, ChatState) else where
    records = bot.records
    record = InlineQueryRecord(
        id=records.new_id(str(bot.id)),
        user_id=user.id,
        query=query,
        offset=offset,
        created=time.time(),
        chat_id=chat.id,
    )
    records.inline_queries[record.id] = record
    records.keep_recent(records.inline_queries)
    own_chat = isinstance(where, ChatState) and chat.type == "private"
    chat_type = "sender" if own_chat else chat.type
    engine.deliver(
        bot,
        "inline_query",
        t.InlineQuery(
            id=record.id, from_user=user, query=query, offset=offset, chat_type=chat_type
        ),
    )
    engine.emit(bot, "inline_query", {"inline_query_id": record.id, "chat_id": chat.id})
    return record


def query_of(
    engine: Engine, token: str, user_data: dict[str, Any], inline_query_id: str
) -> InlineQueryRecord:
    """The user's earlier inline query (to see the bot's answer, or choose from it)."""
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    record = bot.records.inline_queries.get(inline_query_id)
    if record is None or record.user_id != user.id:
        raise bad_request("inline query not found (type one first)")
    return record


def choose(
    engine: Engine, token: str, user_data: dict[str, Any], inline_query_id: str, result_id: str
) -> t.Message:
    """The user picks result ``result_id`` of the bot's answer; it is sent via the bot."""
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    record = query_of(engine, token, user_data, inline_query_id)
    if not record.answered:
        raise bad_request("the bot has not answered this inline query (yet)")
    raw = next((r for r in record.results if r.get("id") == result_id), None)
    if raw is None:
        shown = ", ".join(repr(r.get("id")) for r in record.results) or "none"
        raise bad_request(f"the answer has no result {result_id!r}; results: {shown}")
    result = checked_result(raw)
    where = _chat_of(engine, bot, user, record.chat_id)
    markup = getattr(result, "reply_markup", None)
    records = bot.records
    # As on Telegram, a message sent with an inline keyboard has an inline_message_id
    # (in chosen_inline_result, in its buttons' callback queries) the bot may edit it by.
    inline_id = records.new_id("im") if markup is not None else None
    if isinstance(where, t.Chat):
        # Sent where the bot cannot see it: the bot hears only of the choice.
        message = t.Message(
            message_id=1,
            date=now(),
            chat=where,
            from_user=user,
            via_bot=bot.user,
            reply_markup=markup,
            **content_of(bot, raw),
        )
        kept = InlineMessageRecord(chat_id=where.id, message=message)
    else:
        chat = where
        message = t.Message(
            message_id=bot.next_message_id(chat),
            date=now(),
            chat=chat.chat,
            from_user=user,
            via_bot=bot.user,
            reply_markup=markup,
            **content_of(bot, raw),
        )
        chat.messages[message.message_id] = message
        engine.emit(bot, "message", {"chat_id": chat.chat.id, "message": message})
        engine.deliver(bot, "message", message)
        kept = InlineMessageRecord(chat_id=chat.chat.id, message_id=message.message_id)
    if inline_id is not None:
        records.inline_messages[inline_id] = kept
        records.keep_recent(records.inline_messages)
    chosen = t.ChosenInlineResult(
        result_id=result_id, from_user=user, query=record.query, inline_message_id=inline_id
    )
    engine.deliver(bot, "chosen_inline_result", chosen)
    return message


def content_of(bot: BotState, raw: dict[str, Any]) -> dict[str, Any]:
    """The message fields a chosen result produces (its input_message_content, or itself)."""
    content = raw.get("input_message_content")
    if content is not None:
        return _input_content(content)
    kind = raw["type"]
    if kind in ("location", "venue", "contact"):
        return _input_content(raw)
    if kind in _MEDIA:
        field = _MEDIA[kind]
        record = _file_of(bot, raw, kind)
        caption = str(raw.get("caption") or "")
        extra = _text(caption, raw.get("parse_mode"), "caption") if caption else {}
        return {field: media_object(field, record), **extra}
    if kind == "game":
        raise bad_request("games are not supported by the telewire emulator")
    raise bad_request("the result has no input_message_content to send")


def _text(text: str, mode: str | None, name: str) -> dict[str, Any]:
    try:
        plain, found = parse(text, mode)
    except MarkupError as exc:
        raise bad_request(str(exc)) from None
    found = found or detect_entities(plain)
    entities = typed.convert(found, list[t.MessageEntity]) if found else None
    return {name: plain, f"{name}_entities" if name == "caption" else "entities": entities}


def _input_content(raw: dict[str, Any]) -> dict[str, Any]:
    if "message_text" in raw:
        if not str(raw["message_text"]).strip():
            raise bad_request("MESSAGE_EMPTY")
        out = _text(str(raw["message_text"]), raw.get("parse_mode"), "text")
        if raw.get("entities"):
            out["entities"] = typed.convert(raw["entities"], list[t.MessageEntity])
        return out
    if "phone_number" in raw:
        return {
            "contact": t.Contact(
                phone_number=str(raw["phone_number"]),
                first_name=str(raw["first_name"]),
                last_name=raw.get("last_name"),
                vcard=raw.get("vcard"),
            )
        }
    if "latitude" in raw:
        location = t.Location(latitude=float(raw["latitude"]), longitude=float(raw["longitude"]))
        if "address" in raw:
            venue = t.Venue(location=location, title=str(raw["title"]), address=str(raw["address"]))
            return {"venue": venue, "location": location}
        if raw.get("live_period"):  # a live location the bot may move by inline_message_id
            location.live_period = int(raw["live_period"])
        return {"location": location}
    if "payload" in raw and "currency" in raw:
        prices = typed.convert(raw["prices"], list[t.LabeledPrice])
        invoice = t.Invoice(
            title=str(raw["title"]),
            description=str(raw["description"]),
            start_parameter="",
            currency=str(raw["currency"]),
            total_amount=sum(p.amount for p in prices),
        )
        return {"invoice": invoice}
    raise bad_request("can't parse input_message_content")


def _file_of(bot: BotState, raw: dict[str, Any], kind: str) -> FileRecord:
    """A cached result's file, or a stand-in for a URL (the emulator fetches nothing)."""
    for key, value in raw.items():
        if key.endswith("_file_id") and isinstance(value, str):
            known = bot.files.get(value)
            if known is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return known
    url = next((str(v) for k, v in raw.items() if k.endswith("_url") and k != "thumbnail_url"), "")
    file_id, unique_id = bot.new_file_id()
    record = FileRecord(
        file_id=file_id,
        file_unique_id=unique_id,
        file_path=f"inline/{file_id}",
        data=b"",
        mime_type=str(raw.get("mime_type") or "application/octet-stream"),
        file_name=url.rsplit("/", 1)[-1] or kind,
    )
    bot.files[file_id] = record
    return record


def answer_of(record: InlineQueryRecord) -> dict[str, Any]:
    """What the user's app shows for the query: the bot's results, or that it is waiting."""
    return {
        "inline_query_id": record.id,
        "query": record.query,
        "answered": record.answered,
        "results": record.results,
        "next_offset": record.next_offset,
        "button": record.button,
    }
