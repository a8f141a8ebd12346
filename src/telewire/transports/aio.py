"""The asyncio transport: a keep-alive pool of plain asyncio connections.

Measured first (benchmarks/): aiohttp's client spends about 60 µs of Python on each
request, which was most of a bot's CPU time. A bot only ever talks to one server with
small requests, so this transport writes each request in one ``write`` and reads the
reply with ``httptools`` (the llhttp parser in C that uvicorn uses): a few µs instead.
TLS comes from asyncio (one context per transport, see :mod:`telewire.transports.tls`);
a proxy's handshake is :class:`telewire.core.tunnel.Tunnel`, fed by :class:`_Handshake`.

Servers close keep-alive connections that sit idle, so a pooled connection is reused only
while the event loop has seen no close on it and it has been idle under ``max_idle``; one
that failed or was cut off never goes back. A close before any byte of the reply on a
reused connection is ``sent=False`` (retried by the exchange), anything later ``sent=True``.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import IO

import httptools

from telewire.core.errors import NetworkError, TimedOut
from telewire.core.proxy import Proxy
from telewire.core.tunnel import Tunnel
from telewire.deadlines import within
from telewire.transports.proxies import proxy_for, proxy_refused, server_url
from telewire.transports.tls import TlsOption, build_context, check_option

USER_AGENT = b"telewire"


class _Lost(ConnectionError):
    """The connection ended before the reply did.

    ``started``: some of the reply had come; ``written``: the request had been written.
    """

    def __init__(self, started: bool, reason: str = "", *, written: bool = True) -> None:
        super().__init__(
            reason
            or (
                "the server closed the connection during the reply"
                if started
                else "the server closed the connection without replying"
            )
        )
        self.started = started
        self.written = written


class _Reply(asyncio.Protocol):
    """One connection; carries one request at a time and parses the reply as it arrives."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.chunks: list[bytes] = []
        self.sink: IO[bytes] | None = None
        self.started = False
        self.reusable = False
        self.closed = False
        self.idle_since = 0.0

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.waiter is None:  # bytes nobody asked for: this connection is out of step
            self.close()
            return
        self.started = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(_Lost(True, f"the API server sent a malformed HTTP reply ({exc})"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(_Lost(self.started))

    # httptools callbacks

    def on_body(self, body: bytes) -> None:
        if self.sink is None:
            self.chunks.append(body)
            return
        try:
            self.sink.write(body)
        except OSError as exc:  # a local file's trouble (disk full), not the network's
            self.sink = None
            self._fail(exc)
            self.close()

    def on_message_complete(self) -> None:
        self.reusable = self.parser.should_keep_alive()
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((self.parser.get_status_code(), b"".join(self.chunks)))

    # use

    def usable(self, now: float, max_idle: float) -> bool:
        """Whether this idle connection can carry a request: open, and not idle too long.

        A close or reset that arrived while idle has already run ``connection_lost`` or
        marked the transport closing, since the event loop reads idle sockets too.
        """
        transport = self.transport
        return (
            not self.closed
            and transport is not None
            and not transport.is_closing()
            and now - self.idle_since <= max_idle
        )

    def send(self, request: bytes, sink: IO[bytes] | None) -> asyncio.Future[tuple[int, bytes]]:
        waiter = asyncio.get_running_loop().create_future()
        self.chunks, self.sink, self.started, self.reusable = [], sink, False, False
        if self.closed or self.transport is None or self.transport.is_closing():
            waiter.set_exception(_Lost(False, written=False))  # a write now would vanish
            return waiter
        self.waiter = waiter
        self.transport.write(request)
        return waiter

    def _fail(self, error: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class _Handshake(asyncio.Protocol):
    """A fresh connection to a proxy while its :class:`Tunnel` opens."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.tunnel: Tunnel | None = None
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def start(self, tunnel: Tunnel) -> asyncio.Future[None]:
        assert self.transport is not None
        self.tunnel = tunnel
        self.transport.write(tunnel.data_to_send())
        return self.done

    def data_received(self, data: bytes) -> None:
        if self.tunnel is None or self.transport is None or self.done.done():
            return
        try:
            self.tunnel.receive_data(data)
        except Exception as exc:  # the tunnel's own ProxyError / NetworkError
            self.done.set_exception(exc)
            return
        self.transport.write(self.tunnel.data_to_send())
        if self.tunnel.open and self.tunnel.leftover:  # the server cannot speak first
            what = self.tunnel.closed_early()
            self.done.set_exception(NetworkError(what))
        elif self.tunnel.open:
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_exception(ConnectionResetError("closed during the proxy's handshake"))


class AsyncTransport:
    """Connections to one API server, reused across requests, at most ``limit`` at once.

    ``max_idle``: seconds a connection may sit unused and still be reused, kept below
    common server keep-alive times (5 s for many) so it is dropped here first.
    """

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 10.0,
        limit: int = 100,
        max_idle: float = 4.0,
        proxy: str | Proxy | None = None,
        tls: TlsOption = None,
    ) -> None:
        parts, self._host = server_url(base_url)
        self._tls = parts.scheme == "https"
        self._port = parts.port or (443 if self._tls else 80)
        self._prefix = parts.path.rstrip("/")
        self._host_header = (parts.netloc.rsplit("@", 1)[-1]).encode()
        self.proxy = proxy_for(base_url, proxy)
        # An HTTP proxy takes http requests in absolute form; everything else is tunnelled.
        self._forward = self.proxy is not None and not self.proxy.is_socks and not self._tls
        authorization = self.proxy.basic_authorization() if self.proxy and self._forward else None
        self._extra_headers = (
            b"\r\nProxy-Authorization: " + authorization if authorization is not None else b""
        )
        check_option(tls)
        self._tls_option = tls
        self._connect_timeout = connect_timeout
        self._limit = limit
        self.max_idle = max_idle
        self._slots: asyncio.Semaphore | None = None
        self._idle: list[_Reply] = []
        self._ssl_context: ssl.SSLContext | None = None

    def _head(self, verb: str, path: str, content_type: str | None, length: int) -> bytes:
        target = self._prefix + path
        if self._forward:
            target = f"http://{self._host}:{self._port}{target}"
        head = f"{verb} {target} HTTP/1.1\r\nHost: ".encode() + self._host_header
        head += self._extra_headers
        if content_type is not None:
            head += b"\r\nContent-Type: " + content_type.encode()
        return head + b"\r\nContent-Length: %d\r\nUser-Agent: %s\r\n\r\n" % (length, USER_AGENT)

    async def _open(self, what: str) -> _Reply:
        loop = asyncio.get_running_loop()
        context = self._tls_context() if self._tls else None
        proxy = self.proxy
        if proxy is None:
            _, reply = await loop.create_connection(
                _Reply,
                self._host,
                self._port,
                ssl=context,
                server_hostname=self._host if context else None,
            )
            return reply
        proxy_tls = self._tls_context() if proxy.scheme == "https" else None
        try:
            transport, handshake = await loop.create_connection(
                _Handshake,
                proxy.host,
                proxy.port,
                ssl=proxy_tls,
                server_hostname=proxy.host if proxy_tls else None,
            )
        except OSError as exc:
            raise NetworkError(
                f"{what}: cannot reach the proxy at {proxy.address} ({exc.strerror or exc})",
                method=what,
            ) from None
        try:
            if not self._forward:
                tunnel = Tunnel(proxy, await self._tunnel_host(), self._port, what=what)
                try:
                    await handshake.start(tunnel)
                except ConnectionResetError:
                    raise NetworkError(f"{what}: {tunnel.closed_early()}", method=what) from None
            reply = _Reply()
            if context is None:
                transport.set_protocol(reply)
                reply.connection_made(transport)
                return reply
            tls = await loop.start_tls(transport, reply, context, server_hostname=self._host)
            reply.connection_made(tls)  # type: ignore[arg-type]
            return reply
        except BaseException:
            transport.close()
            raise

    async def _tunnel_host(self) -> str:
        """The server's host as the proxy is told it: resolved here for ``socks5://``."""
        if self.proxy is None or self.proxy.scheme != "socks5":
            return self._host
        import socket

        found = await asyncio.get_running_loop().getaddrinfo(
            self._host, self._port, type=socket.SOCK_STREAM
        )
        return str(found[0][4][0])

    async def request(
        self,
        verb: str,
        path: str,
        body: bytes | None,
        content_type: str | None,
        *,
        timeout: float,
        what: str,
        sink: IO[bytes] | None = None,
    ) -> tuple[int, bytes]:
        """Send one request; return (status, body), or stream the body into ``sink``.

        ``what`` names the request in errors: the path holds the token and is never shown.
        """
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._limit)
        request = self._head(verb, path, content_type, len(body or b"")) + (body or b"")
        async with self._slots:
            reply = self._checkout()
            reused = reply is not None
            if reply is None:
                reply = await self._connect(what)
            try:
                status, data = await within(reply.send(request, sink), timeout)
            except asyncio.TimeoutError:
                reply.close()
                raise TimedOut(
                    f"{what}: no reply within {timeout:g}s", method=what, sent=True
                ) from None
            except _Lost as lost:
                reply.close()
                # Closed before any byte of the reply on a reused connection: the server
                # dropped an idle keep-alive connection as the request crossed it, which
                # browsers, urllib3 and httpcore also take as "not sent".
                raise NetworkError(
                    f"{what}: {lost}",
                    method=what,
                    sent=lost.started or (lost.written and not reused),
                ) from None
            except BaseException:
                reply.close()  # cancelled or failed half-way: never reuse it
                raise
            if reply.reusable and not reply.closed:
                reply.idle_since = asyncio.get_running_loop().time()
                self._idle.append(reply)
            else:
                reply.close()
            if status == 407 and self.proxy is not None and self._forward:
                raise proxy_refused(self.proxy, what)
            return status, data

    def _checkout(self) -> _Reply | None:
        """The most recently used idle connection still fit for a request, if any."""
        now = asyncio.get_running_loop().time()
        while self._idle:
            reply = self._idle.pop()
            if reply.usable(now, self.max_idle):
                return reply
            reply.close()
        return None

    def _tls_context(self) -> ssl.SSLContext:
        """One context for the client: building one loads the CA store (blocking, ms)."""
        if self._ssl_context is None:
            self._ssl_context = build_context(self._tls_option)
        return self._ssl_context

    async def _connect(self, what: str) -> _Reply:
        try:
            return await within(self._open(what), self._connect_timeout)
        except asyncio.TimeoutError:
            through = f" through the proxy at {self.proxy.address}" if self.proxy else ""
            raise NetworkError(
                f"{what}: could not connect to the API server{through} "
                f"within {self._connect_timeout:g}s",
                method=what,
            ) from None
        except OSError as exc:
            raise NetworkError(
                f"{what}: cannot reach the API server at {self._host}:{self._port} "
                f"({exc.strerror or exc})",
                method=what,
            ) from None

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for reply in idle:
            reply.close()

    def __del__(self) -> None:
        for reply in getattr(self, "_idle", []):
            if reply.transport is not None and not reply.transport.is_closing():
                try:
                    reply.transport.abort()
                except RuntimeError:  # its event loop is gone already
                    pass
