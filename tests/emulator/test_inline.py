"""Inline mode: a user types a query, the bot answers, the user chooses a result."""

from __future__ import annotations

import pytest

from telewire import BadRequest, Bot
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)

from .answering import answering, wait_until


def article(result_id: str, text: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id,
        title=f"Say {text}",
        input_message_content=InputTextMessageContent(
            message_text=f"<b>{text}</b>", parse_mode="HTML"
        ),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="more", callback_data="more")]]
        ),
    )


def test_query_answer_and_choice_reach_the_bot_and_the_chat(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    def handle(update: Update) -> None:
        if update.inline_query is not None:
            words = update.inline_query.query.split()
            bot.answer_inline_query(
                inline_query_id=update.inline_query.id,
                results=[article(str(i), w) for i, w in enumerate(words)],
                next_offset="2",
            )

    with answering(bot, handle) as seen:
        answer = emulator.inline_query(alice, "hello world")
        assert answer.answered and answer.result_ids == ["0", "1"]
        assert answer.next_offset == "2"
        sent = emulator.choose_inline_result(alice, answer, "1")
        emulator.wait_for(alice.id, lambda m: m.message_id == sent.message_id)
        wait_until(lambda: any(u.chosen_inline_result for u in seen), what="chosen_inline_result")
    query = next(u.inline_query for u in seen if u.inline_query)
    assert query.query == "hello world" and query.chat_type == "sender"
    assert query.from_user.id == alice.id
    chosen = next(u.chosen_inline_result for u in seen if u.chosen_inline_result)
    assert chosen.result_id == "1" and chosen.query == "hello world"
    assert sent.text == "world" and sent.entities and sent.entities[0].type == "bold"
    assert sent.via_bot is not None and sent.via_bot.id == int(emulator.token.split(":")[0])
    assert sent.from_user is not None and sent.from_user.id == alice.id
    assert sent.reply_markup is not None


def test_unanswered_queries_and_bad_answers_fail_as_on_telegram(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    answer = emulator.inline_query(alice, "anything", timeout=0)
    assert not answer.answered and answer.results == []
    with pytest.raises(AssertionError, match="not answered"):
        emulator.choose_inline_result(alice, answer, "x")
    with pytest.raises(BadRequest, match="RESULT_ID_DUPLICATE"):
        bot.answer_inline_query(
            inline_query_id=answer.inline_query_id, results=[article("a", "x"), article("a", "y")]
        )
    with pytest.raises(BadRequest, match="RESULTS_TOO_MUCH"):
        bot.answer_inline_query(
            inline_query_id=answer.inline_query_id,
            results=[article(str(i), "x") for i in range(51)],
        )
    with pytest.raises(BadRequest, match="RESULT_ID_INVALID"):
        bot.answer_inline_query(
            inline_query_id=answer.inline_query_id, results=[article("x" * 65, "x")]
        )
    assert bot.answer_inline_query(inline_query_id=answer.inline_query_id, results=[])
    with pytest.raises(BadRequest, match="query is too old"):
        bot.answer_inline_query(inline_query_id=answer.inline_query_id, results=[])
    with pytest.raises(BadRequest, match="query is too old"):
        bot.answer_inline_query(inline_query_id="nope", results=[])


def test_inline_query_in_a_group_says_the_chat_type(bot: Bot, emulator: EmulatorHandle) -> None:
    bob = emulator.user("Bob")
    group = emulator.group("Friends", [bob], kind="supergroup")
    emulator.inline_query(bob, "hi", chat_id=group.id, timeout=0)
    updates = bot.get_updates()
    assert [u.inline_query.chat_type for u in updates if u.inline_query] == ["supergroup"]
    stranger = emulator.user("Eve")
    with pytest.raises(AssertionError, match="chat not found"):
        emulator.inline_query(stranger, "hi", chat_id=group.id, timeout=0)


def test_inline_query_in_a_chat_with_a_friend_reaches_only_the_choice(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    friend = emulator.user("Friend")
    emulator.send(friend, "hi")  # the emulator knows them
    bot.get_updates(offset=-1)
    bot.get_updates(offset=bot.get_updates()[0].update_id + 1)
    answer = emulator.inline_query(alice, "gift", chat_id=friend.id, timeout=0)
    query = next(u.inline_query for u in bot.get_updates() if u.inline_query)
    assert query.chat_type == "private"
    bot.answer_inline_query(inline_query_id=answer.inline_query_id, results=[article("g", "gift")])
    sent = emulator.choose_inline_result(alice, emulator.inline_answer(alice, answer), "g")
    assert sent.chat.id == friend.id and sent.via_bot is not None
    updates = bot.get_updates(offset=bot.get_updates()[-1].update_id)
    chosen = [u.chosen_inline_result for u in updates if u.chosen_inline_result]
    assert chosen and chosen[0].inline_message_id  # the result had a keyboard
    assert not [u for u in updates if u.message and u.message.text == "gift"]
