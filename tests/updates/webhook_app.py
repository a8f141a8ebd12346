"""A webhook bot for the crash tests, served by uvicorn as users serve it.

    python webhook_app.py PORT INBOX BASE_URL TOKEN SECRET DELAY

Every message is answered with ``ans <text>`` after DELAY seconds.
"""

import asyncio
import sys

import uvicorn

from telewire import AsyncBot, Context, Router, WebhookApp

port, inbox, base_url, token, secret, delay = sys.argv[1:7]
router = Router()


@router.message()
async def answer(ctx: Context) -> None:
    await asyncio.sleep(float(delay))
    await ctx.reply(f"ans {ctx.text}")


app = WebhookApp(router, bot=AsyncBot(token, base_url=base_url), secret_token=secret, inbox=inbox)
uvicorn.run(app, host="127.0.0.1", port=int(port), log_level="warning", lifespan="on")
