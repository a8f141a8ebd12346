"""python-telegram-bot 22: Application with a text handler; argv[1] == "concurrent" enables
concurrent_updates."""

import os
import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)


builder = (
    Application.builder().token(os.environ["BOT_TOKEN"]).base_url(os.environ["API_URL"] + "/bot")
)
if sys.argv[1:] == ["concurrent"]:
    builder = builder.concurrent_updates(True)
app = builder.build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling(poll_interval=0.0, timeout=10)
