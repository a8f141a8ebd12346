"""Opening a tunnel through a proxy, as bytes in and bytes out (no sockets here).

Both transports drive a :class:`Tunnel` the same way: write :meth:`Tunnel.data_to_send`,
feed what the proxy answers to :meth:`Tunnel.receive_data`, repeat until
:attr:`Tunnel.open`. Then the connection carries the bytes of the server behind the proxy
(TLS to it starts on top). Two conversations are spoken:

* HTTP ``CONNECT host:port`` with ``Proxy-Authorization: Basic`` when credentials are
  given; any 2xx opens the tunnel.
* SOCKS5 (RFC 1928): offer "no authentication" and, with credentials, RFC 1929
  username/password; then ``CONNECT`` to an IPv4/IPv6 address or (``socks5h``) a name.

Refusals that will not change on retry (bad credentials, a rule of the proxy) raise
:class:`ProxyError`; trouble past the proxy (the server unreachable, a gateway timeout)
raises :class:`NetworkError` with ``sent=False``, which the retry model may repeat.
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Generator

from telewire.core.errors import NetworkError, ProxyError
from telewire.core.proxy import Proxy

_HEAD = -1  # want: the bytes up to and including the blank line ending an HTTP head
_MAX_HEAD = 16 * 1024

# RFC 1928 reply codes; True when trying again later may work.
SOCKS_REPLIES: dict[int, tuple[str, bool]] = {
    1: ("general SOCKS server failure", True),
    2: ("connection not allowed by the proxy's rules", False),
    3: ("network unreachable", True),
    4: ("host unreachable", True),
    5: ("connection refused by the server", True),
    6: ("TTL expired", True),
    7: ("command not supported", False),
    8: ("address type not supported", False),
}

Steps = Generator[tuple[bytes, int], bytes, None]


class Tunnel:
    """The handshake with ``proxy`` that opens a byte stream to ``host:port``.

    ``host`` is sent as given: for ``socks5://`` the transport passes the address it
    resolved, for ``socks5h://`` and HTTP proxies the name. ``what`` names the request in
    errors. Bytes that arrive after the handshake are kept in :attr:`leftover`.
    """

    __slots__ = ("_buffer", "_outgoing", "_proxy", "_steps", "_want", "_what", "leftover", "open")

    def __init__(self, proxy: Proxy, host: str, port: int, *, what: str = "request") -> None:
        conversation = _socks5 if proxy.is_socks else _http_connect
        self._steps: Steps = conversation(proxy, host, port, what)
        self._buffer = b""
        self._what = what
        self._proxy = proxy
        self.open = False
        self.leftover = b""
        self._outgoing, self._want = next(self._steps)

    def data_to_send(self) -> bytes:
        """The bytes to write to the proxy now (empty when waiting for its answer)."""
        out, self._outgoing = self._outgoing, b""
        return out

    def receive_data(self, data: bytes) -> None:
        """Take bytes the proxy sent; raises :class:`ProxyError` or :class:`NetworkError`."""
        if self.open:
            self.leftover += data
            return
        self._buffer += data
        while not self.open:
            piece = self._take()
            if piece is None:
                return
            try:
                more, self._want = self._steps.send(piece)
            except StopIteration:
                self.open = True
                self.leftover, self._buffer = self._buffer, b""
                return
            self._outgoing += more

    def closed_early(self) -> str:
        """What to say when the proxy closed the connection before the tunnel opened."""
        if self.open:
            return f"the proxy at {self._proxy.address} sent bytes before the server did"
        return f"the proxy at {self._proxy.address} closed the connection during its handshake" + (
            " (wrong credentials?)" if self._proxy.has_credentials else ""
        )

    def _take(self) -> bytes | None:
        if self._want == _HEAD:
            start = self._buffer[:7]
            if not b"HTTP/1.".startswith(start):  # not HTTP at all (a SOCKS proxy, say)
                _status_line(start, self._proxy, self._what)
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HEAD:
                    raise ProxyError(
                        f"{self._what}: the proxy's answer to CONNECT is not HTTP (too long)"
                    )
                return None
            size = end + 4
        else:
            size = self._want
            if len(self._buffer) < size:
                return None
        piece, self._buffer = self._buffer[:size], self._buffer[size:]
        return piece


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _http_connect(proxy: Proxy, host: str, port: int, what: str) -> Steps:
    target = _authority(host, port)
    request = f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n".encode()
    authorization = proxy.basic_authorization()
    if authorization is not None:
        request += b"Proxy-Authorization: " + authorization + b"\r\n"
    head = yield request + b"\r\n", _HEAD
    status, reason = _status_line(head, proxy, what)
    if 200 <= status < 300:
        return
    said = f"HTTP {status}{f' {reason}' if reason else ''}"
    if status == 407:
        refused = (
            "refused the username and password"
            if proxy.has_credentials
            else ("requires a username and password (give them as user:password@ in the proxy URL)")
        )
        raise ProxyError(f"{what}: the proxy at {proxy.address} {refused} ({said})")
    if status in (502, 503, 504):
        raise NetworkError(
            f"{what}: the proxy at {proxy.address} could not reach {target} ({said})",
            method=what,
        )
    raise ProxyError(
        f"{what}: the proxy at {proxy.address} refused to connect to {target} ({said})"
    )


def _status_line(head: bytes, proxy: Proxy, what: str) -> tuple[int, str]:
    line = head.split(b"\r\n", 1)[0]
    parts = line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise ProxyError(
            f"{what}: the proxy at {proxy.address} did not answer CONNECT in HTTP "
            "(if it is a SOCKS proxy, use socks5://)"
        )
    reason = parts[2].decode("ascii", "replace") if len(parts) > 2 else ""
    printable = "".join(c for c in reason if c.isprintable() and c.isascii())[:60]
    return int(parts[1]), printable.strip()


def _socks5(proxy: Proxy, host: str, port: int, what: str) -> Steps:
    methods = b"\x00\x02" if proxy.has_credentials else b"\x00"
    answer = yield b"\x05" + bytes([len(methods)]) + methods, 2
    _check_version(answer[0], proxy, what)
    chosen = answer[1]
    if chosen == 0x02 and proxy.has_credentials:
        user = (proxy.username or "").encode()
        password = (proxy.password or "").encode()
        if len(user) > 255 or len(password) > 255:
            raise ProxyError(
                f"{what}: the SOCKS5 username and password must be at most 255 bytes each"
            )
        login = b"\x01" + bytes([len(user)]) + user + bytes([len(password)]) + password
        status = yield login, 2
        if status[0] not in (0x01, 0x05):  # RFC 1929 says 1; some servers answer 5
            _check_version(status[0], proxy, what)
        if status[1] != 0:
            raise ProxyError(
                f"{what}: the SOCKS5 proxy at {proxy.address} refused the username and password"
            )
    elif chosen == 0xFF:
        needs = "a username and password" if not proxy.has_credentials else "an unsupported login"
        raise ProxyError(
            f"{what}: the SOCKS5 proxy at {proxy.address} requires {needs}"
            + ("" if proxy.has_credentials else " (give them as user:password@ in the proxy URL)")
        )
    elif chosen != 0x00:
        raise ProxyError(
            f"{what}: the SOCKS5 proxy at {proxy.address} chose an authentication method "
            f"that was not offered ({chosen:#04x})"
        )
    reply = yield b"\x05\x01\x00" + _socks_address(host, what) + struct.pack(">H", port), 2
    _check_version(reply[0], proxy, what)
    code = reply[1]
    if code != 0:
        reason, transient = SOCKS_REPLIES.get(code, ("unknown error", False))
        message = (
            f"{what}: the SOCKS5 proxy at {proxy.address} could not connect to "
            f"{_authority(host, port)}: {reason} (SOCKS error {code})"
        )
        if transient:
            raise NetworkError(message, method=what)
        raise ProxyError(message)
    kind = yield b"", 2  # reserved byte, address type
    if kind[1] == 0x01:
        yield b"", 4 + 2
    elif kind[1] == 0x04:
        yield b"", 16 + 2
    elif kind[1] == 0x03:
        size = yield b"", 1
        yield b"", size[0] + 2
    else:
        raise ProxyError(
            f"{what}: the SOCKS5 proxy at {proxy.address} answered with an unknown "
            f"address type ({kind[1]:#04x})"
        )


def _check_version(version: int, proxy: Proxy, what: str) -> None:
    if version != 0x05:
        raise ProxyError(
            f"{what}: the proxy at {proxy.address} does not speak SOCKS5 "
            "(if it is an HTTP proxy, use http://)"
        )


def _socks_address(host: str, what: str) -> bytes:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            name = host.encode("idna")
        except UnicodeError:
            name = b""
        if not 0 < len(name) < 256:
            raise ProxyError(f"{what}: the host name cannot be sent to a SOCKS5 proxy") from None
        return b"\x03" + bytes([len(name)]) + name
    return (b"\x01" if address.version == 4 else b"\x04") + address.packed
