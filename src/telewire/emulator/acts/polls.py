"""Polls, the user's side: voting, changing a vote and retracting it.

As on Telegram: a closed poll takes no votes; a quiz answer is final; a vote is retracted
(an empty choice) or changed only where the poll ``allows_revoting``; several options
only where it ``allows_multiple_answers``. The bot hears ``poll_answer`` for non-anonymous
polls and ``poll`` with the new counts for its own polls.
"""

from __future__ import annotations

from typing import Any

from telewire.api._generated import types as t
from telewire.emulator.engine import Engine
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.polls import poll_of, snapshot


def vote(
    engine: Engine,
    token: str,
    user_data: dict[str, Any],
    chat_id: int,
    message_id: int,
    option_ids: list[int],
) -> t.Poll:
    """``user`` chooses ``option_ids`` (indexes) in the poll of a message; [] retracts."""
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    chat = bot.chats.get(chat_id)
    message = chat.messages.get(message_id) if chat else None
    if chat is None or message is None or message.poll is None:
        raise bad_request("message with a poll not found")
    if chat.chat.type != "private" and chat.members.get(user.id) in (None, "left", "kicked"):
        raise bad_request("the user is not a member of the chat")
    found = poll_of(bot, message.poll.id)
    if found is None:
        raise bad_request("message with a poll not found")
    record, poll = found
    if poll.is_closed:
        raise bad_request("the poll is closed")
    chosen = sorted(set(option_ids))
    if any(not 0 <= i < len(poll.options) for i in chosen):
        raise bad_request(f"option ids are 0-{len(poll.options) - 1}")
    if len(chosen) > 1 and not poll.allows_multiple_answers:
        raise bad_request("the poll allows one answer")
    before = record.votes.get(user.id, [])
    if before == chosen:
        return poll
    if before and not poll.allows_revoting:
        raise bad_request(
            "a quiz answer is final" if poll.type == "quiz" else "the poll allows no revoting"
        )
    for index in before:
        poll.options[index].voter_count -= 1
    for index in chosen:
        poll.options[index].voter_count += 1
    if chosen:
        record.votes[user.id] = chosen
    else:
        record.votes.pop(user.id, None)
    poll.total_voter_count = len(record.votes)
    engine.emit(bot, "vote", {"chat_id": chat_id, "message_id": message_id, "poll": poll})
    if not poll.is_anonymous:
        answer = t.PollAnswer(
            poll_id=poll.id,
            option_ids=chosen,
            option_persistent_ids=[poll.options[i].persistent_id for i in chosen],
            user=user,
        )
        engine.deliver(bot, "poll_answer", answer)
    engine.deliver(bot, "poll", snapshot(poll))
    return poll
