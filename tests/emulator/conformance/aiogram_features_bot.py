"""An ordinary aiogram 3 bot using payments, inline mode, polls, members, reactions and
edits; only its server address points at the emulator."""

import asyncio
import os

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.types import (
    ChatMemberUpdated,
    ChosenInlineResult,
    InlineQuery,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LabeledPrice,
    Message,
    MessageReactionUpdated,
    PollAnswer,
    PreCheckoutQuery,
)

URL, TOKEN = os.environ["TELEGRAM_API_URL"], os.environ["TELEGRAM_BOT_TOKEN"]
PROVIDER = "284685063:TEST:aiogram"
bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(URL)))
dp = Dispatcher()


@dp.message(Command("stars"))
async def stars(message: Message) -> None:
    await message.answer_invoice(
        title="Stars pack",
        description="Ten stars",
        payload="stars",
        currency="XTR",
        prices=[LabeledPrice(label="Pack", amount=10)],
    )


@dp.message(Command("buy"))
async def buy(message: Message) -> None:
    await message.answer_invoice(
        title="Book",
        description="A good one",
        payload="book",
        provider_token=PROVIDER,
        currency="USD",
        prices=[LabeledPrice(label="Book", amount=500)],
    )


@dp.pre_checkout_query()
async def checkout(query: PreCheckoutQuery) -> None:
    await query.answer(ok=True)


@dp.message(F.successful_payment)
async def paid(message: Message) -> None:
    payment = message.successful_payment
    await message.answer(f"thanks {payment.total_amount} {payment.currency}")


@dp.inline_query()
async def inline(query: InlineQuery) -> None:
    content = InputTextMessageContent(message_text=f"echo: {query.query}")
    result = InlineQueryResultArticle(
        id="1", title=f"Echo {query.query}", input_message_content=content
    )
    await query.answer([result])


@dp.chosen_inline_result()
async def chosen(result: ChosenInlineResult) -> None:
    await bot.send_message(result.from_user.id, f"you chose {result.result_id}")


@dp.message(Command("quiz"))
async def quiz(message: Message) -> None:
    await message.answer_poll(
        question="2+2?",
        options=["4", "5"],
        type="quiz",
        correct_option_ids=[0],
        is_anonymous=False,
    )


@dp.message(Command("poll"))
async def poll(message: Message) -> None:
    await message.answer_poll(
        question="Lunch?",
        options=["Pizza", "Salad"],
        is_anonymous=False,
        allows_multiple_answers=True,
    )


@dp.poll_answer()
async def answered(answer: PollAnswer) -> None:
    await bot.send_message(answer.user.id, f"voted {list(answer.option_ids)}")


@dp.edited_message()
async def edited(message: Message) -> None:
    await message.reply(f"edited: {message.text}")


@dp.message_reaction()
async def reacted(reaction: MessageReactionUpdated) -> None:
    emoji = " ".join(r.emoji for r in reaction.new_reaction)
    await bot.send_message(reaction.chat.id, f"reaction {emoji}")


@dp.chat_member()
async def member(change: ChatMemberUpdated) -> None:
    user = change.new_chat_member.user
    if change.new_chat_member.status == "member" and change.old_chat_member.status == "left":
        await bot.send_message(change.chat.id, f"welcome {user.first_name}")
    elif change.new_chat_member.status == "left":
        await bot.send_message(change.chat.id, f"bye {user.first_name}")


asyncio.run(
    dp.start_polling(bot, polling_timeout=1, allowed_updates=dp.resolve_used_update_types())
)
