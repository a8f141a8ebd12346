"""aiogram 3: its webhook handler (SimpleRequestHandler on aiohttp), one message handler.

    python aiogram_webhook.py PORT [reply]

``reply``: the handler returns its answer, which aiogram puts in the 200 body.
"""

import sys
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

port = int(sys.argv[1])
reply = len(sys.argv) > 2 and sys.argv[2] == "reply"
dp = Dispatcher()
handled = 0


@dp.message()
async def count(message: Message) -> Any:
    global handled
    handled += 1
    if reply:
        return SendMessage(chat_id=message.chat.id, text="ok")
    return None


bot = Bot("1234567:" + "A" * 35)
app = web.Application()
SimpleRequestHandler(
    dispatcher=dp, bot=bot, secret_token="bench", handle_in_background=not reply
).register(app, path="/")
setup_application(app, dp, bot=bot)
web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
