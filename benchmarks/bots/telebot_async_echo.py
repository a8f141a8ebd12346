"""pyTelegramBotAPI, AsyncTeleBot."""

import asyncio
import os

from telebot import asyncio_helper
from telebot.async_telebot import AsyncTeleBot

asyncio_helper.API_URL = os.environ["API_URL"] + "/bot{0}/{1}"
bot = AsyncTeleBot(os.environ["BOT_TOKEN"])


@bot.message_handler(func=lambda message: True)
async def echo(message) -> None:  # type: ignore[no-untyped-def]
    await bot.send_message(message.chat.id, message.text)


asyncio.run(bot.polling(timeout=10, request_timeout=20))
