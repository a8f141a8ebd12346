"""An ordinary aiogram 3 bot; only its server address points at the emulator."""

import asyncio
import os

from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.filters import Command
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

URL, TOKEN = os.environ["TELEGRAM_API_URL"], os.environ["TELEGRAM_BOT_TOKEN"]
bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(URL)))
dp = Dispatcher()


@dp.message(Command("menu"))
async def menu(message: Message) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="pick")]]
    )
    await message.answer("Choose", reply_markup=markup)


@dp.callback_query(F.data == "pick")
async def pressed(query: CallbackQuery) -> None:
    await query.answer("picked")
    await query.message.edit_text("picked!")


@dp.message(F.photo)
async def photo(message: Message) -> None:
    file = await bot.get_file(message.photo[-1].file_id)
    data = (await bot.download_file(file.file_path)).read()
    await message.answer(f"got {len(data)} bytes")
    await message.answer_photo(BufferedInputFile(data, "back.png"))


@dp.message(F.text)
async def echo(message: Message) -> None:
    await message.answer(message.text)


asyncio.run(dp.start_polling(bot, polling_timeout=1))
