"""The asyncio transport: a keep-alive pool of plain asyncio connections.

Measured first (benchmarks/): aiohttp's client spends about 60 µs of Python on each
request, which was most of a bot's CPU time. A bot only ever talks to one server with
small requests, so this transport writes each request in one ``write`` and reads the
reply with ``httptools`` (the llhttp parser in C that uvicorn uses): a few µs instead.
TLS comes from asyncio, proxies from the standard variables (CONNECT for https).
"""

from __future__ import annotations

import asyncio
import ssl
from typing import IO
from urllib.parse import urlsplit

import httptools

from telewire.core.errors import NetworkError, TimedOut
from telewire.transports.proxies import proxy_for

USER_AGENT = b"telewire"


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

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.started = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(
                NetworkError(f"the API server sent a malformed HTTP reply ({exc})", sent=True)
            )
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._fail(ConnectionResetError("connection closed by the server"))

    # httptools callbacks

    def on_body(self, body: bytes) -> None:
        if self.sink is not None:
            self.sink.write(body)
        else:
            self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.reusable = self.parser.should_keep_alive()
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((self.parser.get_status_code(), b"".join(self.chunks)))

    # use

    def send(self, request: bytes, sink: IO[bytes] | None) -> asyncio.Future[tuple[int, bytes]]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.chunks, self.sink, self.started = [], sink, False
        self.transport.write(request)
        return self.waiter

    def _fail(self, error: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class AsyncTransport:
    """Connections to one API server, reused across requests, at most ``limit`` at once."""

    def __init__(self, base_url: str, *, connect_timeout: float = 10.0, limit: int = 100) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"invalid API base URL {base_url!r}: expected http(s)://host[:port]")
        self._host, self._tls = parts.hostname, parts.scheme == "https"
        self._port = parts.port or (443 if self._tls else 80)
        self._prefix = parts.path.rstrip("/")
        self._host_header = (parts.netloc.rsplit("@", 1)[-1]).encode()
        proxy = proxy_for(base_url)
        self._proxy = urlsplit(proxy) if proxy else None
        self._connect_timeout = connect_timeout
        self._limit = limit
        self._slots: asyncio.Semaphore | None = None
        self._idle: list[_Reply] = []

    def _head(self, verb: str, path: str, content_type: str | None, length: int) -> bytes:
        target = self._prefix + path
        if self._proxy is not None and not self._tls:
            target = f"http://{self._host}:{self._port}{target}"
        head = f"{verb} {target} HTTP/1.1\r\nHost: ".encode() + self._host_header
        if content_type is not None:
            head += b"\r\nContent-Type: " + content_type.encode()
        return head + b"\r\nContent-Length: %d\r\nUser-Agent: %s\r\n\r\n" % (length, USER_AGENT)

    async def _open(self) -> _Reply:
        loop = asyncio.get_running_loop()
        context = ssl.create_default_context() if self._tls else None
        if self._proxy is None:
            _, reply = await loop.create_connection(
                _Reply,
                self._host,
                self._port,
                ssl=context,
                server_hostname=self._host if context else None,
            )
            return reply
        proxy_host, proxy_port = self._proxy.hostname or "", self._proxy.port or 8080
        transport, reply = await loop.create_connection(_Reply, proxy_host, proxy_port)
        if not self._tls:
            return reply
        authority = f"{self._host}:{self._port}"
        connect = f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n"
        status, _ = await reply.send(connect.encode(), None)
        if status != 200:
            transport.close()
            raise OSError(f"the proxy refused to connect (HTTP {status})")
        assert context is not None
        tunnel = _Reply()
        tls = await loop.start_tls(
            transport,
            tunnel,
            context,
            server_hostname=self._host,  # type: ignore[arg-type]
        )
        tunnel.connection_made(tls)  # type: ignore[arg-type]
        return tunnel

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
            for attempt in (1, 2):
                reused = bool(self._idle)
                reply = self._idle.pop() if reused else await self._connect(what)
                try:
                    status, data = await asyncio.wait_for(reply.send(request, sink), timeout)
                except asyncio.TimeoutError:
                    reply.close()
                    raise TimedOut(
                        f"{what}: no reply within {timeout:g}s", method=what, sent=True
                    ) from None
                except ConnectionResetError:
                    reply.close()
                    if reused and attempt == 1 and not reply.started:
                        continue  # the server had closed this idle keep-alive connection
                    raise NetworkError(f"{what}: connection lost", method=what, sent=True) from None
                except asyncio.CancelledError:
                    reply.close()
                    raise
                if reply.reusable and not reply.closed:
                    self._idle.append(reply)
                else:
                    reply.close()
                return status, data
        raise AssertionError("unreachable")

    async def _connect(self, what: str) -> _Reply:
        try:
            return await asyncio.wait_for(self._open(), self._connect_timeout)
        except asyncio.TimeoutError:
            raise NetworkError(
                f"{what}: could not connect to the API server within {self._connect_timeout:g}s",
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
