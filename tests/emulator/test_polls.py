"""Polls and quizzes: every sendPoll field, votes and retractions, closing by hand and by time."""

from __future__ import annotations

import time

import pytest

from telewire import BadRequest, Bot
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import InputPollOption

OPTIONS = [InputPollOption(text="red"), InputPollOption(text="green"), InputPollOption(text="blue")]


def kinds(bot: Bot) -> list[str]:
    return [k for u in bot.get_updates() for k in ("poll", "poll_answer") if getattr(u, k)]


def test_votes_change_counts_and_reach_the_bot(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bob = emulator.user("Bob")
    group = emulator.group("Voters", [alice, bob])
    bot.get_updates(offset=-1)
    sent = bot.send_poll(
        chat_id=group.id,
        question="<b>Colour</b>?",
        question_parse_mode="HTML",
        options=OPTIONS,
        is_anonymous=False,
        allows_multiple_answers=True,
        description="pick any",
    )
    assert sent.poll and sent.poll.question == "Colour?" and sent.poll.question_entities
    assert sent.poll.allows_revoting and sent.poll.description == "pick any"
    poll = emulator.vote(alice, sent, 0, 2)
    assert [o.voter_count for o in poll.options] == [1, 0, 1] and poll.total_voter_count == 1
    poll = emulator.vote(bob, sent, 2)
    assert [o.voter_count for o in poll.options] == [1, 0, 2] and poll.total_voter_count == 2
    updates = bot.get_updates(offset=bot.get_updates()[0].update_id)
    answers = [u.poll_answer for u in updates if u.poll_answer]
    assert [(a.user.id if a.user else 0, a.option_ids) for a in answers] == [
        (alice.id, [0, 2]),
        (bob.id, [2]),
    ]
    assert answers[0].option_persistent_ids == ["0", "2"]
    states = [u.poll for u in updates if u.poll]
    assert [s.total_voter_count for s in states] == [1, 2]  # each a snapshot, not the live poll
    poll = emulator.vote(alice, sent)  # retract
    assert [o.voter_count for o in poll.options] == [0, 0, 1] and poll.total_voter_count == 1
    shown = next(m for m in emulator.messages(group.id) if m.message_id == sent.message_id)
    assert shown.poll and shown.poll.total_voter_count == 1
    stopped = bot.stop_poll(chat_id=group.id, message_id=sent.message_id)
    assert stopped.is_closed and [o.voter_count for o in stopped.options] == [0, 0, 1]
    with pytest.raises(AssertionError, match="closed"):
        emulator.vote(bob, sent, 0)
    with pytest.raises(BadRequest, match="poll has already been closed"):
        bot.stop_poll(chat_id=group.id, message_id=sent.message_id)


def test_quiz_answers_are_final_and_anonymous_polls_send_no_answers(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    quiz = bot.send_poll(
        chat_id=alice.id,
        question="2+2?",
        options=[InputPollOption(text="4"), InputPollOption(text="5")],
        type="quiz",
        correct_option_ids=[0],
        explanation="*arithmetic*",
        explanation_parse_mode="MarkdownV2",
    )
    assert quiz.poll and quiz.poll.type == "quiz" and quiz.poll.correct_option_ids == [0]
    assert quiz.poll.explanation == "arithmetic" and quiz.poll.explanation_entities
    assert not quiz.poll.allows_revoting
    bot.get_updates(offset=-1)
    bot.get_updates(offset=bot.get_updates()[0].update_id + 1)
    emulator.vote(alice, quiz, 1)
    with pytest.raises(AssertionError, match="quiz answer is final"):
        emulator.vote(alice, quiz, 0)
    with pytest.raises(AssertionError, match="allows one answer"):
        emulator.vote(emulator.user("Carol"), quiz, 0, 1)
    assert kinds(bot) == ["poll"]  # anonymous: the bot sees counts, not who


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"type": "quiz"}, "QUIZ_CORRECT_ANSWERS_EMPTY"),
        ({"type": "quiz", "correct_option_ids": [3]}, "wrong correct option ID specified"),
        ({"correct_option_ids": [0]}, "only for quizzes"),
        ({"type": "survey"}, "wrong poll type specified"),
        ({"open_period": 601}, "open_period must be 5-600 seconds"),
        ({"open_period": 10, "close_date": int(time.time()) + 10}, "only one of"),
        ({"close_date": int(time.time()) - 100}, "close_date must be 5-600 seconds"),
        ({"explanation": "x"}, "only for quizzes"),
    ],
)
def test_bad_polls_are_refused(
    bot: Bot, alice: TestUser, fields: dict[str, object], error: str
) -> None:
    with pytest.raises(BadRequest, match=error):
        bot.send_poll(chat_id=alice.id, question="q", options=OPTIONS, **fields)  # type: ignore[arg-type]


def test_wrong_option_counts_and_texts_are_refused(bot: Bot, alice: TestUser) -> None:
    with pytest.raises(BadRequest, match="poll must have 2-12 options"):
        bot.send_poll(chat_id=alice.id, question="q", options=OPTIONS[:1])
    with pytest.raises(BadRequest, match="POLL_OPTION_DUPLICATE"):
        bot.send_poll(chat_id=alice.id, question="q", options=[OPTIONS[0], OPTIONS[0]])
    with pytest.raises(BadRequest, match="poll question must be"):
        bot.send_poll(chat_id=alice.id, question="x" * 301, options=OPTIONS)


def test_a_poll_closes_by_itself_when_its_open_period_ends(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    sent = bot.send_poll(chat_id=alice.id, question="quick?", options=OPTIONS, open_period=5)
    assert sent.poll and sent.poll.open_period == 5 and sent.poll.close_date
    emulator.vote(alice, sent, 1)
    bot.get_updates(offset=-1)
    last = bot.get_updates()[0].update_id
    updates = bot.get_updates(offset=last + 1, timeout=8)
    assert [u.poll.is_closed for u in updates if u.poll] == [True]
    with pytest.raises(AssertionError, match="closed"):
        emulator.vote(alice, sent, 0)
