"""``telewire demo``: the hello bot, against the built-in emulator unless a token is given.

* no token: starts the emulator and the bot together and prints the chat page to open;
* ``--script``: plays a user against them and prints the conversation, then exits;
* ``--token`` or ``TELEGRAM_BOT_TOKEN``: runs the same bot against Telegram.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from telewire.cli.arguments import port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--token", help="run against Telegram with this token (default: TELEGRAM_BOT_TOKEN)"
    )
    parser.add_argument(
        "--script",
        action="store_true",
        help="play a user against the emulator, print the transcript, exit",
    )
    parser.add_argument(
        "--port",
        type=port,
        default=8081,
        help="emulator port (default 8081, or a free one if taken)",
    )


def run(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get("TELEGRAM_BOT_TOKEN")
    if token and not args.script:
        return _against_telegram(token)
    from telewire.emulator import Emulator

    try:
        emulator = Emulator(port=args.port).in_thread()
    except OSError:
        emulator = Emulator(port=0).in_thread()
    try:
        if args.script:
            return _scripted(emulator)
        return _interactive(emulator)
    finally:
        emulator.close()


def _against_telegram(token: str) -> int:
    from telewire.apps.hello_bot import default_offsets, router
    from telewire.core.token import Token
    from telewire.updates.polling import run_polling

    valid = Token(token)
    print(
        f"hello bot running as {valid.masked} against "
        f"{os.environ.get('TELEGRAM_API_URL') or 'Telegram'}; "
        "write 'hello' to your bot. Ctrl-C stops.",
        flush=True,
    )
    run_polling(router, token=valid, offsets=default_offsets(str(valid.bot_id)))
    return 0


def _interactive(emulator: Any) -> int:
    from telewire.apps.hello_bot import router
    from telewire.updates.polling import run_polling

    print("telewire demo: the hello bot is running against the built-in Telegram emulator.")
    print(f"  Open the chat page:  {emulator.page_url}")
    print(f"  Bot API base URL:    {emulator.base_url}")
    print(f"  Bot token:           {emulator.token}")
    print("Say hello to the bot on the page. Ctrl-C stops.", flush=True)
    run_polling(router, token=emulator.token, base_url=emulator.base_url)
    return 0


def _scripted(emulator: Any) -> int:
    from telewire.apps.hello_bot import router
    from telewire.testing.bot_thread import BotThread
    from telewire.testing.handle import EmulatorHandle

    bot = BotThread(router, emulator.token, emulator.base_url).start()
    handle = EmulatorHandle(emulator.base_url, emulator.token)
    user = handle.user("Ada", id=4242, username="ada")
    lines: list[str] = []

    def show(who: str, text: str) -> None:
        line = f"{who:>5}: {text}"
        lines.append(line)
        print(line, flush=True)

    try:
        print(f"telewire demo --script: a user talks to the hello bot on {emulator.base_url}\n")
        show("Ada", "hello")
        handle.send(user, "hello")
        greeting = handle.expect_reply(user.id, timeout=10)
        buttons = [
            b.text
            for row in (greeting.reply_markup.inline_keyboard if greeting.reply_markup else [])
            for b in row
        ]
        show("bot", f"{greeting.text}  " + " ".join(f"[{b}]" for b in buttons))
        show("Ada", "what can you do?")
        handle.send(user, "what can you do?")
        hint = handle.expect_reply(user.id, timeout=10)
        show("bot", hint.text or "")
        show("Ada", f"(presses [{buttons[0]}])")
        answer = handle.press(user, greeting, button=buttons[0], timeout=10)
        if answer is None:
            raise AssertionError("the bot did not answer the button press")
        show("bot", f"(answers the press: {answer['text']!r})")
        edited = handle.wait_for(
            user.id,
            lambda m: m.message_id == greeting.message_id and m.edit_date is not None,
            timeout=10,
            what="the greeting to be edited",
        )
        show("bot", f"(edits its greeting) {edited.text}")
        print(
            "\nThe bot answered every message and the button."
            " Next: `telewire demo`, then open the page."
        )
        return 0
    except AssertionError as exc:
        print(f"\ndemo failed: {exc}")
        return 1
    finally:
        handle.close()
        bot.stop()
        if bot.error is not None:
            print(f"the bot stopped with an error: {bot.error}")
