"""Unmodified bots of python-telegram-bot, aiogram and pyTelegramBotAPI, driven as a user:
payments in Stars and in a currency, inline mode, polls and quizzes, chat members,
reactions, edits."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from telewire.testing import EmulatorHandle

HERE = Path(__file__).parent
WAIT = 20.0
START = 90.0
"""Seconds for the bot's first answer: aiogram alone takes seconds to import on a busy machine."""


@pytest.fixture(
    params=["ptb_features_bot.py", "aiogram_features_bot.py", "telebot_features_bot.py"]
)
def feature_bot(request: pytest.FixtureRequest, emulator: EmulatorHandle) -> Iterator[str]:
    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
    }
    process = subprocess.Popen(
        [sys.executable, str(HERE / request.param)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield request.param
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        print(output[-3000:])


def reply_text(emulator: EmulatorHandle, chat_id: int, text: str) -> None:
    emulator.wait_for(chat_id, lambda m: m.text == text, timeout=WAIT, what=repr(text))


def test_payments_inline_polls_quizzes_edits_reactions_and_members(
    feature_bot: str, emulator: EmulatorHandle
) -> None:
    user = emulator.user("Peer buyer")
    emulator.send(user, "/stars")
    stars = emulator.wait_for(
        user.id, lambda m: m.invoice is not None, timeout=START, what="invoice"
    )
    assert stars.invoice and stars.invoice.currency == "XTR"
    assert emulator.pay(user, stars, timeout=WAIT).status == "paid"
    reply_text(emulator, user.id, "thanks 10 XTR")

    emulator.send(user, "/buy")
    book = emulator.wait_for(
        user.id, lambda m: m.invoice is not None and m.invoice.currency == "USD", timeout=WAIT
    )
    assert emulator.pay(user, book, timeout=WAIT).status == "paid"
    reply_text(emulator, user.id, "thanks 500 USD")

    answer = emulator.inline_query(user, "hi", timeout=WAIT)
    assert answer.answered and answer.result_ids == ["1"]
    sent = emulator.choose_inline_result(user, answer)
    assert sent.text == "echo: hi" and sent.via_bot is not None
    reply_text(emulator, user.id, "you chose 1")

    emulator.send(user, "/quiz")
    quiz = emulator.wait_for(user.id, lambda m: m.poll is not None, timeout=WAIT, what="quiz")
    assert quiz.poll and quiz.poll.type == "quiz" and quiz.poll.correct_option_ids == [0]
    emulator.vote(user, quiz, 0)
    reply_text(emulator, user.id, "voted [0]")

    emulator.send(user, "/poll")
    poll = emulator.wait_for(
        user.id, lambda m: m.poll is not None and m.poll.type == "regular", timeout=WAIT
    )
    assert poll.poll and poll.poll.allows_multiple_answers
    emulator.vote(user, poll, 0, 1)
    reply_text(emulator, user.id, "voted [0, 1]")
    emulator.vote(user, poll)  # retracted
    reply_text(emulator, user.id, "voted []")

    typo = emulator.send(user, "helo")
    emulator.edit(user, typo, "hello")
    reply_text(emulator, user.id, "edited: hello")

    emulator.react(user, quiz, "👍")
    reply_text(emulator, user.id, "reaction 👍")

    bob = emulator.user("Bob")
    group = emulator.group("Peers", [user], kind="supergroup")
    emulator.join(bob, group.id)
    reply_text(emulator, group.id, "welcome Bob")
    emulator.leave(bob, group.id)
    reply_text(emulator, group.id, "bye Bob")
