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
    add_network_arguments(parser)
    if chat:
        parser.add_argument(
            "--chat", help="chat id or @channel (default: TELEGRAM_CHAT_ID, then setup)"
        )


def add_network_arguments(parser: argparse.ArgumentParser) -> None:
    """``--proxy``, ``--ca-bundle``, ``--test-env``: how the network reaches the server."""
    parser.add_argument(
        "--proxy",
        metavar="URL",
        help="proxy for every request: http://, https://, socks5:// or socks5h://, "
        "optionally with user:password@ (default: TELEGRAM_PROXY, then setup, then "
        "HTTPS_PROXY/ALL_PROXY)",
    )
    parser.add_argument(
        "--ca-bundle",
        metavar="PATH",
        help="trust the CA certificates in this PEM file (default: TELEGRAM_CA_BUNDLE, then setup)",
    )
    parser.add_argument(
        "--test-env",
        action="store_true",
        help="use Telegram's test environment (/bot<token>/test/<method>)",
    )


def settings_of(args: argparse.Namespace, *, need_chat: bool = True) -> Any:
    from telewire import settings

    found = settings.resolve(
        token=args.token,
        chat=getattr(args, "chat", None),
        api_url=args.api_url,
        proxy=getattr(args, "proxy", None),
        ca_bundle=getattr(args, "ca_bundle", None),
    )
    found.test_environment = bool(getattr(args, "test_env", False))
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

    try:  # builds no connection yet: a ValueError here is bad input (a URL, a token, a proxy)
        return BlockingClient(
            found.token,
            **found.client_options(),
            **options,
        )
    except InvalidToken:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from None
