"""An asyncio HTTP transport on aiohttp: a keep-alive pool shared by all requests."""

from __future__ import annotations

import asyncio
from typing import IO, Any

import aiohttp

from telewire.core.errors import NetworkError, TimedOut
from telewire.transports.proxies import proxy_for


class AsyncTransport:
    """One aiohttp session per transport, created on first use inside the running loop."""

    def __init__(self, base_url: str, *, connect_timeout: float = 10.0, limit: int = 100) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"invalid API base URL {base_url!r}: expected http(s)://host[:port]")
        self._base_url = base_url.rstrip("/")
        self._connect_timeout = connect_timeout
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None
        self._proxy = proxy_for(self._base_url)
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limit, ttl_dns_cache=300)
            # trust_env=True would look proxies (and .netrc) up in a thread for every request;
            # the proxy for our one server is decided once instead (see proxy_for).
            self._session = aiohttp.ClientSession(
                connector=connector, skip_auto_headers=("User-Agent",)
            )
        return self._session

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
        session = self._open()
        headers = {"Content-Type": content_type} if content_type else None
        limits = self._timeouts.get(timeout)
        if limits is None:
            limits = self._timeouts[timeout] = aiohttp.ClientTimeout(
                total=timeout, connect=self._connect_timeout
            )
        try:
            async with session.request(
                verb,
                self._base_url + path,
                data=body,
                headers=headers,
                timeout=limits,
                proxy=self._proxy,
            ) as response:
                if sink is None:
                    return response.status, await response.read()
                async for chunk in response.content.iter_chunked(65536):
                    sink.write(chunk)
                return response.status, b""
        except aiohttp.ClientConnectorError as exc:
            raise NetworkError(
                f"{what}: cannot reach the API server ({exc.os_error.strerror or exc.os_error})",
                method=what,
            ) from None
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
            raise TimedOut(
                f"{what}: no reply within {timeout:g}s", method=what, sent=True
            ) from None
        except aiohttp.ClientError as exc:
            raise NetworkError(
                f"{what}: connection lost ({type(exc).__name__})", method=what, sent=True
            ) from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def __del__(self) -> None:
        session: Any = self._session
        if session is not None and not session.closed and session.connector is not None:
            session.connector._close()  # no loop may be left to await close()
