"""What the telling and asking commands share: settings to a client, with clear errors."""

from __future__ import annotations

import argparse
from typing import Any


class UsageError(ValueError):
    """The command line cannot work as given (exit code 2)."""


def add_connection_arguments(parser: argparse.ArgumentParser, *, chat: bool = True) -> None:
    parser.add_argument(
        "--token", help="bot token (default: TELEGRAM_BOT_TOKEN, then `telewire setup`)"
    )
    parser.add_argument(
        "--api-url", help="Bot API server (default: TELEGRAM_API_URL, then Telegram)"
    )
    if chat:
        parser.add_argument(
            "--chat", help="chat id or @channel (default: TELEGRAM_CHAT_ID, then setup)"
        )


def settings_of(args: argparse.Namespace, *, need_chat: bool = True) -> Any:
    from telewire import settings

    found = settings.resolve(
        token=args.token, chat=getattr(args, "chat", None), api_url=args.api_url
    )
    if not found.token:
        raise UsageError(
            "no bot token: run `telewire setup`, set TELEGRAM_BOT_TOKEN, or pass --token"
        )
    if need_chat and not found.chat_id:
        raise UsageError(
            "no chat to send to: run `telewire setup`, set TELEGRAM_CHAT_ID, or pass --chat"
        )
    return found


def client_of(found: Any, **options: Any) -> Any:
    from telewire.client.blocking import BlockingClient
    from telewire.core.token import InvalidToken

    try:  # builds no connection yet: a ValueError here is bad input (a URL, a token)
        return BlockingClient(found.token, base_url=found.api_url, **options)
    except InvalidToken:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from None
