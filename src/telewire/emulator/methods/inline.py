"""Inline mode, the bot's side: answering inline queries and Web App queries.

A user's query (``acts/inline.py``) waits in the bot's records; the bot's answer is kept
there for the user to see and choose from. Wording of errors as Telegram's:
``RESULTS_TOO_MUCH`` (over 50), ``RESULT_ID_DUPLICATE``, ``RESULT_ID_INVALID`` (id not
1-64 bytes), and the "query is too old" text for an unknown, answered or stale query.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator import errors as e
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request

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
