"""Where the API server is, and which proxy reaches it (decided once per client).

An explicit proxy (``proxy=``, ``--proxy``, ``TELEGRAM_PROXY`` or the saved settings)
carries every request, to any host, loopback included: the user named it for this client.
Without one, the standard variables apply as curl and requests read them:
``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` (any case) name the proxy, ``NO_PROXY``
lists hosts (or domain suffixes, or ``*``) to reach directly, and loopback is direct.
"""

from __future__ import annotations

import os
from urllib.parse import SplitResult, urlsplit

from telewire.core.errors import ProxyError
from telewire.core.proxy import Proxy

_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def server_url(base_url: str) -> tuple[SplitResult, str]:
    """``base_url`` split, and its host; ValueError (one clear line) unless http(s)://host."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"invalid API base URL {base_url!r}: expected http(s)://host[:port]")
    return parts, parts.hostname


def _env(name: str) -> tuple[str, str]:
    for variable in (name.lower(), name.upper()):
        if os.environ.get(variable):
            return variable, os.environ[variable]
    return "", ""


def proxy_for(url: str, explicit: str | Proxy | None = None) -> Proxy | None:
    """The proxy to use for ``url``, or None to connect directly.

    ``explicit`` wins for every host; otherwise the standard variables, minus ``NO_PROXY``
    and loopback. A malformed URL raises :class:`~telewire.core.proxy.InvalidProxy`
    naming the variable it came from, never its text (it may hold a password).
    """
    if isinstance(explicit, Proxy):
        return explicit
    if explicit:
        return Proxy.parse(explicit)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK or host.startswith("127."):
        return None
    for entry in _env("no_proxy")[1].split(","):
        entry = entry.strip().lower().lstrip(".")
        if entry == "*" or (entry and (host == entry or host.endswith("." + entry))):
            return None
    variable, value = _env(f"{parts.scheme}_proxy")
    if not value:
        variable, value = _env("all_proxy")
    return Proxy.parse(value, source=variable) if value else None


def proxy_refused(proxy: Proxy, what: str) -> ProxyError:
    """A 407 to a forwarded (absolute-form) request: the proxy wants other credentials."""
    refused = (
        "refused the username and password"
        if proxy.has_credentials
        else "requires a username and password (give them as user:password@ in the proxy URL)"
    )
    return ProxyError(f"{what}: the proxy at {proxy.address} {refused} (HTTP 407)")
