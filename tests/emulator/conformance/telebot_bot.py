"""An ordinary pyTelegramBotAPI bot; only its server address points at the emulator."""

import os

import telebot
from telebot import apihelper, types

URL, TOKEN = os.environ["TELEGRAM_API_URL"], os.environ["TELEGRAM_BOT_TOKEN"]
apihelper.API_URL = URL + "/bot{0}/{1}"
apihelper.FILE_URL = URL + "/file/bot{0}/{1}"
bot = telebot.TeleBot(TOKEN)


@bot.message_handler(commands=["menu"])
def menu(message: types.Message) -> None:
    markup = types.InlineKeyboardMarkup().add(types.InlineKeyboardButton("A", callback_data="pick"))
    bot.send_message(message.chat.id, "Choose", reply_markup=markup)


@bot.callback_query_handler(func=lambda query: query.data == "pick")
def pressed(query: types.CallbackQuery) -> None:
    bot.answer_callback_query(query.id, "picked")
    bot.edit_message_text("picked!", query.message.chat.id, query.message.message_id)


@bot.message_handler(content_types=["photo"])
def photo(message: types.Message) -> None:
    info = bot.get_file(message.photo[-1].file_id)
    data = bot.download_file(info.file_path)
    bot.send_message(message.chat.id, f"got {len(data)} bytes")
    bot.send_photo(message.chat.id, data)


@bot.message_handler(func=lambda message: True)
def echo(message: types.Message) -> None:
    bot.send_message(message.chat.id, message.text)


bot.infinity_polling(timeout=1, long_polling_timeout=1)
