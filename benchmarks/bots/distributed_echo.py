"""The echo router for `telewire serve` (benchmarks/distributed.py): no run call, just the
router, exactly as bots/telewire_echo.py defines it."""

from telewire import Context, Router

router = Router()


@router.message()
async def echo(ctx: Context) -> None:
    await ctx.reply(ctx.text or "")
