"""aiogram 3: its webhook handler (SimpleRequestHandler on aiohttp), one message handler.

    python aiogram_webhook.py PORT [count|echo|reply]

``count`` only counts; ``echo`` answers each message through the Bot API at $API_URL;
``reply`` returns the answer, which aiogram puts in the 200 body.
"""

import os
import sys
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

port = int(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else "count"
dp = Dispatcher()
handled = 0


@dp.message()
async def handle(message: Message) -> Any:
    global handled
    handled += 1
    if mode == "echo":
        await message.answer(message.text or "")
    if mode == "reply":
        return SendMessage(chat_id=message.chat.id, text=message.text or "")
    return None


session = AiohttpSession(
    api=TelegramAPIServer.from_base(os.environ.get("API_URL", "http://127.0.0.1:9"))
)
bot = Bot("1234567:" + "A" * 35, session=session)
app = web.Application()
SimpleRequestHandler(
    dispatcher=dp, bot=bot, secret_token="bench", handle_in_background=mode != "reply"
).register(app, path="/")
setup_application(app, dp, bot=bot)
web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
