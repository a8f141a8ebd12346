"""Bot API calls answered on a raw asyncio protocol; everything else goes on to aiohttp.

A test suite's speed is the emulator's speed, and aiohttp's request machinery (request
and response objects, routing, middlewares, a task per request) cost about ten times what
the emulator spends on a sendMessage. Nearly every request a bot makes is the same plain
shape: ``POST /bot<token>/<method>`` over keep-alive HTTP/1.1 with a small JSON or
urlencoded body. :class:`BotApiProtocol` reads exactly that shape itself and answers it
through the same :class:`~telewire.emulator.server.EmulatorServer` steps the aiohttp
handler uses (faults, limits, long polls, errors), so both fronts answer alike. The
control API's busiest call, a user's message (``POST /emulator/send``), is taken the
same way through :attr:`EmulatorServer.quick <telewire.emulator.server.EmulatorServer>`.

Anything else -- the page, the control API, downloads, multipart uploads, query strings,
chunked or oversized bodies, HTTP/1.0, ``Expect``, anything malformed -- hands the
connection, with every byte not yet answered, to aiohttp's own protocol for the rest of
its life. aiohttp thus stays the authority on odd and hostile input; this module only
takes the requests it fully understands. Both share one listening port.
"""

from __future__ import annotations

import asyncio
import re
import urllib.parse
from collections.abc import Callable, Container
from typing import TYPE_CHECKING, Any

from aiohttp import web

from telewire.emulator.errors import ApiFailure, bad_request
from telewire.emulator.params import json_value

if TYPE_CHECKING:
    from telewire.emulator.server import Answer, EmulatorServer

MAX_HEAD = 16 * 1024
"""A longer head than this is aiohttp's to judge (it answers 431 where it must)."""
MAX_BODY = 1024 * 1024
"""Larger bodies are left to aiohttp, which enforces the upload limits and their 413."""
_REASONS = {
    200: b"OK",
    400: b"Bad Request",
    401: b"Unauthorized",
    403: b"Forbidden",
    404: b"Not Found",
    409: b"Conflict",
    413: b"Request Entity Too Large",
    429: b"Too Many Requests",
    500: b"Internal Server Error",
    502: b"Bad Gateway",
}
_FORM = "application/x-www-form-urlencoded"
_FIELDS = re.compile(rb"(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\r\n]*\r\n)*")
"""Header lines as RFC 9110 has them: a token, a colon, a value (no folding, no stray CR/LF)."""
_WANTED = re.compile(
    rb"(?:^|\n)(content-length|content-type|connection|transfer-encoding|expect|upgrade):"
    rb"([^\r]*)",
    re.IGNORECASE,
)
IDLE = 75.0
"""Seconds a connection may sit idle before it is closed, as aiohttp does (and servers do)."""


class _NotOurs(Exception):
    """This request is for aiohttp."""


class Request:
    """One plain Bot API request, as read from the wire."""

    __slots__ = ("close", "content_type", "length", "method", "quick", "test", "token")

    def __init__(self, head: bytes, quick: Container[bytes]) -> None:
        line_end = head.find(b"\r\n")
        if line_end < 0:
            line_end = len(head)
        verb, target, version = _request_line(head[:line_end])
        if verb not in (b"POST", b"GET") or version != b"HTTP/1.1":
            raise _NotOurs
        self.quick = b""
        self.test = False
        self.token = self.method = ""
        if target in quick and verb == b"POST":
            self.quick = target  # a control API call answered without waiting
        else:
            self._bot_api_path(target)
        fields = head[line_end + 2 :] + b"\r\n" if line_end < len(head) else b""
        if not _FIELDS.fullmatch(fields):
            raise _NotOurs  # folded, malformed or odd: aiohttp's to refuse
        length: int | None = None
        self.content_type = ""
        self.close = False
        for name, raw in _WANTED.findall(fields):
            name, value = name.lower(), raw.strip()
            if name == b"content-length":
                if length is not None or not value.isdigit():
                    raise _NotOurs
                length = int(value)
            elif name == b"content-type":
                self.content_type = value.decode("latin-1").lower()
            elif name == b"connection":
                self.close = value.lower() == b"close"
            else:  # transfer-encoding, expect, upgrade
                raise _NotOurs
        if length is not None and length > MAX_BODY:
            raise _NotOurs
        self.length = length or 0
        kind, _, options = self.content_type.partition(";")
        kind = kind.strip()
        if kind == "multipart/form-data" or (self.quick and kind != "application/json"):
            raise _NotOurs
        if kind == _FORM and options.strip() not in ("", "charset=utf-8"):
            raise _NotOurs
        self.content_type = kind

    def _bot_api_path(self, target: bytes) -> None:
        if not target.startswith(b"/bot") or b"?" in target or b"%" in target:
            raise _NotOurs
        parts = target[4:].split(b"/")
        if len(parts) == 3 and parts[1] == b"test":
            self.test = True
            del parts[1]
        if len(parts) != 2 or not parts[0] or not parts[1]:
            raise _NotOurs
        try:
            self.token, self.method = parts[0].decode("ascii"), parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise _NotOurs from None

    def params(self, body: bytes) -> dict[str, Any]:
        """The parameters, read as :func:`telewire.emulator.bodies.read_params` reads them."""
        if not body:
            return {}
        if self.content_type == "application/json":
            if not body.strip():
                return {}
            data = json_value(body, "JSON request body")
            if not isinstance(data, dict):
                raise bad_request("JSON request body must be an object")
            return data
        if self.content_type == _FORM:
            try:
                text = body.rstrip().decode()
                return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
            except (ValueError, LookupError):
                raise bad_request("can't parse request body") from None
        return {}  # Telegram, like aiohttp, ignores a body of any other type


def _read_head(head: bytes, quick: Container[bytes]) -> Request | None:
    try:
        return Request(head, quick)
    except _NotOurs:
        return None


def _request_line(line: bytes) -> tuple[bytes, bytes, bytes]:
    parts = line.split(b" ")
    if len(parts) != 3:
        raise _NotOurs
    return parts[0], parts[1], parts[2]


def head_of(answer: Answer) -> bytes:
    reason = _REASONS.get(answer.status, b"Error")
    return b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (
        answer.status,
        reason,
        len(answer.body),
    )


class BotApiProtocol(asyncio.Protocol):
    """One connection: plain Bot API requests answered here, the rest handed to aiohttp."""

    def __init__(
        self,
        server: EmulatorServer,
        aiohttp_protocol: Callable[[], asyncio.Protocol],
        connections: set[BotApiProtocol],
    ) -> None:
        self.server = server
        self.aiohttp_protocol = aiohttp_protocol
        self.connections = connections
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.request: Request | None = None  # its head read, its body awaited
        self.waiting = False  # an answer is being waited for (a long poll, a delay)
        self.paused = False
        self.loop = asyncio.get_running_loop()
        self.active = self.loop.time()
        self.idle_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.connections.add(self)
        self.idle_timer = self.loop.call_later(IDLE, self._close_if_idle)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        self.transport = None
        if self.idle_timer is not None:
            self.idle_timer.cancel()

    def _close_if_idle(self) -> None:
        """One timer per connection, re-armed from the last activity, not one per request."""
        if self.transport is None:
            return
        quiet = self.loop.time() - self.active
        if quiet >= IDLE and not self.waiting and not self.buffer and self.request is None:
            self.transport.close()
            return
        self.idle_timer = self.loop.call_later(max(IDLE - quiet, 1.0), self._close_if_idle)

    def data_received(self, data: bytes) -> None:
        self.active = self.loop.time()
        self.buffer += data
        if self.waiting:
            if len(self.buffer) > MAX_BODY and self.transport is not None and not self.paused:
                self.paused = True
                self.transport.pause_reading()  # pipelined requests wait their turn
            return
        self._serve()

    def _serve(self) -> None:
        """Answer every complete request in the buffer, in order."""
        while self.transport is not None and not self.transport.is_closing():
            request = self.request
            if request is None:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self.buffer) > MAX_HEAD:
                        self._hand_over()
                    return
                request = _read_head(bytes(self.buffer[:end]), self.server.quick)
                if request is None:
                    self._hand_over()
                    return
                del self.buffer[: end + 4]
                self.request = request
            length = request.length
            if len(self.buffer) < length:
                return
            body = bytes(self.buffer[:length])
            del self.buffer[:length]
            self.request = None
            if not self._answer(request, body):
                return

    def _answer(self, request: Request, body: bytes) -> bool:
        """Answer ``request``; False when its answer must be waited for."""
        server = self.server
        if request.quick:
            self._send(request, server.quick[request.quick](body))
            return True
        fault, delay, answer = server.begin(request.token, request.test)
        if answer is None:
            try:
                params = request.params(body)
            except ApiFailure as f:
                answer = server.refusal(f)
            else:
                if server.waits(request.method, delay):
                    self.waiting = True
                    waited = server.respond(request.token, request.method, params, fault, delay)
                    task = asyncio.ensure_future(waited)
                    task.add_done_callback(lambda done: self._answered(request, done))
                    return False
                answer = server.answer_now(request.token, request.method, params, fault)
        self._send(request, answer)
        return True

    def _answered(self, request: Request, done: asyncio.Future[Answer]) -> None:
        self.waiting = False
        self.active = self.loop.time()
        if done.cancelled() or self.transport is None:
            return
        self._send(request, done.result())
        if self.paused and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        self._serve()

    def _send(self, request: Request, answer: Answer) -> None:
        transport = self.transport
        if transport is None:
            return
        if answer.fate == "drop":
            transport.abort()
            return
        if answer.fate == "lost":  # the head and half the body, then the line breaks
            transport.write(head_of(answer) + answer.body[: len(answer.body) // 2])
            transport.abort()
            return
        transport.write(head_of(answer) + answer.body)
        if request.close:
            transport.close()

    def _hand_over(self) -> None:
        """aiohttp serves this connection from here on, starting with the bytes not answered."""
        transport = self.transport
        if transport is None:
            return
        self.connections.discard(self)
        self.transport = None
        if self.idle_timer is not None:
            self.idle_timer.cancel()
        protocol = self.aiohttp_protocol()
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        if self.buffer:
            protocol.data_received(bytes(self.buffer))
        self.buffer.clear()


class FastSite(web.TCPSite):
    """aiohttp's TCP site with :class:`BotApiProtocol` in front of aiohttp's protocol."""

    def __init__(self, runner: web.AppRunner, server: EmulatorServer, **kwargs: Any) -> None:
        super().__init__(runner, **kwargs)
        self.emulator = server
        self.connections: set[BotApiProtocol] = set()

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        aiohttp_protocol = self._runner.server
        assert aiohttp_protocol is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: BotApiProtocol(self.emulator, aiohttp_protocol, self.connections),
            self._host,
            self._port,
            reuse_address=self._reuse_address,
        )

    async def stop(self) -> None:
        await super().stop()
        for connection in list(self.connections):
            if connection.transport is not None:
                connection.transport.close()
        self.connections.clear()
