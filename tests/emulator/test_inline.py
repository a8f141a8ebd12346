"""Inline mode: a user types a query, the bot answers, the user chooses a result."""

from __future__ import annotations

from typing import Any

import pytest

from telewire import BadRequest, Bot
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultLocation,
    InputTextMessageContent,
    Message,
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


# -- editing messages sent via the bot (inline_message_id) ------------------------------


def chosen_with_keyboard(
    bot: Bot, emulator: EmulatorHandle, user: TestUser, result: Any, *, chat_id: int | None = None
) -> tuple[Message, str, list[Update]]:
    """``user`` queries, the bot answers ``result``, the user chooses it: the message sent,
    its inline_message_id and the bot's updates (fetched, not yet confirmed)."""
    answer = emulator.inline_query(user, "q", chat_id=chat_id, timeout=0)
    bot.answer_inline_query(inline_query_id=answer.inline_query_id, results=[result])
    sent = emulator.choose_inline_result(user, emulator.inline_answer(user, answer))
    updates = bot.get_updates()
    [chosen] = [u.chosen_inline_result for u in updates if u.chosen_inline_result]
    assert chosen.inline_message_id, "a result with a keyboard has an inline_message_id"
    return sent, chosen.inline_message_id, updates


def test_the_bot_edits_what_a_user_sent_via_it(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bot.get_updates(offset=-1)
    sent, inline_id, _ = chosen_with_keyboard(bot, emulator, alice, article("a", "vote"))
    assert bot.edit_message_text(inline_message_id=inline_id, text="voted: 1") is True
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="again", callback_data="again")]]
    )
    assert bot.edit_message_reply_markup(inline_message_id=inline_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="message is not modified"):
        bot.edit_message_reply_markup(inline_message_id=inline_id, reply_markup=keyboard)
    with pytest.raises(BadRequest, match="there is no caption in the message to edit"):
        bot.edit_message_caption(inline_message_id=inline_id, caption="x")
    # Users see it edited, in the chat and by its id (the pytest plugin's view).
    [shown] = [m for m in emulator.messages(alice.id) if m.message_id == sent.message_id]
    assert shown.text == "voted: 1" and shown.edit_date is not None
    assert shown.reply_markup == keyboard and shown.via_bot is not None
    assert emulator.inline_message(inline_id) == shown


def test_an_edit_leaves_the_update_the_bot_has_not_confirmed_as_sent(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bot.get_updates(offset=-1)
    first = bot.get_updates()[-1].update_id + 1 if bot.get_updates() else 0
    _, inline_id, _ = chosen_with_keyboard(bot, emulator, alice, article("a", "original"))
    bot.edit_message_text(inline_message_id=inline_id, text="changed")
    again = bot.get_updates(offset=first)
    assert [u.message.text for u in again if u.message] == ["original"]


def test_edits_by_inline_message_id_fail_as_on_telegram(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bot.get_updates(offset=-1)
    sent, inline_id, _ = chosen_with_keyboard(bot, emulator, alice, article("a", "x"))
    no_target = r"Bad Request: message identifier is not specified \(error 400\)"
    with pytest.raises(BadRequest, match=no_target):
        bot.edit_message_text(text="no target")
    with pytest.raises(BadRequest, match="invalid inline message identifier specified"):
        bot.edit_message_text(inline_message_id="im-nope", text="y")
    with pytest.raises(BadRequest, match="invalid inline message identifier specified"):
        bot.stop_message_live_location(inline_message_id="im-nope")
    # With chat_id and message_id too, Telegram's Bot API server edits that chat message
    # and ignores inline_message_id (it answers the message, not true).
    mine = bot.send_message(chat_id=alice.id, text="the bot's own")
    edited = bot.edit_message_text(
        chat_id=alice.id,
        message_id=mine.message_id,
        inline_message_id=inline_id,
        text="own, edited",
    )
    assert isinstance(edited, Message) and edited.text == "own, edited"
    assert emulator.inline_message(inline_id).text == "x"
    # A message deleted since: Telegram's MESSAGE_ID_INVALID.
    assert bot.delete_message(chat_id=alice.id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="MESSAGE_ID_INVALID"):
        bot.edit_message_text(inline_message_id=inline_id, text="gone")


def test_a_message_sent_where_the_bot_is_not_is_edited_too(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    friend = emulator.user("Friend")
    emulator.send(friend, "hi")
    bot.get_updates(offset=-1)
    live = InlineQueryResultLocation(
        id="here",
        latitude=52.5,
        longitude=13.4,
        title="Where I am",
        live_period=600,
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="follow", callback_data="f")]]
        ),
    )
    sent, inline_id, _ = chosen_with_keyboard(bot, emulator, alice, live, chat_id=friend.id)
    assert sent.chat.id == friend.id and sent.location and sent.location.live_period == 600
    assert bot.edit_message_live_location(
        inline_message_id=inline_id, latitude=52.6, longitude=13.5
    )
    moved = emulator.inline_message(inline_id)
    assert moved.location and moved.location.latitude == 52.6 and moved.edit_date is not None
    assert bot.stop_message_live_location(inline_message_id=inline_id) is True
    stopped = emulator.inline_message(inline_id).location
    assert stopped is not None and stopped.live_period is None
    with pytest.raises(BadRequest, match="message can't be edited"):
        bot.edit_message_live_location(inline_message_id=inline_id, latitude=1, longitude=1)


def test_the_plugin_names_an_unknown_inline_message(emulator: EmulatorHandle) -> None:
    with pytest.raises(AssertionError, match="invalid inline message identifier"):
        emulator.inline_message("im-unknown")


def test_a_button_under_a_message_sent_via_the_bot_names_it_by_its_inline_id(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    bot.get_updates(offset=-1)
    sent, inline_id, updates = chosen_with_keyboard(bot, emulator, alice, article("a", "tap"))
    assert emulator.press(alice, sent, "more", timeout=0) is None
    presses = bot.get_updates(offset=updates[-1].update_id + 1)
    [query] = [u.callback_query for u in presses if u.callback_query]
    assert query.inline_message_id == inline_id and query.message is None
    assert query.data == "more" and query.from_user.id == alice.id
    assert bot.answer_callback_query(callback_query_id=query.id, text="counted")
