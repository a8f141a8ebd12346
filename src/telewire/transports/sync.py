"""A blocking HTTP transport on the standard library: keep-alive, proxies, fast start.

Connections are opened here (a socket, then the proxy's tunnel, then TLS; see
:func:`SyncTransport._open_socket`) and handed to ``http.client`` ready to use.

``http.client`` is what ``urllib`` runs on; using it directly keeps connections alive
between calls (urllib does not) and keeps ``import telewire`` and ``telewire send`` light.

Servers close keep-alive connections that sit idle (Telegram's included), so a pooled
connection is checked before reuse (idle for less than ``max_idle``, nothing readable: no
EOF, no reset) and one that failed or was left half-read never goes back to the pool.
Every failure is a :class:`NetworkError` whose ``sent`` says whether the request may have
taken effect (see :func:`_failure`); no ``http.client`` exception escapes.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from telewire.core.errors import NetworkError, TimedOut
from telewire.transports.proxies import proxy_for, proxy_refused, server_url
from telewire.transports.tls import TlsOption, check_option

if TYPE_CHECKING:
    import socket
    import ssl

    from telewire.core.proxy import Proxy

_CHUNK = 256 * 1024

# How far one request got; decides ``sent`` when it fails.
_CONNECTING, _SENDING, _WAITING, _READING = range(4)


class _Unanswered(ConnectionError):
    """The server closed the connection (EOF or reset) before any byte of the reply."""


class _SinkFailed(Exception):
    """Writing the downloaded body failed (a local file's trouble, not the network's)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


class _Response(http.client.HTTPResponse):
    """A response that tells "closed before any byte" apart from a reply cut short."""

    def begin(self) -> None:
        try:
            first = self.fp.peek(1)
        except ConnectionError:
            first = b""
        if not first:
            raise _Unanswered
        super().begin()


class _Connection(http.client.HTTPConnection):
    """``http.client`` over a socket the transport opens (direct, tunnelled, TLS...)."""

    response_class = _Response

    def __init__(self, transport: SyncTransport) -> None:
        super().__init__(transport._host, transport._port, timeout=transport._connect_timeout)
        self._transport = transport
        self.what = "request"  # the request that opens it, named in the proxy's errors

    def connect(self) -> None:
        self.sock = self._transport._open_socket(self.what)


class SyncTransport:
    """A small pool of keep-alive connections to one server; safe to share across threads.

    ``max_idle``: seconds a connection may sit unused and still be reused. It is kept
    below common server keep-alive times (5 s for many) so a connection is dropped here
    before the server drops it under a request. ``proxy``: see
    :func:`~telewire.transports.proxies.proxy_for`; ``tls``: see :mod:`telewire.transports.tls`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 10.0,
        pool_size: int = 8,
        max_idle: float = 4.0,
        proxy: str | Proxy | None = None,
        tls: TlsOption = None,
    ) -> None:
        parts, self._host = server_url(base_url)
        self._scheme = parts.scheme
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._prefix = parts.path.rstrip("/")
        self._connect_timeout = connect_timeout
        self._pool_size = pool_size
        self.max_idle = max_idle
        self._idle: list[tuple[_Connection, float]] = []
        self._lock = threading.Lock()
        check_option(tls)
        self._tls = tls
        self._ssl_context: ssl.SSLContext | None = None
        self.proxy = proxy_for(base_url, proxy)
        self._forward = (
            self.proxy is not None and not self.proxy.is_socks and parts.scheme == "http"
        )
        self._headers: dict[str, str] = {}
        authorization = self.proxy.basic_authorization() if self._forward and self.proxy else None
        if authorization is not None:
            self._headers["Proxy-Authorization"] = authorization.decode()

    def _new_connection(self) -> _Connection:
        return _Connection(self)

    def _tls_context(self) -> ssl.SSLContext:
        """One context for every connection: building one loads the CA store (milliseconds)."""
        with self._lock:
            if self._ssl_context is None:
                from telewire.transports.tls import build_context

                self._ssl_context = build_context(self._tls)
            return self._ssl_context

    def _open_socket(self, what: str) -> socket.socket:
        """A connection to the server: direct, or through the proxy, then TLS if https.

        Errors name the proxy (without its credentials) when it is the proxy that failed.
        """
        import socket

        proxy, timeout = self.proxy, self._connect_timeout
        if proxy is None:
            sock = _connected(socket.create_connection((self._host, self._port), timeout))
        else:
            try:
                sock = _connected(socket.create_connection((proxy.host, proxy.port), timeout))
            except OSError as exc:
                raise _ProxyUnreachable(proxy, exc) from None
            try:
                if proxy.scheme == "https":
                    sock = self._tls_context().wrap_socket(sock, server_hostname=proxy.host)
                if not self._forward:
                    _open_tunnel(sock, proxy, self._tunnel_host(), self._port, what)
            except BaseException:
                sock.close()
                raise
        if self._scheme != "https":
            return sock
        try:
            if proxy is not None and proxy.scheme == "https":
                from telewire.transports.tls import TlsInTls

                return TlsInTls(sock, self._tls_context(), self._host)  # type: ignore[arg-type, return-value]
            return self._tls_context().wrap_socket(sock, server_hostname=self._host)
        except BaseException:
            sock.close()
            raise

    def _tunnel_host(self) -> str:
        """The server's host as the proxy is told it: resolved here for ``socks5://``."""
        if self.proxy is None or self.proxy.scheme != "socks5":
            return self._host
        import socket

        try:
            found = socket.getaddrinfo(self._host, self._port, type=socket.SOCK_STREAM)
        except OSError as exc:  # DNS: the same failure a direct connection would have
            raise OSError(f"cannot resolve {self._host} ({exc.strerror or exc})") from None
        return str(found[0][4][0])

    def _target(self, path: str) -> str:
        if self._forward:
            return f"http://{self._host}:{self._port}{self._prefix}{path}"
        return self._prefix + path

    def _checkout(self) -> tuple[_Connection, bool]:
        """A pooled connection still fit for a request, or a new (unconnected) one."""
        from time import monotonic

        now, stale = monotonic(), []
        conn = None
        with self._lock:
            while self._idle:
                candidate, since = self._idle.pop()
                if now - since > self.max_idle:
                    # The pool is a stack: everything under this one is older still.
                    stale += [candidate, *(c for c, _ in self._idle)]
                    self._idle.clear()
                elif _still_open(candidate.sock):
                    conn = candidate
                    break
                else:
                    stale.append(candidate)
        for dead in stale:
            dead.close()
        return (conn, True) if conn is not None else (self._new_connection(), False)

    def _checkin(self, conn: _Connection) -> None:
        from time import monotonic

        with self._lock:
            if len(self._idle) < self._pool_size:
                self._idle.append((conn, monotonic()))
                return
        conn.close()

    def request(
        self,
        verb: str,
        path: str,
        body: bytes | None,
        content_type: str | None,
        *,
        timeout: float,
        what: str,
        sink: IO[bytes] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[int, bytes]:
        """Send one request; return (status, body), or stream the body into ``sink``.

        ``what`` names the request in errors (a method name): the path holds the token
        and never appears in a message. Raises :class:`NetworkError` (``sent=False``
        only when the request certainly did not take effect) or :class:`TimedOut`.
        """
        headers = {"Content-Type": content_type, **self._headers} if content_type else self._headers
        conn, reused = self._checkout()
        stage = _CONNECTING
        try:
            if conn.sock is None:
                conn.what = what
                conn.connect()
            stage = _SENDING
            conn.sock.settimeout(timeout)
            if progress is not None and body is not None and len(body) > _CHUNK:
                _send_with_progress(conn, verb, self._target(path), body, headers, progress)
            else:
                conn.request(verb, self._target(path), body=body, headers=headers)
            stage = _WAITING
            response = conn.getresponse()
            stage = _READING
            if sink is None:
                data = response.read()
            else:
                data = b""
                while chunk := response.read(65536):
                    try:
                        sink.write(chunk)
                    except OSError as exc:
                        raise _SinkFailed(exc) from None
        except _SinkFailed as failed:
            conn.close()
            raise failed.error from None
        except _ProxyUnreachable as failed:
            conn.close()
            raise failed.as_network_error(what, self._connect_timeout) from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise self._failure(exc, stage, reused, what, timeout) from None
        except BaseException:
            conn.close()  # interrupted half-way: the connection holds a partial exchange
            raise
        if response.will_close or conn.sock is None:
            conn.close()
        else:
            self._checkin(conn)
        if response.status == 407 and self.proxy is not None and self._forward:
            raise proxy_refused(self.proxy, what)
        return response.status, data

    def _failure(
        self, exc: Exception, stage: int, reused: bool, what: str, timeout: float
    ) -> NetworkError:
        """The error to raise for ``exc``, with ``sent`` as precise as the stage allows.

        Not sent: the connection was never made, or the request was not fully written
        (the server cannot act on part of one), or a *reused* connection was closed
        before any byte of the reply: the server dropping an idle keep-alive connection
        as the request crossed it, which browsers, urllib3 and httpcore treat the same
        way. Sent: a timeout after connecting, or anything once the reply began.
        """
        name = type(exc).__name__
        if stage == _CONNECTING:
            if isinstance(exc, TimeoutError):
                return NetworkError(
                    f"{what}: could not connect to the API server within "
                    f"{self._connect_timeout:g}s",
                    method=what,
                )
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            return NetworkError(
                f"{what}: cannot reach the API server at {self._host}:{self._port} "
                f"({reason or name})",
                method=what,
            )
        if isinstance(exc, TimeoutError):
            return TimedOut(f"{what}: no reply within {timeout:g}s", method=what, sent=True)
        if stage == _SENDING:
            return NetworkError(f"{what}: connection lost while sending ({name})", method=what)
        if isinstance(exc, _Unanswered):
            return NetworkError(
                f"{what}: the server closed the connection without replying",
                method=what,
                sent=not reused,
            )
        return NetworkError(
            f"{what}: connection lost during the reply ({name})", method=what, sent=True
        )

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _ in idle:
            conn.close()


def _still_open(sock: socket.socket | None) -> bool:
    """Whether an idle connection can carry a request: connected and nothing to read.

    An idle keep-alive socket that is readable holds an EOF, a reset, or bytes nobody
    asked for; none of those can start a clean exchange.
    """
    import select

    if sock is None:
        return False
    pending = getattr(sock, "pending", None)  # TLS records already decrypted
    if pending is not None and pending():
        return False
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return not poller.poll(0)
    return not select.select([sock], [], [], 0)[0]


def _connected(sock: socket.socket) -> socket.socket:
    """``sock`` set up as ``http.client`` sets up its own: headers and body go out in
    separate writes, and Nagle's algorithm would hold the body back for the server's
    delayed ACK (40 ms a request)."""
    import socket

    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _ProxyUnreachable(Exception):
    """The proxy itself could not be reached (not the server behind it)."""

    def __init__(self, proxy: Proxy, error: OSError) -> None:
        super().__init__(error)
        self.proxy, self.error = proxy, error

    def as_network_error(self, what: str, timeout: float) -> NetworkError:
        if isinstance(self.error, TimeoutError):
            reason = f"no answer within {timeout:g}s"
        else:
            reason = self.error.strerror or type(self.error).__name__
        return NetworkError(
            f"{what}: cannot reach the proxy at {self.proxy.address} ({reason})", method=what
        )


def _open_tunnel(sock: socket.socket, proxy: Proxy, host: str, port: int, what: str) -> None:
    """Run the proxy's handshake (see :mod:`telewire.core.tunnel`) on a blocking socket."""
    from telewire.core.tunnel import Tunnel

    tunnel = Tunnel(proxy, host, port, what=what)
    sock.sendall(tunnel.data_to_send())
    while not tunnel.open:
        data = sock.recv(65536)
        if not data:
            raise NetworkError(f"{what}: {tunnel.closed_early()}", method=what)
        tunnel.receive_data(data)
        sock.sendall(tunnel.data_to_send())
    if tunnel.leftover:
        raise NetworkError(f"{what}: {tunnel.closed_early()}", method=what)


def _send_with_progress(
    conn: http.client.HTTPConnection,
    verb: str,
    target: str,
    body: bytes,
    headers: dict[str, str],
    progress: Callable[[int, int], None],
) -> None:
    """Send the body in chunks, reporting (bytes sent, total) after each."""
    conn.putrequest(verb, target)
    for name, value in {**headers, "Content-Length": str(len(body))}.items():
        conn.putheader(name, value)
    conn.endheaders()
    view = memoryview(body)
    for offset in range(0, len(body), _CHUNK):
        conn.send(view[offset : offset + _CHUNK])
        progress(min(len(body), offset + _CHUNK), len(body))
