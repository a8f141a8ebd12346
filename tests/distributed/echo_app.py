"""The bot the distributed tests run in worker processes: echoes every text."""

from __future__ import annotations

from telewire import Router
from telewire.routing.context import Context

router = Router()


@router.message()
async def echo(ctx: Context) -> None:
    await ctx.reply(f"echo {ctx.text}")
