"""aiogram 3: a dispatcher with one message handler, long polling."""

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

dp = Dispatcher()


@dp.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["API_URL"]))
    await dp.start_polling(Bot(os.environ["BOT_TOKEN"], session=session), polling_timeout=10)


asyncio.run(main())
