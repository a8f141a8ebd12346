"""pyTelegramBotAPI, synchronous TeleBot (its default thread pool)."""

import os

import telebot
from telebot import apihelper

apihelper.API_URL = os.environ["API_URL"] + "/bot{0}/{1}"
bot = telebot.TeleBot(os.environ["BOT_TOKEN"])


@bot.message_handler(func=lambda message: True)
def echo(message: telebot.types.Message) -> None:
    bot.send_message(message.chat.id, message.text)


bot.infinity_polling(timeout=10, long_polling_timeout=10)
