"""What the sync and async clients share above the core: configuration and bookkeeping."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from telewire.client.config import long_poll_timeout, resolve_base_url, resolve_token
from telewire.core.errors import BadRequest
from telewire.core.exchange import Exchange, file_download, method_call
from telewire.core.retry import RetryPolicy

if TYPE_CHECKING:
    from pathlib import Path

_UNSET: Any = object()


def result_type(method: str) -> Any:
    """The type a method's result decodes into (``Any`` for methods the spec lacks)."""
    from telewire.api._generated.methods import METHODS

    spec = METHODS.get(method.lower())
    return spec.returns if spec is not None else Any


class ClientBase:
    """Token, server, timeouts and retry policy; the transport comes from the subclass."""

    __slots__ = ("_transport", "_types", "base_url", "retry", "timeout", "token")

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.token = resolve_token(token)
        self.base_url = resolve_base_url(base_url)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._transport = self._connect(self.base_url)
        self._types: dict[str, Any] = {}

    def _connect(self, base_url: str) -> Any:
        raise NotImplementedError

    def _method_call(self, method: str, params: dict[str, Any], returns: Any = _UNSET) -> Exchange:
        if returns is _UNSET:
            returns = self._types.get(method)
            if returns is None:
                returns = self._types[method] = result_type(method)
        return method_call(
            method,
            params,
            returns,
            path=f"/bot{self.token}/{method}",
            timeout=long_poll_timeout(method, params, self.timeout),
            retry=self.retry,
        )

    def _download(self, file: Any, sink: IO[bytes] | None) -> Exchange:
        path = file.get("file_path") if isinstance(file, dict) else getattr(file, "file_path", None)
        if not path:
            raise BadRequest(
                method="getFile",
                error_code=400,
                description="Bad Request: file is not available for download (no file_path)",
            )
        return file_download(f"/file/bot{self.token}/{path}", self.timeout * 4, sink)

    @staticmethod
    def _prepare(destination: str | Path) -> Path:
        from pathlib import Path

        target = Path(destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def __repr__(self) -> str:
        return f"{type(self).__name__}(token={self.token.masked!r}, base_url={self.base_url!r})"
