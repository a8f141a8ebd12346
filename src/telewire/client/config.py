"""Where a client finds its token, server, proxy and CA bundle: one order everywhere.

An argument wins, then the environment (``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_API_URL``,
``TELEGRAM_PROXY``, ``TELEGRAM_CA_BUNDLE``), then what ``telewire setup`` saved
(:mod:`telewire.settings` reads them all). ``Bot()``,
``telewire.notify()``, ``telewire.ask()`` and every command resolve the same way, so a
program works wherever the shell does.
"""

from __future__ import annotations

from typing import Any

from telewire.core.token import EXAMPLE, Token

TELEGRAM_URL = "https://api.telegram.org"
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"  # noqa: S105 (a variable name, not a secret)
URL_ENV = "TELEGRAM_API_URL"
PROXY_ENV = "TELEGRAM_PROXY"
CA_ENV = "TELEGRAM_CA_BUNDLE"


class MissingToken(ValueError):
    """No token was given, TELEGRAM_BOT_TOKEN is not set, and none was saved."""


def resolve_token(token: str | None) -> Token:
    if token is not None:
        return Token(token)  # given, even empty: a malformed token is an error, not a lookup
    from telewire.settings import resolve

    value = resolve().token
    if not value:
        raise MissingToken(
            f"no bot token: pass token=, set TELEGRAM_BOT_TOKEN (e.g. {EXAMPLE}) or run "
            "`telewire setup`. No token yet? `telewire demo` runs against the built-in emulator."
        )
    return Token(value)


def resolve_base_url(base_url: str | None) -> str:
    if not base_url:
        from telewire.settings import resolve

        base_url = resolve().api_url
    return (base_url or TELEGRAM_URL).rstrip("/")


def resolve_proxy(proxy: str | None) -> str | None:
    """The proxy named for this client: ``proxy=``, else ``TELEGRAM_PROXY``, else saved.

    Any of these applies to every host. None leaves the choice to the standard variables
    (``HTTPS_PROXY``... with ``NO_PROXY``), made by the transport.
    """
    if proxy:
        return proxy
    from telewire.settings import resolve

    return resolve().proxy or None


def resolve_tls(tls: Any) -> Any:
    """``tls=`` (a context or CA bundle path), else ``TELEGRAM_CA_BUNDLE``, else saved."""
    if tls is not None:
        return tls
    from telewire.settings import resolve

    return resolve().ca_bundle or None


def long_poll_timeout(method: str, params: dict[str, object], read_timeout: float) -> float:
    """getUpdates waits on the server for ``timeout`` seconds; allow for that."""
    if method == "getUpdates":
        wait = params.get("timeout")
        if isinstance(wait, (int, float)):
            return read_timeout + float(wait)
    return read_timeout
