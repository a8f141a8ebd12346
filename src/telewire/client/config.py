"""Where a client finds its token, server and proxy: arguments first, then the environment.

(:mod:`telewire.settings` adds the saved file for the CLI and the outbox, and passes what
it found here as arguments.)
"""

from __future__ import annotations

import os
from typing import Any

from telewire.core.token import EXAMPLE, Token

TELEGRAM_URL = "https://api.telegram.org"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"  # noqa: S105 (a variable name, not a secret)
URL_ENV = "TELEGRAM_API_URL"
PROXY_ENV = "TELEGRAM_PROXY"
CA_ENV = "TELEGRAM_CA_BUNDLE"


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


def resolve_proxy(proxy: str | None) -> str | None:
    """The proxy named for this client: ``proxy=``, else ``TELEGRAM_PROXY``.

    Either applies to every host. None leaves the choice to the standard variables
    (``HTTPS_PROXY``... with ``NO_PROXY``), made by the transport.
    """
    return proxy or os.environ.get(PROXY_ENV) or None


def resolve_tls(tls: Any) -> Any:
    """The TLS option: ``tls=`` (a context or CA bundle path), else ``TELEGRAM_CA_BUNDLE``."""
    return tls if tls is not None else (os.environ.get(CA_ENV) or None)


def long_poll_timeout(method: str, params: dict[str, object], read_timeout: float) -> float:
    """getUpdates waits on the server for ``timeout`` seconds; allow for that."""
    if method == "getUpdates":
        wait = params.get("timeout")
        if isinstance(wait, (int, float)):
            return read_timeout + float(wait)
    return read_timeout
