"""Transport details: upload progress, proxy choice from the environment."""

from __future__ import annotations

import pytest

from telewire import InputFile
from telewire.client.blocking import BlockingClient
from telewire.testing import EmulatorHandle, TestUser
from telewire.transports.proxies import proxy_for


def test_large_uploads_report_progress(emulator: EmulatorHandle, alice: TestUser) -> None:
    seen: list[tuple[int, int]] = []
    with BlockingClient(emulator.token, base_url=emulator.base_url) as client:
        client.upload_progress = lambda done, total: seen.append((done, total))
        sent = client.request(
            "sendDocument",
            {"chat_id": alice.id, "document": InputFile(b"x" * 3_000_000, filename="big.bin")},
        )
    assert sent["document"]["file_size"] == 3_000_000
    assert len(seen) > 5 and seen[-1][0] == seen[-1][1] and seen == sorted(seen)


@pytest.mark.parametrize(
    ("env", "url", "expected"),
    [
        ({}, "https://api.telegram.org", None),
        ({"HTTPS_PROXY": "http://proxy:3128"}, "https://api.telegram.org", "http://proxy:3128"),
        ({"https_proxy": "proxy:3128"}, "https://api.telegram.org", "http://proxy:3128"),
        (
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "telegram.org"},
            "https://api.telegram.org",
            None,
        ),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, "https://api.telegram.org", None),
        ({"HTTP_PROXY": "http://p:1"}, "http://127.0.0.1:8081", None),
        ({"ALL_PROXY": "http://p:2"}, "http://example.test", "http://p:2"),
    ],
)
def test_proxies_come_from_the_standard_variables(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], url: str, expected: str | None
) -> None:
    for name in (
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    chosen = proxy_for(url)
    assert (str(chosen) if chosen else None) == expected


class FakeProxy:
    """Records what reaches a proxy and answers with a canned reply."""

    def __init__(self, answer: bytes) -> None:
        import socket
        import threading

        self.answer = answer
        self.seen: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            connection, _ = self.sock.accept()
            data = b""
            while b"\r\n\r\n" not in data:
                data += connection.recv(65536)
            head, _, rest = data.partition(b"\r\n\r\n")
            length = next(
                (
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                ),
                0,
            )
            while len(rest) < length:
                rest += connection.recv(65536)
            self.seen.append(head)
            connection.sendall(self.answer)
            connection.close()


REPLY = (
    b'HTTP/1.1 200 OK\r\nContent-Length: 25\r\nConnection: close\r\n\r\n{"ok":true,"result":true}'
)


@pytest.mark.parametrize("face", ["sync", "async"])
def test_http_targets_go_through_the_proxy_in_absolute_form(
    monkeypatch: pytest.MonkeyPatch, face: str
) -> None:
    import asyncio

    from telewire.client.async_bot import AsyncBot

    proxy = FakeProxy(REPLY)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    token = "42:" + "p" * 30
    if face == "sync":
        assert (
            BlockingClient(token, base_url="http://api.example.test").request("close", {}) is True
        )
    else:

        async def call() -> object:
            async with AsyncBot(token, base_url="http://api.example.test") as bot:
                return await bot.request("close", {})

        assert asyncio.run(call()) is True
    assert proxy.seen[0].startswith(
        b"POST http://api.example.test:80/bot42:" + b"p" * 30 + b"/close HTTP/1.1"
    )


@pytest.mark.parametrize("face", ["sync", "async"])
def test_https_through_a_refusing_proxy_is_a_clear_proxy_error(
    monkeypatch: pytest.MonkeyPatch, face: str
) -> None:
    import asyncio

    from telewire import ProxyError, RetryPolicy
    from telewire.client.async_bot import AsyncBot

    proxy = FakeProxy(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    options = {"base_url": "https://api.example.test", "retry": RetryPolicy(attempts=1)}

    async def call() -> object:
        async with AsyncBot("42:" + "p" * 30, **options) as bot:  # type: ignore[arg-type]
            return await bot.get_me()

    with pytest.raises(ProxyError, match=r"refused to connect to api.example.test:443 \(HTTP 403"):
        if face == "sync":
            BlockingClient("42:" + "p" * 30, **options).request("getMe", {})  # type: ignore[arg-type]
        else:
            asyncio.run(call())
    assert proxy.seen[0].startswith(b"CONNECT api.example.test:443 HTTP/1.1")
