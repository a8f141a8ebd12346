"""Where the API server is, and which proxy reaches it (the standard variables, decided once).

``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` (any case) name the proxy; ``NO_PROXY``
lists hosts (or domain suffixes, or ``*``) to reach directly. Loopback is always direct.
"""

from __future__ import annotations

import os
from urllib.parse import SplitResult, urlsplit

_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def server_url(base_url: str) -> tuple[SplitResult, str]:
    """``base_url`` split, and its host; ValueError (one clear line) unless http(s)://host."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"invalid API base URL {base_url!r}: expected http(s)://host[:port]")
    return parts, parts.hostname


def _env(name: str) -> str:
    return os.environ.get(name.lower()) or os.environ.get(name.upper()) or ""


def proxy_for(url: str) -> str | None:
    """The proxy URL to use for ``url``, or None to connect directly."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK or host.startswith("127."):
        return None
    for entry in _env("no_proxy").split(","):
        entry = entry.strip().lower().lstrip(".")
        if entry == "*" or (entry and (host == entry or host.endswith("." + entry))):
            return None
    proxy = _env(f"{parts.scheme}_proxy") or _env("all_proxy")
    if not proxy:
        return None
    return proxy if "://" in proxy else f"http://{proxy}"
