"""Real proxies on 127.0.0.1 for the tests: HTTP (Basic credentials) and SOCKS5 (RFC 1929).

Each is a small threaded server that insists on its username and password, as the
proxies users sit behind do, and records what it was asked to reach (``targets``) and how
many logins it turned away (``refused``), so tests can tell the traffic went through it.
``tls``: serve the proxy itself over TLS (an ``https://`` proxy).
"""

from __future__ import annotations

import base64
import socket
import ssl
import struct
import threading
from urllib.parse import quote

USERNAME = "relay user"
PASSWORD = "pa:ss@w/rd"  # characters that must be percent-encoded in a URL


class ProxyServer:
    def __init__(self, kind: str, *, tls: ssl.SSLContext | None = None) -> None:
        assert kind in ("http", "socks5")
        self.kind = kind
        self.tls = tls
        self.targets: list[str] = []
        self.forwarded: list[bytes] = []  # request lines of absolute-form requests
        self.refused = 0
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url(
        self, *, scheme: str | None = None, username: str = USERNAME, password: str = PASSWORD
    ) -> str:
        scheme = scheme or ("https" if self.tls else self.kind)
        credentials = f"{quote(username, safe='')}:{quote(password, safe='')}@" if username else ""
        return f"{scheme}://{credentials}127.0.0.1:{self.port}"

    def close(self) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            live, self._open = self._open, []
        for conn in live:
            conn.close()

    # -- serving ------------------------------------------------------------------------

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._open.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
                with self._lock:
                    self._open.append(conn)
            upstream = self._http(conn) if self.kind == "http" else self._socks(conn)
            if upstream is not None:
                with self._lock:
                    self._open.append(upstream)
                _relay(conn, upstream)
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    def _refuse(self) -> None:
        with self._lock:
            self.refused += 1

    def _http(self, conn: socket.socket) -> socket.socket | None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            head += chunk
        head, _, rest = head.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        verb, target, _ = lines[0].split(b" ", 2)
        expected = b"Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode())
        given = next(
            (
                line.split(b":", 1)[1].strip()
                for line in lines[1:]
                if line.lower().startswith(b"proxy-authorization:")
            ),
            None,
        )
        if given != expected:
            self._refuse()
            length = next(
                (int(line.split(b":", 1)[1]) for line in lines[1:]
                 if line.lower().startswith(b"content-length:")),
                0,
            )  # fmt: skip
            while len(rest) < length:  # read the whole request: closing on unread bytes
                chunk = conn.recv(65536)  # would reset the connection, answer and all
                if not chunk:
                    return None
                rest += chunk
            conn.sendall(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="tests"\r\nContent-Length: 0\r\n'
                b"Connection: close\r\n\r\n"
            )
            return None
        if verb == b"CONNECT":
            host, _, port = target.decode().rpartition(":")
            upstream = socket.create_connection((host.strip("[]"), int(port)), 10)
            self._reached(target.decode())
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            return upstream
        # absolute form: http://host:port/path, passed on as it came (servers accept it)
        authority = target.split(b"/", 3)[2].decode()
        host, _, port = authority.rpartition(":")
        upstream = socket.create_connection((host, int(port or 80)), 10)
        self._reached(authority)
        with self._lock:
            self.forwarded.append(lines[0])
        upstream.sendall(head + b"\r\n\r\n" + rest)
        return upstream

    def _socks(self, conn: socket.socket) -> socket.socket | None:
        version, count = _exactly(conn, 2)
        methods = _exactly(conn, count)
        assert version == 5
        if 2 not in methods:
            conn.sendall(b"\x05\xff")
            self._refuse()
            return None
        conn.sendall(b"\x05\x02")
        _, size = _exactly(conn, 2)
        user = _exactly(conn, size).decode()
        (size,) = _exactly(conn, 1)
        password = _exactly(conn, size).decode()
        if (user, password) != (USERNAME, PASSWORD):
            self._refuse()
            conn.sendall(b"\x01\x01")
            return None
        conn.sendall(b"\x01\x00")
        _, _, _, kind = _exactly(conn, 4)  # CONNECT, reserved, address type
        if kind == 1:
            host = socket.inet_ntop(socket.AF_INET, _exactly(conn, 4))
        elif kind == 4:
            host = socket.inet_ntop(socket.AF_INET6, _exactly(conn, 16))
        else:
            (size,) = _exactly(conn, 1)
            host = _exactly(conn, size).decode()
        (port,) = struct.unpack(">H", _exactly(conn, 2))
        try:
            upstream = socket.create_connection((host, port), 10)
        except OSError:
            conn.sendall(b"\x05\x05\x00\x01" + bytes(6))  # 5: connection refused
            return None
        self._reached(f"{host}:{port}")
        conn.sendall(b"\x05\x00\x00\x01" + bytes(6))
        return upstream

    def _reached(self, target: str) -> None:
        with self._lock:
            self.targets.append(target)


def _exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ValueError("closed mid-handshake")
        data += chunk
    return data


def _relay(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes (one thread: TLS objects are not
    safe to read and write from two threads at once)."""
    import select

    peers = {client: upstream, upstream: client}
    for side in peers:  # forward each write at once, as real proxies do
        side.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            ready = [s for s in peers if getattr(s, "pending", lambda: 0)()]
            if not ready:
                ready, _, _ = select.select(list(peers), [], [], 30)
                if not ready:
                    return
            for source in ready:
                chunk = source.recv(65536)
                if not chunk:
                    return
                peers[source].sendall(chunk)
    except OSError:
        pass
    finally:
        upstream.close()
