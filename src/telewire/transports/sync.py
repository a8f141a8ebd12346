"""A blocking HTTP transport on the standard library: keep-alive, proxies, fast start.

``http.client`` is what ``urllib`` runs on; using it directly keeps connections alive
between calls (urllib does not) and keeps ``import telewire`` and ``telewire send`` light.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO
from urllib.parse import urlsplit

from telewire.core.errors import NetworkError, TimedOut
from telewire.transports.proxies import proxy_for

_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
_CHUNK = 256 * 1024


class SyncTransport:
    """A small pool of keep-alive connections to one server; safe to share across threads."""

    def __init__(self, base_url: str, *, connect_timeout: float = 10.0, pool_size: int = 8) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"invalid API base URL {base_url!r}: expected http(s)://host[:port]")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._prefix = parts.path.rstrip("/")
        self._connect_timeout = connect_timeout
        self._pool_size = pool_size
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        proxy = proxy_for(base_url)
        self._proxy = _host_port(proxy) if proxy else None

    def _new_connection(self) -> http.client.HTTPConnection:
        host, port = self._host, self._port
        if self._proxy and self._scheme == "http":
            host, port = self._proxy
        if self._scheme == "https":
            import ssl

            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                *(self._proxy or (host, port)),
                timeout=self._connect_timeout,
                context=ssl.create_default_context(),
            )
            if self._proxy:
                conn.set_tunnel(self._host, self._port)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self._connect_timeout)
        return conn

    def _target(self, path: str) -> str:
        if self._proxy and self._scheme == "http":
            return f"http://{self._host}:{self._port}{self._prefix}{path}"
        return self._prefix + path

    @contextmanager
    def _connection(self) -> Iterator[tuple[http.client.HTTPConnection, bool]]:
        with self._lock:
            conn, reused = (self._idle.pop(), True) if self._idle else (None, False)
        if conn is None:
            conn = self._new_connection()
        try:
            yield conn, reused
        except BaseException:
            conn.close()
            raise
        with self._lock:
            if len(self._idle) < self._pool_size:
                self._idle.append(conn)
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
        and never appears in a message.
        """
        headers = {"Content-Type": content_type} if content_type else {}
        for attempt in (1, 2):
            with self._connection() as (conn, reused):
                sent = False
                try:
                    if conn.sock is None:
                        conn.connect()
                    conn.sock.settimeout(timeout)  # type: ignore[union-attr]
                    if progress is not None and body is not None and len(body) > _CHUNK:
                        _send_with_progress(conn, verb, self._target(path), body, headers, progress)
                    else:
                        conn.request(verb, self._target(path), body=body, headers=headers)
                    sent = True
                    response = conn.getresponse()
                    if sink is None:
                        data = response.read()
                    else:
                        data = b""
                        while chunk := response.read(65536):
                            sink.write(chunk)
                    if response.will_close:
                        conn.close()
                    return response.status, data
                except _STALE as exc:
                    if reused and attempt == 1:
                        continue  # the server closed an idle keep-alive connection
                    raise NetworkError(
                        f"{what}: connection lost ({type(exc).__name__})", method=what, sent=sent
                    ) from None
                except TimeoutError:
                    if not sent:
                        raise NetworkError(
                            f"{what}: could not connect to the API server within "
                            f"{self._connect_timeout:g}s",
                            method=what,
                        ) from None
                    raise TimedOut(
                        f"{what}: no reply within {timeout:g}s", method=what, sent=True
                    ) from None
                except OSError as exc:
                    raise NetworkError(
                        f"{what}: cannot reach the API server at {self._host}:{self._port} "
                        f"({exc.strerror or type(exc).__name__})",
                        method=what,
                        sent=sent,
                    ) from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _host_port(proxy: str) -> tuple[str, int]:
    parts = urlsplit(proxy)
    return (parts.hostname or "", parts.port or 8080)


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
