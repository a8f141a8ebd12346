"""An ordinary aiogram 3.31 bot using Bot API 10.3 ephemeral messages; only its URL differs."""

import asyncio
import os

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    CallbackQuery,
    EphemeralMessageParameters,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

URL, TOKEN = os.environ["TELEGRAM_API_URL"], os.environ["TELEGRAM_BOT_TOKEN"]
bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(URL)))
dp = Dispatcher()
OK = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="ok", callback_data="seen")]])


@dp.message(Command("secret"))
async def secret(message: Message) -> None:
    user = message.from_user
    sent = await message.answer(
        "for your eyes only",
        ephemeral_message_parameters=EphemeralMessageParameters(receiver_user_id=user.id),
        reply_markup=OK,
    )
    await bot.edit_ephemeral_message_text(
        chat_id=message.chat.id,
        receiver_user_id=user.id,
        ephemeral_message_id=sent.ephemeral_message_id,
        text=f"only you, {user.first_name} (#{sent.ephemeral_message_id})",
        reply_markup=OK,  # an edit without reply_markup removes the keyboard, as on Telegram
    )


@dp.callback_query(F.data == "seen")
async def seen(query: CallbackQuery) -> None:
    await query.answer("noted")
    await bot.edit_ephemeral_message_text(
        chat_id=query.message.chat.id,
        receiver_user_id=query.from_user.id,
        ephemeral_message_id=query.message.ephemeral_message_id,
        text="seen",
    )


@dp.message(Command("forget"))
async def forget(message: Message, command: CommandObject) -> None:
    await bot.delete_ephemeral_message(
        chat_id=message.chat.id,
        receiver_user_id=message.from_user.id,
        ephemeral_message_id=int(command.args),
    )
    await message.answer("forgotten")


asyncio.run(dp.start_polling(bot, polling_timeout=1))
