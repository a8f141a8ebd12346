"""telewire: a WebhookApp under uvicorn with one message handler.

    python telewire_webhook.py PORT [inbox|memory|fsync|echo|reply] [INBOX_FILE]

``inbox`` (the default mode) keeps every update durable before the 200 and only counts;
``memory`` opts out of the inbox; ``fsync`` commits with fsync; ``echo`` replies to each
update through the Bot API at $API_URL; ``reply`` puts that reply in the 200 body
(``reply_in_response=True``).
"""

import os
import sys
import tempfile
from pathlib import Path

import uvicorn

from telewire import AsyncBot, Context, Router, WebhookApp

port = int(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else "inbox"
inbox = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(tempfile.mkdtemp()) / "inbox.db"
router = Router()
handled = 0


@router.message()
async def handle(ctx: Context) -> None:
    global handled
    handled += 1
    if mode in ("echo", "reply"):
        await ctx.reply(ctx.text or "")


app = WebhookApp(
    router,
    bot=AsyncBot("1234567:" + "A" * 35, base_url=os.environ.get("API_URL", "http://127.0.0.1:9")),
    secret_token="bench",
    inbox=False if mode == "memory" else inbox,
    fsync=mode == "fsync",
    reply_in_response=mode == "reply",
)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", access_log=False)
