"""A Bot API stand-in that behaves like real servers where the emulator is kind.

The emulator keeps idle connections open for a long time and fails requests only before
they run. Real servers close idle keep-alive connections, cap requests per connection and
reset connections mid-reply. This one does each of those on request, on 127.0.0.1, and
records what took effect (``arrived``) and each connection it closed, so tests can wait
on those facts instead of sleeping.

It speaks just enough HTTP/1.1 (Content-Length bodies, JSON) and just enough of the Bot
API: ``POST /bot<token>/<method>`` answered with ``{"ok": true, "result": ...}``.
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

TOKEN = "123456:" + "S" * 35
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Stand-in", "username": "standin_bot"}


class BotApiStandIn:
    """A threaded HTTP/1.1 server; each option is one way real servers treat connections.

    ``idle_close``: close a connection that waits this long for its next request.
    ``requests_per_connection``: close after this many replies, without announcing it.
    ``reset_replies``: method -> how many of its replies to cut: the headers and half the
    body, then a TCP reset (the method took effect; its reply is lost).
    ``drop_on_reuse``: how many requests arriving on a reused connection to answer by
    closing it without a byte, as if the idle close had crossed them (they take no effect).
    ``drop_on_fresh``: the same for a connection's first request, after it took effect.
    ``silent``: methods that take effect and are never answered.
    ``malformed``: methods that take effect and are answered with bytes that are not HTTP.
    ``tls``: serve HTTPS with this server context (the URL is then ``https://``).
    """

    def __init__(
        self,
        *,
        idle_close: float | None = None,
        requests_per_connection: int | None = None,
        reset_replies: dict[str, int] | None = None,
        drop_on_reuse: int = 0,
        drop_on_fresh: int = 0,
        silent: frozenset[str] = frozenset(),
        malformed: frozenset[str] = frozenset(),
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.idle_close = idle_close
        self.requests_per_connection = requests_per_connection
        self.reset_replies = dict(reset_replies or {})
        self.drop_on_reuse = drop_on_reuse
        self.drop_on_fresh = drop_on_fresh
        self.silent = silent
        self.malformed = malformed
        self.tls = tls
        self.arrived: list[tuple[str, dict[str, Any]]] = []
        self.connections = 0
        self.closed_idle = 0
        self.closed_by_server = 0
        self.updates: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._open: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        scheme = "https" if tls else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    # -- what tests look at ---------------------------------------------------------------

    def methods(self, name: str) -> list[dict[str, Any]]:
        """The parameters of every call of ``name`` that took effect, in order."""
        with self._changed:
            return [params for method, params in self.arrived if method == name]

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until ``condition()`` holds (checked on every change), or fail."""
        with self._changed:
            if not self._changed.wait_for(condition, timeout):
                raise AssertionError(f"the stand-in never reached {condition} in {timeout}s")

    def push_update(self, update: dict[str, Any]) -> None:
        with self._changed:
            self.updates.append(update)
            self._changed.notify_all()

    def close(self) -> None:
        self._stopping.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self._listener.close()
        with self._changed:
            live, self._open = self._open, set()
        for conn in live:
            conn.close()

    # -- serving ----------------------------------------------------------------------------

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._changed:
                self.connections += 1
                self._open.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, accepted: socket.socket) -> None:
        conn, served = accepted, 0
        try:
            if self.tls is not None:
                conn.settimeout(10)
                conn = self.tls.wrap_socket(accepted, server_side=True)
                with self._changed:
                    self._open.add(conn)
            reader = _Reader(conn)
            while True:
                conn.settimeout(self.idle_close)
                try:
                    if not reader.wait_for_bytes():
                        return  # the client closed it
                except TimeoutError:
                    self._closed(conn, idle=True)
                    return
                conn.settimeout(10)
                path, body = reader.request()
                if not self._answer(conn, path, body, reused=served > 0):
                    return
                served += 1
                if served == self.requests_per_connection:
                    self._closed(conn)
                    return
        except OSError:
            pass
        finally:
            conn.close()
            with self._changed:
                self._open -= {accepted, conn}
                self._changed.notify_all()

    def _answer(self, conn: socket.socket, path: str, body: bytes, *, reused: bool) -> bool:
        """Run one request and reply; False when the connection was closed instead."""
        with self._changed:
            if reused and self.drop_on_reuse:
                self.drop_on_reuse -= 1
                drop = "before"
            elif not reused and self.drop_on_fresh:
                self.drop_on_fresh -= 1
                drop = "after"
            else:
                drop = ""
        if drop == "before":
            self._closed(conn)
            return False
        status, payload, method = self._run(path, body)
        if drop == "after":
            self._closed(conn)
            return False
        if method in self.malformed:
            conn.sendall(b"this is not HTTP\r\n\r\n")
            self._closed(conn)
            return False
        if method in self.silent:
            self._stopping.wait(30)  # the client gives up long before
            return False
        head = f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
        head += f"Content-Length: {len(payload)}\r\n\r\n"
        with self._changed:
            cut = self.reset_replies.get(method, 0)
            if cut:
                self.reset_replies[method] = cut - 1
        if cut:
            conn.sendall(head.encode() + payload[: len(payload) // 2])
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self._closed(conn)
            return False
        conn.sendall(head.encode() + payload)
        return True

    def _run(self, path: str, body: bytes) -> tuple[int, bytes, str]:
        _, _, rest = path.partition("/bot")
        token, _, method = rest.partition("/")
        if token != TOKEN:
            reply = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return 401, json.dumps(reply).encode(), method
        params: dict[str, Any] = json.loads(body) if body else {}
        with self._changed:
            self.arrived.append((method, params))
            self._changed.notify_all()
            count = len(self.arrived)
        result: Any = True
        if method == "getUpdates":
            result = self._updates(params)
        elif method == "getMe":
            result = BOT_USER
        elif method == "sendMessage":
            result = {
                "message_id": count,
                "date": int(time.time()),
                "chat": {"id": params["chat_id"], "type": "private"},
                "text": params.get("text", ""),
            }
        return 200, json.dumps({"ok": True, "result": result}).encode(), method

    def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))

        def due() -> list[dict[str, Any]]:
            return [u for u in self.updates if u["update_id"] >= offset]

        with self._changed:
            self._changed.wait_for(due, timeout=float(params.get("timeout", 0)))
            return due()

    def _closed(self, conn: socket.socket, *, idle: bool = False) -> None:
        conn.close()
        with self._changed:
            self.closed_by_server += 1
            self.closed_idle += idle
            self._changed.notify_all()


class _Reader:
    """Reads HTTP/1.1 requests with Content-Length bodies off one connection."""

    def __init__(self, conn: socket.socket) -> None:
        self.conn = conn
        self.buffer = b""

    def wait_for_bytes(self) -> bool:
        """Block until a request starts; False at end of stream."""
        if not self.buffer:
            self.buffer = self.conn.recv(65536)
        return bool(self.buffer)

    def request(self) -> tuple[str, bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        while len(self.buffer) < length:
            self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return lines[0].split(" ")[1], body

    def _more(self) -> None:
        chunk = self.conn.recv(65536)
        if not chunk:
            raise ConnectionResetError("the client closed mid-request")
        self.buffer += chunk
