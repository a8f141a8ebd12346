"""TLS for the transports: one context per client, and TLS inside a TLS tunnel.

``tls=`` on a client is an :class:`ssl.SSLContext` (used as given) or the path of a CA
bundle (for proxies that re-sign TLS with a company CA); the context is built once per
client, since building one loads a CA store (milliseconds), and it serves both the API
server and an ``https://`` proxy. ``ssl`` is imported only when TLS is used, so
``telewire send`` to a plain-http server does not pay for it.
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    import ssl

TlsOption = Union["ssl.SSLContext", str, "os.PathLike[str]", None]


def build_context(option: TlsOption) -> ssl.SSLContext:
    """The context for ``option``: itself, one trusting a CA bundle, or the default one."""
    import ssl

    if isinstance(option, ssl.SSLContext):
        return option
    if option is None:
        return ssl.create_default_context()
    path = os.fspath(option)
    try:
        return ssl.create_default_context(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(
            f"cannot use {path!r} as a CA bundle ({getattr(exc, 'strerror', None) or exc}); "
            "give a PEM file of CA certificates or an ssl.SSLContext"
        ) from None


def check_option(option: TlsOption) -> None:
    """Refuse a ``tls=`` that is neither a context nor a readable file, at construction."""
    if option is None or hasattr(option, "wrap_socket"):
        return
    if not isinstance(option, (str, os.PathLike)):
        raise TypeError(
            f"tls= takes an ssl.SSLContext or a CA bundle path, not {type(option).__name__}"
        )
    if not os.path.isfile(option):
        raise ValueError(f"tls={os.fspath(option)!r}: no such CA bundle file")


class TlsInTls:
    """A TLS session over a socket that is itself TLS (an ``https://`` proxy's tunnel).

    ``ssl`` cannot wrap an ``SSLSocket`` a second time, so the inner session runs in
    memory (``SSLObject``) and its records travel inside the outer one. It offers what
    ``http.client`` and the pool use: ``sendall``, ``recv``, ``makefile``, ``settimeout``,
    ``fileno``, ``pending`` and ``close``.
    """

    def __init__(self, outer: ssl.SSLSocket, context: ssl.SSLContext, server_hostname: str):
        import ssl

        self._ssl = ssl
        self.outer = outer
        self._incoming, self._outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._session = context.wrap_bio(
            self._incoming, self._outgoing, server_hostname=server_hostname
        )
        self._run(self._session.do_handshake)

    def _run(self, operation: object, *args: object) -> object:
        while True:
            try:
                result = operation(*args)  # type: ignore[operator]
            except self._ssl.SSLWantReadError:
                self._flush()
                data = self.outer.recv(65536)
                if not data:
                    self._incoming.write_eof()
                else:
                    self._incoming.write(data)
                continue
            self._flush()
            return result

    def _flush(self) -> None:
        pending = self._outgoing.read()
        if pending:
            self.outer.sendall(pending)

    def sendall(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._run(self._session.write, view)
            assert isinstance(written, int)
            view = view[written:]

    def recv(self, size: int) -> bytes:
        try:
            data = self._run(self._session.read, size)
        except self._ssl.SSLZeroReturnError:
            return b""
        except self._ssl.SSLEOFError:
            return b""
        assert isinstance(data, bytes)
        return data

    def makefile(self, mode: str = "rb", *args: object, **kwargs: object) -> io.BufferedReader:
        return io.BufferedReader(_Reader(self))

    def settimeout(self, timeout: float | None) -> None:
        self.outer.settimeout(timeout)

    def fileno(self) -> int:
        return self.outer.fileno()

    def pending(self) -> int:
        return self._session.pending() + self.outer.pending()

    def close(self) -> None:
        self.outer.close()

    @property
    def context(self) -> ssl.SSLContext:
        return self._session.context


class _Reader(io.RawIOBase):
    def __init__(self, connection: TlsInTls) -> None:
        self.connection = connection

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.connection.recv(len(buffer))
        buffer[: len(data)] = data
        return len(data)
