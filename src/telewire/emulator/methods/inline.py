"""Inline mode, the bot's side: answering inline queries and Web App queries.

A user's query (``acts/inline.py``) waits in the bot's records; the bot's answer is kept
there for the user to see and choose from. Wording of errors as Telegram's:
``RESULTS_TOO_MUCH`` (over 50), ``RESULT_ID_DUPLICATE``, ``RESULT_ID_INVALID`` (id not
1-64 bytes), and the "query is too old" text for an unknown, answered or stale query.
"""

from __future__ import annotations

import time
from typing import Any, NamedTuple

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator import errors as e
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.world import BotState, ChatState

RESULTS_LIMIT = 50
ANSWER_WINDOW = 60.0
"""Seconds after a query in which answerInlineQuery still works (Telegram: about 10-60)."""


def checked_results(raw: Any) -> list[dict[str, Any]]:
    """The results as sent, each checked to be an InlineQueryResult with a usable id."""
    if not isinstance(raw, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(raw) > RESULTS_LIMIT:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for item in raw:
        checked_result(item)
        if item["id"] in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(item["id"])
    return list(raw)


def checked_result(item: Any) -> t.InlineQueryResult:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise bad_request("can't parse inline query result: Can't find field \"id\"")
    if not 1 <= len(item["id"].encode()) <= 64:
        raise bad_request("RESULT_ID_INVALID")
    try:
        result: t.InlineQueryResult = typed.convert(item, t.InlineQueryResult)
    except msgspec.ValidationError as exc:
        raise bad_request(f"can't parse inline query result: {exc}") from None
    return result


class InlineMessage(NamedTuple):
    """A message sent via the bot, as an edit by ``inline_message_id`` finds it."""

    inline_message_id: str
    message: t.Message
    chat: ChatState | None
    """The bot's chat holding it; None where the bot is not (its record holds it)."""


def named_inline_message(call: Call) -> InlineMessage | None:
    """The inline message an edit names, or None when it names a chat's message instead.

    Decided as Telegram's Bot API server decides: with ``chat_id`` or ``message_id`` the
    edit is of a chat's message (``inline_message_id`` is then ignored); with neither,
    ``inline_message_id`` must name a message sent via this bot.
    """
    if call.params.get("chat_id") not in (None, "") or call.get("message_id"):
        return None
    inline_id = call.get("inline_message_id")
    if not inline_id:
        raise bad_request(e.NO_MESSAGE_ID)
    return find_inline_message(call.bot, str(inline_id))


def find_inline_message(bot: BotState, inline_message_id: str) -> InlineMessage:
    """The message sent via ``bot`` with this id, as it is now (edits applied)."""
    record = bot.records.inline_messages.get(inline_message_id)
    if record is None:
        raise bad_request(e.INLINE_ID_INVALID)
    if record.message is not None:
        return InlineMessage(inline_message_id, record.message, None)
    chat = bot.chats.get(record.chat_id)
    message = chat.messages.get(record.message_id or 0) if chat is not None else None
    if message is None:  # deleted, or forgotten beyond the chat's history
        raise bad_request(e.MESSAGE_ID_INVALID)
    return InlineMessage(inline_message_id, message, chat)


def keep_edited(call: Call, inline_message_id: str, edited: t.Message) -> None:
    """Put an edited inline message in place of the old one.

    A new object, not the old one changed: the ``message`` update the bot may not have
    fetched yet still shows what the user sent, as on Telegram.
    """
    record = call.bot.records.inline_messages[inline_message_id]
    if record.message is not None:
        record.message = edited
    else:
        call.bot.chats[record.chat_id].messages[edited.message_id] = edited


@method("answerInlineQuery")
def answer_inline_query(call: Call) -> bool:
    records = call.bot.records
    query = records.inline_queries.get(str(call.need("inline_query_id")))
    if query is None or query.answered or time.time() - query.created > ANSWER_WINDOW:
        raise bad_request(e.QUERY_TOO_OLD)
    query.results = checked_results(call.need("results"))
    query.next_offset = str(call.get("next_offset", ""))
    if len(query.next_offset.encode()) > 64:
        raise bad_request("next_offset is too long")
    query.button = call.get("button")
    query.cache_time = int(call.get("cache_time", 300))
    query.is_personal = bool(call.get("is_personal", False))
    query.answered = True
    call.emit(
        "inline_answer",
        {"query_id": query.id, "user_id": query.user_id, "results": query.results},
    )
    return True


@method("answerWebAppQuery")
def answer_web_app_query(call: Call) -> t.SentWebAppMessage:
    """Answer a Web App's query with a message sent on the user's behalf.

    The emulator has no Web Apps running, so any query id is taken as fresh; the
    result is checked as answerInlineQuery checks one.
    """
    call.need("web_app_query_id")
    checked_result(call.need("result"))
    return t.SentWebAppMessage(inline_message_id=call.bot.records.new_id("wa"))


@method("savePreparedInlineMessage")
def save_prepared_inline_message(call: Call) -> t.PreparedInlineMessage:
    user_id = int(call.need("user_id"))
    if user_id not in call.world.users:
        raise bad_request("user not found")
    checked_result(call.need("result"))
    return t.PreparedInlineMessage(
        id=call.bot.records.new_id("pim"), expiration_date=int(time.time()) + 86_400
    )
