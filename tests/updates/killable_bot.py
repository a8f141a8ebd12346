"""A bot for the crash tests: acknowledges every message, slowly enough to be caught mid-work.

Runs as users run bots: ``run_polling`` with an offsets file (argv[1]) and signal handling.
"""

import asyncio
import sys

from telewire import Context, Router, run_polling

router = Router()


@router.message()
async def acknowledge(ctx: Context) -> None:
    await asyncio.sleep(0.002)
    await ctx.reply(f"ack {ctx.text}")


print("polling", flush=True)
run_polling(router, offsets=sys.argv[1])
