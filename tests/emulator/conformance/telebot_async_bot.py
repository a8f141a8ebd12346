"""pyTelegramBotAPI's async client: it polls with GET and puts getUpdates' offset in a form body."""

import asyncio
import os

from telebot import asyncio_helper, types
from telebot.async_telebot import AsyncTeleBot

URL, TOKEN = os.environ["TELEGRAM_API_URL"], os.environ["TELEGRAM_BOT_TOKEN"]
asyncio_helper.API_URL = URL + "/bot{0}/{1}"
bot = AsyncTeleBot(TOKEN)


@bot.message_handler(func=lambda message: True)
async def echo(message: types.Message) -> None:
    await bot.send_message(message.chat.id, f"echo: {message.text}")


asyncio.run(bot.polling(timeout=1, request_timeout=10))
