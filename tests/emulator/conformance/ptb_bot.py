"""An ordinary python-telegram-bot 22 bot; only its server address points at the emulator."""

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

URL, TOKEN = os.environ["TELEGRAM_API_URL"], os.environ["TELEGRAM_BOT_TOKEN"]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="pick")]])
    await update.message.reply_text("Choose", reply_markup=markup)


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer("picked")
    await update.callback_query.edit_message_text("picked!")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    file = await update.message.photo[-1].get_file()
    data = await file.download_as_bytearray()
    await update.message.reply_text(f"got {len(data)} bytes")
    await update.message.reply_photo(bytes(data))


app = (
    Application.builder()
    .token(TOKEN)
    .base_url(f"{URL}/bot")
    .base_file_url(f"{URL}/file/bot")
    .build()
)
app.add_handler(CommandHandler("menu", menu))
app.add_handler(CallbackQueryHandler(pressed))
app.add_handler(MessageHandler(filters.PHOTO, photo))
app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
app.run_polling(poll_interval=0.05, timeout=1)
