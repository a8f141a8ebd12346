"""The order bot: ``/order`` asks what, how many and where, then for a Yes/No.

Run it with ``python examples/order_dialog.py`` against whatever ``TELEGRAM_API_URL`` and
``TELEGRAM_BOT_TOKEN`` say. Dialogs are kept where ``TELEWIRE_STORAGE`` says (default: a
SQLite file in the state directory), so the bot can be stopped, killed or redeployed in
the middle of an order: the next answer carries on, and nothing is asked twice.
"""

from __future__ import annotations

from telewire import Context, Router, run_polling
from telewire.dialogs import Dialog, Dialogs, InvalidAnswer

router = Router("orders")
dialogs = Dialogs(router)
MENU = ["Tea", "Coffee", "Cake"]


def quantity(text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 20:
        raise InvalidAnswer("Please send a number from 1 to 20.")
    return int(text)


@dialogs.dialog(command="order", timeout=600)
async def order(d: Dialog) -> None:
    item = await d.choose("What would you like?", MENU, columns=3)
    count = await d.ask(f"How many? ({item})", parse=quantity)
    table = await d.ask("Which table?")
    if await d.confirm(f"{count} x {item} to table {table}?"):
        await d.reply(f"Ordered: {count} x {item} to table {table}.")
    else:
        await d.reply("Nothing ordered.")


@router.command("start", "help")
async def start(ctx: Context) -> None:
    await ctx.reply("Send /order to order; /cancel stops an order.")


if __name__ == "__main__":
    print("order bot running; press Ctrl-C to stop", flush=True)
    run_polling(router)
