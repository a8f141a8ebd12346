"""The chat page in headless Chromium: inline mode, polls, payments, reactions, edits,
places, dice, Web App data, joining and leaving, albums and member events."""

from __future__ import annotations

from typing import Any

import pytest

from telewire import Bot, InputFile
from telewire.testing import EmulatorHandle
from telewire.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputMediaPhoto,
    InputPollOption,
    InputTextMessageContent,
    KeyboardButton,
    LabeledPrice,
    ReplyKeyboardMarkup,
    Update,
    WebAppInfo,
)
from tests.emulator.answering import answering, wait_until
from tests.emulator.test_page import page  # noqa: F401  (the Chromium page fixture)

pytestmark = pytest.mark.browser
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 30


def open_as(page: Any, emulator: EmulatorHandle, user_id: int, first: str) -> None:  # noqa: F811
    page.goto(emulator.page_url + f"?user={user_id}")
    page.wait_for_selector(f".msg >> text={first}")


def test_inline_query_results_are_shown_and_chosen(
    page: Any,  # noqa: F811
    emulator: EmulatorHandle,
    bot: Bot,
) -> None:
    user = emulator.user("Inliner", id=8181)
    emulator.send(user, "start")

    def handle(update: Update) -> None:
        if update.inline_query is not None:
            query = update.inline_query.query
            bot.answer_inline_query(
                inline_query_id=update.inline_query.id,
                results=[
                    InlineQueryResultArticle(
                        id="1",
                        title=f"Shout {query}",
                        description="in capitals",
                        input_message_content=InputTextMessageContent(message_text=query.upper()),
                    )
                ],
            )

    with answering(bot, handle) as seen:
        open_as(page, emulator, user.id, "start")
        page.click("#actions-toggle")
        page.click("#actions button[data-act='inline']")
        page.type("#text", "cats")
        page.click("#inline-results .result:has-text('Shout cats')", timeout=10_000)
        page.wait_for_selector(".msg.mine >> text=CATS")
        assert "via @" in page.locator(".msg.mine .via").last.inner_text()
        wait_until(lambda: any(u.chosen_inline_result for u in seen), what="chosen_inline_result")


def test_polls_show_live_counts_and_take_votes(
    page: Any,  # noqa: F811
    emulator: EmulatorHandle,
    bot: Bot,
) -> None:
    user, other = emulator.user("Voter", id=8282), emulator.user("Other")
    group = emulator.group("Polling", [user, other])
    poll = bot.send_poll(
        chat_id=group.id,
        question="Lunch?",
        options=[InputPollOption(text="Pizza"), InputPollOption(text="Salad")],
        is_anonymous=False,
    )
    page.goto(emulator.page_url + f"?user={user.id}")
    page.click(f"#chats li[data-chat-id='{group.id}']")
    page.click(".poll .option:has-text('Pizza')")
    page.wait_for_selector(".poll .option.chosen:has-text('1 · 100%')")
    emulator.vote(other, poll, 1)
    page.wait_for_selector(".poll .option:has-text('Salad') >> text=1 · 50%")
    page.click(".poll .retract")
    page.wait_for_selector(".poll .option:has-text('Pizza') >> text=0 · 0%")
    answers = [u.poll_answer for u in bot.get_updates(allowed_updates=[]) if u.poll_answer]
    assert [a.option_ids for a in answers if a.user and a.user.id == user.id] == [[0], []]


def test_an_invoice_is_paid_with_its_pay_button(
    page: Any,  # noqa: F811
    emulator: EmulatorHandle,
    bot: Bot,
) -> None:
    user = emulator.user("Buyer", id=8383)
    emulator.send(user, "buy")
    bot.send_invoice(
        chat_id=user.id,
        title="Coffee",
        description="A cup",
        payload="coffee",
        currency="XTR",
        prices=[LabeledPrice(label="Cup", amount=5)],
    )

    def handle(update: Update) -> None:
        if update.pre_checkout_query is not None:
            bot.answer_pre_checkout_query(
                pre_checkout_query_id=update.pre_checkout_query.id, ok=True
            )

    with answering(bot, handle):
        open_as(page, emulator, user.id, "buy")
        page.click(".invoice .pay:has-text('⭐ 5')")
        page.wait_for_selector(".msg.service >> text=paid ⭐ 5", timeout=10_000)


def test_reactions_edits_places_dice_and_web_app_data(
    page: Any,  # noqa: F811
    emulator: EmulatorHandle,
    bot: Bot,
) -> None:
    user = emulator.user("Doer", id=8484)
    emulator.send(user, "hello")
    reply = bot.send_message(
        chat_id=user.id,
        text="react to me",
        reply_markup=ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="Shop", web_app=WebAppInfo(url="https://shop.test"))]]
        ),
    )
    bot.get_updates(allowed_updates=["message", "edited_message", "message_reaction"])
    open_as(page, emulator, user.id, "react to me")
    target = page.locator(f".msg[data-message-id='{reply.message_id}']")
    target.locator(".react").click()
    target.locator(".palette button:has-text('🔥')").click()
    page.wait_for_selector(f".msg[data-message-id='{reply.message_id}'] .reactions:has-text('🔥')")
    answers = iter(["hello, edited", "51.5, -0.12", "+15550100 Bob", '{"size": "L"}'])
    page.on("dialog", lambda dialog: dialog.accept(next(answers)))
    page.locator(".msg.mine .edit").first.click()
    page.wait_for_selector(".msg.mine >> text=hello, edited")
    for act in ("location", "contact", "dice"):
        page.click("#actions-toggle")
        page.click(f"#actions button[data-act='{act}']")
    page.wait_for_selector(".msg.mine >> text=📍 51.5, -0.12")
    page.wait_for_selector(".msg.mine >> text=👤 Bob +15550100")
    page.wait_for_selector(".msg.mine >> text=🎲")
    page.click("#reply-keyboard button:has-text('Shop')")
    page.wait_for_selector(".msg.service >> text=data sent from “Shop”")
    kinds = {
        k
        for u in bot.get_updates()
        for k in ("edited_message", "message_reaction")
        if getattr(u, k)
    }
    assert kinds == {"edited_message", "message_reaction"}
    sent = emulator.wait_for(user.id, lambda m: m.web_app_data is not None)
    assert sent.web_app_data and sent.web_app_data.data == '{"size": "L"}'


def test_joining_leaving_member_events_and_albums(
    page: Any,  # noqa: F811
    emulator: EmulatorHandle,
    bot: Bot,
) -> None:
    owner, user = emulator.user("Owner"), emulator.user("Joiner", id=8585)
    group = emulator.group("Open house", [owner])
    emulator.send(user, "hi")
    page.goto(emulator.page_url + f"?user={user.id}")
    page.click(f"#chats li[data-chat-id='{group.id}']")
    page.click("#actions-toggle")
    page.click("#actions button[data-act='join']")
    page.wait_for_selector(".msg.service >> text=Joiner joined the group")
    bot.send_media_group(
        chat_id=group.id,
        media=[
            InputMediaPhoto(media=InputFile(PNG, filename="a.png")),
            InputMediaPhoto(media=InputFile(PNG, filename="b.png")),
        ],
    )
    page.wait_for_function("document.querySelectorAll('.album img').length === 2")
    assert page.locator(".album").count() == 1
    page.click("#actions-toggle")
    page.click("#actions button[data-act='leave']")
    page.wait_for_selector(".msg.service >> text=Joiner left the group")


def test_venues_join_requests_member_management_voice_and_topics(
    page: Any,  # noqa: F811
    emulator: EmulatorHandle,
    bot: Bot,
) -> None:
    owner, asker = emulator.user("Boss", id=8686), emulator.user("Asker", id=8787)
    forum = emulator.group("Helpdesk", [owner], kind="supergroup", forum=True)
    topic = bot.create_forum_topic(chat_id=forum.id, name="Billing")
    other = emulator.group("Club", [emulator.user("Someone")], kind="supergroup")
    emulator.set_member(owner, forum.id, emulator.bot_id, "member")
    earlier = bot.get_updates(allowed_updates=["message", "my_chat_member", "chat_join_request"])
    bot.get_updates(offset=earlier[-1].update_id + 1)
    page.goto(emulator.page_url + f"?user={owner.id}")
    page.click(f"#chats li[data-chat-id='{forum.id}']")
    page.select_option("#topic", str(topic.message_thread_id))
    page.fill("#text", "invoice question")
    page.press("#text", "Enter")
    page.wait_for_selector(".msg.mine:has-text('invoice question') .topic:has-text('Billing')")
    answers = iter(["48.8606, 2.3376, Louvre, Rue de Rivoli", "bot administrator"])
    page.on("dialog", lambda dialog: dialog.accept(next(answers)))
    page.click("#actions-toggle")
    page.click("#actions button[data-act='venue']")
    page.wait_for_selector(".msg.mine >> text=🏛 Louvre, Rue de Rivoli")
    page.click("#actions-toggle")
    page.click("#actions button[data-act='manage']")
    page.wait_for_selector("#toast >> text=bot is now administrator")
    page.set_input_files(
        "#file",
        files=[{"name": "hi.ogg", "mimeType": "audio/ogg", "buffer": b"OggS" + b"\0" * 6000}],
    )
    page.wait_for_selector(".msg.mine >> text=🎤 voice, 3 s")
    sent = emulator.wait_for(forum.id, lambda m: m.venue is not None)
    assert sent.message_thread_id == topic.message_thread_id
    voice = emulator.wait_for(forum.id, lambda m: m.voice is not None)
    assert voice.voice and voice.voice.mime_type == "audio/ogg"
    page.goto(emulator.page_url + f"?user={asker.id}")
    page.click(f"#chats li[data-chat-id='{other.id}']")
    page.click("#actions-toggle")
    page.click("#actions button[data-act='request']")
    page.wait_for_selector("#toast >> text=Join request sent")
    kinds = [
        k
        for u in bot.get_updates()
        for k in ("my_chat_member", "chat_join_request")
        if getattr(u, k)
    ]
    assert kinds == ["my_chat_member", "chat_join_request"]


def test_drafts_stream_until_the_message_and_paid_media_shows_its_price(
    page: Any,  # noqa: F811
    emulator: EmulatorHandle,
    bot: Bot,
) -> None:
    from telewire.types import InputPaidMediaPhoto

    user = emulator.user("Reader", id=8888)
    emulator.send(user, "tell me")
    open_as(page, emulator, user.id, "tell me")
    bot.send_message_draft(chat_id=user.id, draft_id=1, text="Once upon")
    page.wait_for_selector("#draft >> text=Once upon")
    bot.send_message_draft(chat_id=user.id, draft_id=1, text="Once upon a time")
    page.wait_for_selector("#draft >> text=Once upon a time")
    bot.send_message(chat_id=user.id, text="Once upon a time, the end.")
    page.wait_for_selector("#draft", state="detached")
    bot.send_paid_media(
        chat_id=user.id,
        star_count=5,
        media=[InputPaidMediaPhoto(media=InputFile(PNG, filename="p.png"))],  # type: ignore[arg-type]
    )
    page.wait_for_selector(".msg >> text=🔒 1 paid item(s) for ⭐ 5")


def test_reactions_made_before_the_page_opened_are_shown(
    page: Any,  # noqa: F811
    emulator: EmulatorHandle,
    bot: Bot,
) -> None:
    user, other = emulator.user("Late", id=8989), emulator.user("Early")
    group = emulator.group("Reacting", [user, other])
    post = bot.send_message(chat_id=group.id, text="old news")
    emulator.react(other, post, "🎉")
    emulator.react(user, post, "🎉")
    page.goto(emulator.page_url + f"?user={user.id}")
    page.click(f"#chats li[data-chat-id='{group.id}']")
    page.wait_for_selector(f".msg[data-message-id='{post.message_id}'] .reactions:has-text('🎉 2')")


def test_a_message_sent_via_the_bot_shows_the_bots_edits(
    page: Any,  # noqa: F811
    emulator: EmulatorHandle,
    bot: Bot,
) -> None:
    user = emulator.user("Voter", id=8282)
    emulator.send(user, "start")
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="count me", callback_data="count")]]
    )

    def handle(update: Update) -> None:
        if update.inline_query is not None:
            bot.answer_inline_query(
                inline_query_id=update.inline_query.id,
                results=[
                    InlineQueryResultArticle(
                        id="poll",
                        title="Start a count",
                        input_message_content=InputTextMessageContent(message_text="Count: 0"),
                        reply_markup=keyboard,
                    )
                ],
            )
        chosen = update.chosen_inline_result
        if chosen is not None and chosen.inline_message_id:
            bot.edit_message_text(
                inline_message_id=chosen.inline_message_id, text="Count: 1", reply_markup=keyboard
            )

    with answering(bot, handle):
        open_as(page, emulator, user.id, "start")
        page.click("#actions-toggle")
        page.click("#actions button[data-act='inline']")
        page.type("#text", "count")
        page.click("#inline-results .result:has-text('Start a count')", timeout=10_000)
        edited = page.locator(".msg.mine", has_text="Count: 1")
        edited.wait_for(timeout=10_000)
        assert "edited" in edited.locator(".meta").inner_text()
        assert "via @" in edited.inner_text()
        assert page.locator(".msg", has_text="Count: 0").count() == 0
