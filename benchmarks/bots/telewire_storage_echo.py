"""telewire echo with one storage read and one write per update (a per-chat counter).

argv: offsets file, storage URL (sqlite://…, redis://…). The same router, ordering and
acknowledged offsets as telewire_echo.py, plus what a bot with user data does per update.
"""

import os
import sys

from telewire import Context, Router, open_storage, run_polling

storage = open_storage(sys.argv[2])
router = Router()


@router.message()
async def echo(ctx: Context) -> None:
    key = f"seen:{ctx.chat_id}"
    item = await storage.get(key)
    await storage.set(key, b"%d" % (int(item.value) + 1 if item else 1))
    await ctx.reply(ctx.text or "")


run_polling(
    router, token=os.environ["BOT_TOKEN"], base_url=os.environ["API_URL"], offsets=sys.argv[1]
)
