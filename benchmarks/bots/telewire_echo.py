"""telewire: the router, per-chat ordering and acknowledged offsets (kept in a file), all on."""

import os
import sys

import gcwatch  # noqa: F401  (GC pauses, when benchmarks/latency.py asks)

from telewire import Context, Router, run_polling

router = Router()


@router.message()
async def echo(ctx: Context) -> None:
    await ctx.reply(ctx.text or "")


run_polling(
    router, token=os.environ["BOT_TOKEN"], base_url=os.environ["API_URL"], offsets=sys.argv[1]
)
