"""The hello bot: the workshop's first bot, done right.

Run it with ``python examples/hello_bot.py`` against whatever ``TELEGRAM_API_URL`` and
``TELEGRAM_BOT_TOKEN`` say (``telewire demo`` runs it against the built-in emulator).

* "hello", in any letter case, gets "Hey there!" back with two buttons;
* anything else gets a hint to say hello: every message is answered;
* pressing a button answers the press and edits the message to show the choice.

Updates are confirmed only after they were answered, and the offset is kept in the
state directory, so a restart never loses or repeats a conversation.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from telewire import Context, InlineKeyboard, Router, TelewireError, run_polling
from telewire.paths import state_dir

router = Router("hello")

GREETING = "Hey there! 👋 Nice to meet you. How do you like telewire so far?"
CHOICES = {"good": "👍 Great", "more": "🤔 Tell me more"}
FOLLOW_UPS = {
    "good": "Glad you like it! You chose: 👍 Great",
    "more": "telewire tells, hears and asks: try `telewire send`. You chose: 🤔 Tell me more",
}


def choices() -> InlineKeyboard:
    keyboard = InlineKeyboard()
    for key, label in CHOICES.items():
        keyboard.button(label, f"hello:{key}")
    return keyboard


@router.command("start", "help")
async def start(ctx: Context) -> None:
    await ctx.reply("Hi! I'm the hello bot. Say hello to me 🙂")


@router.text("hello", ignore_case=True)
async def hello(ctx: Context) -> None:
    await ctx.reply(GREETING, reply_markup=choices().markup())


@router.message()
async def anything_else(ctx: Context) -> None:
    await ctx.reply("I only know one word so far. Try saying hello 🙂")


@router.callback(prefix="hello:")
async def chosen(ctx: Context) -> None:
    key = (ctx.callback_data or "").removeprefix("hello:")
    if key not in FOLLOW_UPS:
        await ctx.answer("That button is from an older version of me.")
        return
    await ctx.answer("Thanks!")
    await ctx.edit(FOLLOW_UPS[key])


def default_offsets(token_bot_id: str) -> Path:
    return state_dir() / f"hello_bot-{token_bot_id}.offset"


def main() -> None:
    import os

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        sys.exit(
            "Set TELEGRAM_BOT_TOKEN (and TELEGRAM_API_URL for the emulator), "
            "or run `telewire demo` to try the bot without a token."
        )
    offsets = os.environ.get("HELLO_BOT_OFFSETS") or default_offsets(token.split(":", 1)[0])
    print("hello bot running; press Ctrl-C to stop", flush=True)
    try:
        run_polling(router, offsets=offsets)
    except TelewireError as exc:
        sys.exit(f"hello bot: {exc}")


if __name__ == "__main__":
    main()
