"""One of several processes serving one bot on one shared storage, fed its share of the
bot's updates on stdin (one JSON update a line), as behind a load balancer. Prints
``handled <update_id>`` for each. argv: storage URL, process name."""

import asyncio
import sys

import msgspec

from telewire import AsyncBot, Context, Remember, Router
from telewire.api._generated.types import Update
from telewire.core import typed
from telewire.dialogs import Dialog, Dialogs
from telewire.updates.dispatcher import Dispatcher

storage, name = sys.argv[1], sys.argv[2]


class Counter(msgspec.Struct):
    count: int = 0
    seen: list[str] = []


router = Router()
remember: Remember[Counter, None] = Remember(storage, user=Counter)
router.use(remember)
dialogs = Dialogs(router, storage)


@dialogs.dialog(command="order")
async def order(d: Dialog) -> None:
    item = await d.ask("What item?")
    count = await d.ask("How many?", parse=int)
    if await d.confirm(f"{count} x {item}?"):
        await d.reply(f"Ordered {count} x {item}.")


@router.message()
async def count(ctx: Context) -> None:
    counter = remember.user(ctx)
    counter.count += 1
    counter.seen.append(ctx.text or "")
    await asyncio.sleep(0.005)  # hold what was read while other processes write
    if ctx.text == "last":
        await ctx.reply(f"done by {name}")


async def main() -> None:
    bot = AsyncBot()
    dispatcher = Dispatcher(router, bot, on_finished=lambda i: print(f"handled {i}", flush=True))
    await dispatcher.start()
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        dispatcher.submit(typed.decode(line.encode(), Update))
    await dispatcher.drain()
    await dispatcher.close()
    await dialogs.close()
    await remember.close()
    await bot.close()


asyncio.run(main())
