"""Polls and quizzes, the bot's side: sendPoll with its options, stopPoll, closing by time.

Votes come from users (``acts/polls.py``); the counts live in the poll of the message and
who chose what in the bot's records. Telegram's texts where known ("poll has already been
closed", "wrong correct option ID specified"); others are the emulator's wording of the
spec's limits (question 1-300 characters, 2-12 options of 1-100, explanation 0-200,
open_period and close_date 5-600 s ahead).
"""

from __future__ import annotations

import time
from typing import Any

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.core.markup import utf16_len
from telewire.emulator.engine import Call, Engine, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.common import formatted, post
from telewire.emulator.records import PollRecord
from telewire.emulator.world import BotState

QUESTION_LIMIT = 300
OPTION_LIMIT = 100
EXPLANATION_LIMIT = 200
OPTIONS_RANGE = (2, 12)
OPEN_PERIOD_RANGE = (5, 600)


def _options(call: Call) -> list[t.PollOption]:
    raw = call.need("options")
    low, high = OPTIONS_RANGE
    if not low <= len(raw) <= high:
        raise bad_request(f"poll must have {low}-{high} options")
    options = []
    for index, item in enumerate(raw):
        item = item if isinstance(item, dict) else {"text": str(item)}
        if item.get("media"):
            raise bad_request("media in poll options is not supported by the telewire emulator")
        text, entities = formatted(
            _Sub(call, item), str(item.get("text", "")), "text_parse_mode", "text_entities"
        )
        if not 1 <= utf16_len(text) <= OPTION_LIMIT:
            raise bad_request(f"poll options must be 1-{OPTION_LIMIT} characters")
        options.append(
            t.PollOption(persistent_id=str(index), text=text, voter_count=0, text_entities=entities)
        )
    if len({o.text for o in options}) != len(options):
        raise bad_request("POLL_OPTION_DUPLICATE")
    return options


class _Sub(Call):
    """A view of one nested object as if it were the call's parameters (for formatted())."""

    def __init__(self, call: Call, params: dict[str, Any]) -> None:
        super().__init__(call.engine, call.bot, call.method, params)


def _closing(call: Call) -> tuple[int | None, int | None, float | None]:
    """open_period, close_date and when the poll closes (None: only by stopPoll)."""
    period, close_date = call.get("open_period"), call.get("close_date")
    if period is not None and close_date is not None:
        raise bad_request("only one of open_period and close_date can be specified")
    low, high = OPEN_PERIOD_RANGE
    now = time.time()
    if period is not None:
        if not low <= int(period) <= high:
            raise bad_request(f"open_period must be {low}-{high} seconds")
        return int(period), int(now) + int(period), now + int(period)
    if close_date is not None:
        ahead = int(close_date) - now
        if not low - 1 <= ahead <= high + 1:
            raise bad_request(f"close_date must be {low}-{high} seconds in the future")
        return None, int(close_date), float(close_date)
    return None, None, None


@method("sendPoll")
def send_poll(call: Call) -> t.Message:
    chat = call.chat(sending=True)
    question, question_entities = formatted(
        call, str(call.need("question")), "question_parse_mode", "question_entities", auto=False
    )
    if not 1 <= utf16_len(question.strip()) <= QUESTION_LIMIT:
        raise bad_request(f"poll question must be 1-{QUESTION_LIMIT} characters")
    options = _options(call)
    kind = call.get("type", "regular")
    if kind not in ("regular", "quiz"):
        raise bad_request("wrong poll type specified")
    multiple = bool(call.get("allows_multiple_answers", False))
    correct = call.get("correct_option_ids")
    legacy = call.get("correct_option_id")  # before Bot API 9.6; Telegram still takes it
    if correct is None and legacy is not None:
        correct = [int(legacy)]
    if kind == "quiz":
        if not correct:
            raise bad_request("QUIZ_CORRECT_ANSWERS_EMPTY")
        if any(not 0 <= i < len(options) for i in correct) or len(set(correct)) != len(correct):
            raise bad_request("wrong correct option ID specified")
        if len(correct) > 1 and not multiple:
            raise bad_request("QUIZ_MULTIPLE_INVALID")
    elif correct:
        raise bad_request("correct_option_ids can be specified only for quizzes")
    explanation: dict[str, Any] = {}
    if call.get("explanation"):
        if kind != "quiz":
            raise bad_request("explanation can be specified only for quizzes")
        text, entities = formatted(
            call, str(call.get("explanation")), "explanation_parse_mode", "explanation_entities"
        )
        if utf16_len(text) > EXPLANATION_LIMIT:
            raise bad_request("explanation is too long")
        explanation = {"explanation": text, "explanation_entities": entities}
    if call.get("media") or call.get("explanation_media"):
        raise bad_request("media in polls is not supported by the telewire emulator")
    description: dict[str, Any] = {}
    if call.get("description"):
        text, entities = formatted(
            call, str(call.get("description")), "description_parse_mode", "description_entities"
        )
        description = {"description": text, "description_entities": entities}
    period, close_date, close_at = _closing(call)
    poll = t.Poll(
        id=call.bot.records.new_id(f"{call.bot.id}5"),
        question=question,
        question_entities=question_entities,
        options=options,
        total_voter_count=0,
        is_closed=bool(call.get("is_closed", False)),
        is_anonymous=bool(call.get("is_anonymous", True)),
        type=kind,
        allows_multiple_answers=multiple,
        allows_revoting=bool(call.get("allows_revoting", kind != "quiz")),
        members_only=bool(call.get("members_only", False)),
        country_codes=call.get("country_codes"),
        correct_option_ids=list(correct) if correct else None,
        open_period=period,
        close_date=close_date,
        **explanation,
        **description,
    )
    message = post(call, chat, poll=poll)
    if message.message_id:
        records = call.bot.records
        records.polls[poll.id] = PollRecord(chat_id=chat.chat.id, message_id=message.message_id)
        records.keep_recent(records.polls)
        if close_at is not None and not poll.is_closed:
            records.closing[poll.id] = close_at
    return message


@method("stopPoll")
def stop_poll(call: Call) -> t.Poll:
    chat = call.chat()
    message = call.message(chat, "message_id", "message with poll to stop not found")
    if message.poll is None:
        raise bad_request("message with poll to stop not found")
    if message.from_user is None or message.from_user.id != call.bot.id:
        raise bad_request("poll can't be stopped")
    if message.poll.is_closed:
        raise bad_request("poll has already been closed")
    markup = call.get("reply_markup")
    if markup:
        from telewire.emulator.methods.common import inline_keyboard

        message.reply_markup = inline_keyboard(markup)
    close(call.engine, call.bot, message.poll, announce=False)
    return message.poll


def close(engine: Engine, bot: BotState, poll: t.Poll, *, announce: bool) -> None:
    """Close ``poll``; with ``announce`` the bot hears of it by a ``poll`` update."""
    poll.is_closed = True
    bot.records.closing.pop(poll.id, None)
    record = bot.records.polls.get(poll.id)
    if record is not None:
        engine.emit(bot, "edit", {"chat_id": record.chat_id, "message": _message_of(bot, record)})
    if announce:
        engine.deliver(bot, "poll", snapshot(poll))


def snapshot(poll: t.Poll) -> t.Poll:
    """A copy of the poll as it is now, for an update that later votes must not change."""
    return typed.convert(msgspec.to_builtins(poll), t.Poll)


def _message_of(bot: BotState, record: PollRecord) -> t.Message | None:
    chat = bot.chats.get(record.chat_id)
    return chat.messages.get(record.message_id) if chat else None


def poll_of(bot: BotState, poll_id: str) -> tuple[PollRecord, t.Poll] | None:
    record = bot.records.polls.get(poll_id)
    message = _message_of(bot, record) if record else None
    if record is None or message is None or message.poll is None:
        return None
    return record, message.poll


def close_due(engine: Engine, at: float | None = None) -> int:
    """Close every poll whose open_period or close_date has passed; how many closed."""
    moment = time.time() if at is None else at
    closed = 0
    for bot in list(engine.world.bots.values()):
        for poll_id, close_at in list(bot.records.closing.items()):
            if close_at <= moment:
                found = poll_of(bot, poll_id)
                bot.records.closing.pop(poll_id, None)
                if found is not None and not found[1].is_closed:
                    close(engine, bot, found[1], announce=True)
                    closed += 1
    return closed
