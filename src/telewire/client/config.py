"""Where a client finds its token and server: arguments first, then the environment."""

from __future__ import annotations

import os

from telewire.core.token import EXAMPLE, Token

TELEGRAM_URL = "https://api.telegram.org"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"  # noqa: S105 (a variable name, not a secret)
URL_ENV = "TELEGRAM_API_URL"


class MissingToken(ValueError):
    """No token was given and TELEGRAM_BOT_TOKEN is not set."""


def resolve_token(token: str | None) -> Token:
    value = token if token is not None else os.environ.get(TOKEN_ENV)
    if value is None or (token is None and not value):
        raise MissingToken(
            f"no bot token: pass token= or set TELEGRAM_BOT_TOKEN (e.g. {EXAMPLE}). "
            "No token yet? `telewire demo` runs against the built-in emulator."
        )
    return Token(value)


def resolve_base_url(base_url: str | None) -> str:
    return (base_url or os.environ.get(URL_ENV) or TELEGRAM_URL).rstrip("/")


def long_poll_timeout(method: str, params: dict[str, object], read_timeout: float) -> float:
    """getUpdates waits on the server for ``timeout`` seconds; allow for that."""
    if method == "getUpdates":
        wait = params.get("timeout")
        if isinstance(wait, (int, float)):
            return read_timeout + float(wait)
    return read_timeout
