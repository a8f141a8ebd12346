"""What the sync and async clients share above the core: configuration and bookkeeping."""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any

from telewire.client.config import (
    long_poll_timeout,
    resolve_base_url,
    resolve_proxy,
    resolve_tls,
    resolve_token,
)
from telewire.core.errors import BadRequest
from telewire.core.exchange import Exchange, file_download, method_call
from telewire.core.retry import RetryPolicy

if TYPE_CHECKING:
    import ssl
    from pathlib import Path

_UNSET: Any = object()


def result_type(method: str) -> Any:
    """The type a method's result decodes into (``Any`` for methods the spec lacks)."""
    from telewire.api._generated.methods import METHODS

    spec = METHODS.get(method.lower())
    return spec.returns if spec is not None else Any


class ClientBase:
    """Token, server, timeouts and retry policy; the transport comes from the subclass.

    Network options (the same on every client face):

    * ``proxy``: ``http://``, ``https://``, ``socks5://`` or ``socks5h://`` with optional
      ``user:password@``; else ``TELEGRAM_PROXY``, else ``telewire setup``'s; else the
      standard ``HTTPS_PROXY``... (with ``NO_PROXY``). A proxy named so is used for every
      host, loopback included.
    * ``tls``: an :class:`ssl.SSLContext` or the path of a CA bundle (else
      ``TELEGRAM_CA_BUNDLE``, else saved), for the server and an ``https://`` proxy;
      built once per client.
    * ``local_mode``: the server is a self-hosted ``telegram-bot-api --local``: ``getFile``
      gives absolute paths that :meth:`download` reads from disk, uploads may name local
      files as ``file:///path`` strings, and the server's larger limits apply.
    * ``test_environment``: call Telegram's test environment (``/bot<token>/test/...``).
    """

    __slots__ = (
        "_api_prefix",
        "_file_prefix",
        "_network",
        "_transport",
        "_types",
        "base_url",
        "local_mode",
        "retry",
        "test_environment",
        "timeout",
        "token",
    )

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        proxy: str | None = None,
        tls: ssl.SSLContext | str | os.PathLike[str] | None = None,
        local_mode: bool = False,
        test_environment: bool = False,
    ) -> None:
        self.token = resolve_token(token)
        self.base_url = resolve_base_url(base_url)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.local_mode = local_mode
        self.test_environment = test_environment
        environment = "test/" if test_environment else ""
        self._api_prefix = f"/bot{self.token}/{environment}"
        self._file_prefix = f"/file/bot{self.token}/{environment}"
        self._network = {"proxy": resolve_proxy(proxy), "tls": resolve_tls(tls)}
        self._transport = self._connect(self.base_url, **self._network)
        self._types: dict[str, Any] = {}

    def options(self) -> dict[str, Any]:
        """The arguments that make a twin of this client (the other face, same network)."""
        return {
            "base_url": self.base_url,
            "timeout": self.timeout,
            "retry": self.retry,
            "local_mode": self.local_mode,
            "test_environment": self.test_environment,
            **self._network,
        }

    def _connect(self, base_url: str, *, proxy: str | None, tls: Any) -> Any:
        raise NotImplementedError

    @property
    def proxy(self) -> Any:
        """The :class:`~telewire.core.proxy.Proxy` in use (its str hides credentials)."""
        return self._transport.proxy

    def _method_call(self, method: str, params: dict[str, Any], returns: Any = _UNSET) -> Exchange:
        if returns is _UNSET:
            returns = self._types.get(method)
            if returns is None:
                returns = self._types[method] = result_type(method)
        if not self.local_mode:
            _refuse_local_files(method, params)
        return method_call(
            method,
            params,
            returns,
            path=self._api_prefix + method,
            timeout=long_poll_timeout(method, params, self.timeout),
            retry=self.retry,
        )

    def _file_path(self, file: Any) -> str:
        path = file.get("file_path") if isinstance(file, dict) else getattr(file, "file_path", None)
        if not path:
            raise BadRequest(
                method="getFile",
                error_code=400,
                description="Bad Request: file is not available for download (no file_path)",
            )
        return str(path)

    def _local_file(self, file: Any) -> str | None:
        """In local mode, the absolute path ``getFile`` gave (the file is on this machine)."""
        path = self._file_path(file)
        return path if self.local_mode and os.path.isabs(path) else None

    def _download(self, file: Any, sink: IO[bytes] | None) -> Exchange:
        return file_download(self._file_prefix + self._file_path(file), self.timeout * 4, sink)

    @staticmethod
    def _prepare(destination: str | Path) -> Path:
        from pathlib import Path

        target = Path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def __repr__(self) -> str:
        extra = f", proxy={str(self.proxy)!r}" if self.proxy is not None else ""
        return (
            f"{type(self).__name__}(token={self.token.masked!r}, base_url={self.base_url!r}{extra})"
        )


def _refuse_local_files(method: str, params: dict[str, Any]) -> None:
    """A ``file://`` URI reaches only a local Bot API server; say so before sending."""
    for value in params.values():
        if isinstance(value, str) and value.startswith("file://"):
            raise BadRequest(
                method=method,
                error_code=400,
                description=(
                    "Bad Request: file:// URIs name files on the Bot API server's machine, "
                    "which only a local server (telegram-bot-api --local) reads; pass "
                    "local_mode=True for one, or upload the file with InputFile(path)"
                ),
            )


def copy_local_file(source: str, destination: Path | None) -> Any:
    """A local-mode download: the file's bytes, or ``destination`` written with a copy."""
    import shutil

    try:
        if destination is None:
            with open(source, "rb") as handle:
                return handle.read()
        shutil.copyfile(source, destination)
    except OSError as exc:
        raise OSError(
            f"cannot read {source} that the local Bot API server named "
            f"({exc.strerror or exc}); does this program run on the server's machine?"
        ) from None
    return destination
