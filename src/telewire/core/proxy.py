"""A proxy, named by URL: which kind, where, and the credentials that are never shown.

``http://`` proxies get ``CONNECT`` for https servers and absolute-form requests for http
ones; ``https://`` proxies the same over TLS to the proxy itself; ``socks5://`` resolves
the server's name here, ``socks5h://`` lets the proxy resolve it. ``user:password@``
(percent-encoded) is sent as Basic credentials to HTTP proxies and as RFC 1929
username/password to SOCKS5 ones. Like the bot token, the credentials appear in no
message, repr or log line: everything user-facing uses :attr:`Proxy.masked`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

SCHEMES = ("http", "https", "socks5", "socks5h")
_HOST = re.compile(r"[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?", re.ASCII)
_DEFAULT_PORTS = {"http": 8080, "https": 443, "socks5": 1080, "socks5h": 1080}
FORM = "http://, https://, socks5:// or socks5h:// then [user:password@]host[:port]"


class InvalidProxy(ValueError):
    """The proxy URL cannot be used (its text is not repeated: it may hold a password)."""


class Proxy:
    """A parsed proxy URL. ``str()`` and ``repr()`` hide the credentials."""

    __slots__ = ("host", "password", "port", "scheme", "username")

    def __init__(
        self,
        scheme: str,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self.username, self.password = username, password

    @classmethod
    def parse(cls, url: str, *, source: str = "proxy") -> Proxy:
        """``url`` as a proxy; :class:`InvalidProxy` naming ``source`` and what is wrong.

        A bare ``host:port`` means ``http://host:port``, as curl and the standard
        variables take it.
        """
        text = url.strip()
        if "://" not in text:
            text = "http://" + text
        scheme, _, rest = text.partition("://")
        scheme = scheme.lower()
        if scheme not in SCHEMES:
            shown = scheme if scheme.isascii() and scheme.isalnum() and len(scheme) < 16 else "?"
            raise InvalidProxy(f"invalid {source}: scheme {shown!r} is not supported; use {FORM}")
        # The last "@" ends the credentials, so a password with an unencoded "/" or "?"
        # still splits where its owner meant (and is never taken for a host and shown).
        credentials, at, location = rest.rpartition("@")
        location = location.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        username = password = None
        if at:
            user, colon, secret = credentials.partition(":")
            username, password = unquote(user), unquote(secret) if colon else ""
        host, port = _host_port(location, scheme, source)
        return cls(scheme, host, port, username, password)

    @property
    def has_credentials(self) -> bool:
        return self.username is not None

    @property
    def is_socks(self) -> bool:
        return self.scheme.startswith("socks")

    @property
    def address(self) -> str:
        """``host:port`` of the proxy, for messages."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def masked(self) -> str:
        """The URL with any credentials replaced by ``***``: safe to print."""
        return f"{self.scheme}://{'***@' if self.has_credentials else ''}{self.address}"

    def basic_authorization(self) -> bytes | None:
        """The ``Proxy-Authorization`` header value for HTTP proxies (None without one)."""
        if self.username is None:
            return None
        from base64 import b64encode

        pair = f"{self.username}:{self.password or ''}".encode()
        return b"Basic " + b64encode(pair)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Proxy) and all(
            getattr(self, name) == getattr(other, name) for name in self.__slots__
        )

    def __hash__(self) -> int:
        return hash((self.scheme, self.host, self.port, self.username))

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Proxy({self.masked!r})"


def _host_port(location: str, scheme: str, source: str) -> tuple[str, int]:
    if location.startswith("["):  # [IPv6]:port
        host, bracket, tail = location[1:].partition("]")
        if not bracket or (tail and not tail.startswith(":")):
            raise InvalidProxy(f"invalid {source}: a bracketed IPv6 address is not closed")
        port_text = tail[1:]
    else:
        host, _, port_text = (
            location.partition(":")
            if location.count(":") <= 1
            else (
                location,
                "",
                "",
            )
        )
    if not host:
        raise InvalidProxy(f"invalid {source}: no host; use {FORM}")
    if not _HOST.fullmatch(host):
        raise InvalidProxy(
            f"invalid {source}: the host is not a name or an IP address "
            "(percent-encode any '@', ':' or '/' in the username and password)"
        )
    if not port_text:
        return host, _DEFAULT_PORTS[scheme]
    if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
        raise InvalidProxy(f"invalid {source}: the port is not a number from 1 to 65535")
    return host, int(port_text)
