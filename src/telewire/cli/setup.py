"""``telewire setup``: check the token, find your chat id, save both (mode 0600).

Replaces the workshop's detour through a third-party "id bot": send any message to your
own bot and telewire reads the chat id from it.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from telewire.cli.arguments import positive_seconds
from telewire.cli.connect import UsageError, add_network_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from telewire.settings import config_file

    parser.epilog = f"Saves to {config_file()} (readable only by you)."
    parser.add_argument("--token", help="the bot token from @BotFather (asked for when missing)")
    parser.add_argument("--api-url", help="Bot API server to use (e.g. an emulator's URL)")
    parser.add_argument("--chat", help="use this chat id instead of waiting for a message")
    add_network_arguments(parser)
    parser.add_argument(
        "--wait", type=positive_seconds, default=300, help="seconds to wait for your message (300)"
    )


def _ask_token() -> str:
    if sys.stdin is None or not sys.stdin.isatty():
        line = sys.stdin.readline() if sys.stdin else ""
        if not line.strip():
            raise UsageError("no token: pass --token or type it on standard input")
        return line.strip()
    import getpass

    return getpass.getpass("Bot token from @BotFather (input hidden): ").strip()


def run(args: argparse.Namespace) -> int:
    import os

    from telewire import settings
    from telewire.client.blocking import BlockingClient
    from telewire.core.errors import Unauthorized
    from telewire.core.token import Token

    try:
        token = Token(args.token or os.environ.get("TELEGRAM_BOT_TOKEN") or _ask_token())
    except UsageError as exc:
        print(f"telewire setup: {exc}", file=sys.stderr)
        return 2
    api_url = args.api_url or os.environ.get("TELEGRAM_API_URL")
    network = settings.Settings(
        api_url=api_url,
        proxy=args.proxy or os.environ.get("TELEGRAM_PROXY"),
        ca_bundle=args.ca_bundle or os.environ.get("TELEGRAM_CA_BUNDLE"),
    )
    network.test_environment = args.test_env
    try:
        client = BlockingClient(token, timeout=40, **network.client_options())
    except ValueError as exc:  # a malformed proxy URL or CA bundle: bad input
        raise UsageError(str(exc)) from None
    with client:
        try:
            me = client.request("getMe", {})
        except Unauthorized:
            print(
                "telewire setup: Telegram rejected this token; copy it again from @BotFather "
                "(/mybots -> API Token)",
                file=sys.stderr,
            )
            return 1
        print(f"Token OK: this is @{me.get('username')} ({me.get('first_name')}).")
        chat = args.chat or _wait_for_message(client, me, args.wait)
        if chat is None:
            print(
                f"telewire setup: no message arrived within {args.wait:g} s; run setup again "
                f"and write to @{me.get('username')}",
                file=sys.stderr,
            )
            return 1
    network.token, network.chat_id = str(token), str(chat)
    path = network.save()
    print(
        f'Saved to {path} (readable only by you). `telewire send "hello"` now reaches chat {chat}.'
    )
    return 0


def _wait_for_message(client: Any, me: dict[str, Any], wait: float) -> int | None:
    print(f"Now open Telegram and send any message to @{me.get('username')}...", flush=True)
    deadline = time.monotonic() + wait
    offset = None
    while time.monotonic() < deadline:
        poll = int(max(0, min(25, deadline - time.monotonic())))
        for update in client.request("getUpdates", {"offset": offset, "timeout": poll}):
            offset = update["update_id"] + 1
            message = update.get("message")
            if message:
                client.request("getUpdates", {"offset": offset, "timeout": 0, "limit": 1})
                chat = message["chat"]
                who = chat.get("first_name") or chat.get("title") or ""
                print(f"Got your message, {who}: your chat id is {chat['id']}.")
                return int(chat["id"])
    return None
