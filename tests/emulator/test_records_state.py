"""What users did (votes, payments, members, topics, stickers...) survives ``--state``."""

from __future__ import annotations

from pathlib import Path

from telewire import Bot
from telewire.emulator import Emulator
from telewire.testing import EmulatorHandle
from telewire.types import ChatMemberRestricted, ChatPermissions, InputPollOption, LabeledPrice

TOKEN = "4242:" + "S" * 35


def test_records_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "world.sqlite"
    server = Emulator(tokens=[TOKEN], state=state).in_thread()
    handle = EmulatorHandle(server.base_url, TOKEN)
    with Bot(TOKEN, base_url=server.base_url) as bot:
        alice, bob = handle.user("Alice"), handle.user("Bob")
        handle.send(alice, "/start")
        forum = handle.group("Forum", [alice, bob], kind="supergroup", forum=True)
        topic = bot.create_forum_topic(chat_id=forum.id, name="Ideas")
        poll = bot.send_poll(
            chat_id=forum.id,
            question="?",
            options=[InputPollOption(text="a"), InputPollOption(text="b")],
        )
        handle.vote(bob, poll, 1)
        bot.restrict_chat_member(
            chat_id=forum.id, user_id=bob.id, permissions=ChatPermissions(can_send_messages=False)
        )
        invoice = bot.send_invoice(
            chat_id=alice.id,
            title="t",
            description="d",
            payload="p",
            currency="XTR",
            prices=[LabeledPrice(label="x", amount=3)],
        )
        handle.pay(alice, invoice, timeout=0)
        query = next(u.pre_checkout_query for u in bot.get_updates() if u.pre_checkout_query)
        bot.answer_pre_checkout_query(pre_checkout_query_id=query.id, ok=True)
    handle.close()
    server.close()

    again = Emulator(tokens=[TOKEN], state=state).in_thread()
    handle = EmulatorHandle(again.base_url, TOKEN)
    try:
        with Bot(TOKEN, base_url=again.base_url) as bot:
            assert bot.get_my_star_balance().amount == 3
            member = bot.get_chat_member(chat_id=forum.id, user_id=bob.id)
            assert isinstance(member, ChatMemberRestricted) and not member.can_send_messages
            assert bot.edit_forum_topic(
                chat_id=forum.id, message_thread_id=topic.message_thread_id, name="Plans"
            )
            poll_after = handle.vote(bob, poll, 0)  # the earlier vote is remembered and moved
            assert [o.voter_count for o in poll_after.options] == [1, 0]
    finally:
        handle.close()
        again.close()


def test_record_tables_stay_bounded() -> None:
    from telewire.emulator.records import Records

    records = Records()
    table = {f"q{i}": i for i in range(10_001)}
    records.keep_recent(table)
    assert len(table) == 5_001 and "q0" not in table and "q10000" in table


def test_messages_sent_via_the_bot_stay_editable_after_a_restart(tmp_path: Path) -> None:
    from telewire.types import (
        InlineKeyboardButton,
        InlineKeyboardMarkup,
        InlineQueryResultArticle,
        InputTextMessageContent,
    )

    state = tmp_path / "world.sqlite"
    server = Emulator(tokens=[TOKEN], state=state).in_thread()
    handle = EmulatorHandle(server.base_url, TOKEN)
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="k", url="t.me")]])
    with Bot(TOKEN, base_url=server.base_url) as bot:
        alice, friend = handle.user("Alice"), handle.user("Friend")
        handle.send(friend, "hi")
        answer = handle.inline_query(alice, "q", chat_id=friend.id, timeout=0)
        result = InlineQueryResultArticle(
            id="r",
            title="r",
            input_message_content=InputTextMessageContent(message_text="sent"),
            reply_markup=keyboard,
        )
        bot.answer_inline_query(inline_query_id=answer.inline_query_id, results=[result])
        handle.choose_inline_result(alice, handle.inline_answer(alice, answer))
        chosen = next(u.chosen_inline_result for u in bot.get_updates() if u.chosen_inline_result)
        assert chosen.inline_message_id
    handle.close()
    server.close()

    again = Emulator(tokens=[TOKEN], state=state).in_thread()
    handle = EmulatorHandle(again.base_url, TOKEN)
    try:
        with Bot(TOKEN, base_url=again.base_url) as bot:
            assert bot.edit_message_text(inline_message_id=chosen.inline_message_id, text="later")
        assert handle.inline_message(chosen.inline_message_id).text == "later"
    finally:
        handle.close()
        again.close()
