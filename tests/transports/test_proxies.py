"""Through real proxies on loopback: HTTP with Basic credentials, HTTPS, SOCKS5 and SOCKS5h.

Every face that makes a client (Bot, AsyncBot, polling, the outbox, ``telewire send``)
reaches an HTTPS stand-in whose CA is passed in, through each kind of proxy; wrong
credentials, an unreachable proxy and a SOCKS error code give one clear line that never
holds the proxy's password.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from telewire import AsyncBot, Bot, NetworkError, RetryPolicy, Router
from telewire.core.errors import ProxyError
from tests.conftest import run_cli
from tests.transports.conftest import Certificates
from tests.transports.proxyservers import PASSWORD, USERNAME, ProxyServer
from tests.transports.standin import TOKEN, BotApiStandIn

KINDS = ["http", "https", "socks5", "socks5h"]
ONCE = RetryPolicy(attempts=1)


@pytest.fixture(scope="module")
def server(certificates: Certificates) -> Iterator[BotApiStandIn]:
    """The Bot API over HTTPS, signed by the test CA that clients are given."""
    stand_in = BotApiStandIn(tls=certificates.server_context())
    yield stand_in
    stand_in.close()


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def proxy(kind: str, certificates: Certificates) -> Iterator[ProxyServer]:
    tls = certificates.server_context() if kind == "https" else None
    server = ProxyServer("socks5" if kind.startswith("socks") else "http", tls=tls)
    yield server
    server.close()


def base_url(server: BotApiStandIn, kind: str) -> str:
    """socks5h sends the name for the proxy to resolve, so use one: localhost."""
    url = server.base_url
    return url.replace("127.0.0.1", "localhost") if kind == "socks5h" else url


def expected_target(server: BotApiStandIn, kind: str) -> str:
    return base_url(server, kind).split("://")[1]


def proxy_url(proxy: ProxyServer, kind: str, **credentials: str) -> str:
    return proxy.url(scheme=kind, **credentials)


def test_bot_and_async_bot_go_through_the_proxy(
    server: BotApiStandIn, proxy: ProxyServer, kind: str, certificates: Certificates
) -> None:
    options: dict[str, Any] = {
        "base_url": base_url(server, kind),
        "proxy": proxy_url(proxy, kind),
        "tls": str(certificates.ca),
        "retry": ONCE,
    }
    with Bot(TOKEN, **options) as bot:
        assert bot.get_me().username == "standin_bot"
        assert bot.send_message(chat_id=7, text="via sync").text == "via sync"
        assert PASSWORD not in repr(bot) and str(bot.proxy) in repr(bot)

    async def calls() -> None:
        async with AsyncBot(TOKEN, **options) as bot:
            assert (await bot.get_me()).username == "standin_bot"
            sent = await asyncio.gather(
                *(bot.send_message(chat_id=7, text=f"async {i}") for i in range(3))
            )
            assert [m.text for m in sent] == ["async 0", "async 1", "async 2"]

    asyncio.run(calls())
    # keep-alive: the sync client tunnels once; the async one once per concurrent request
    assert set(proxy.targets) == {expected_target(server, kind)}
    assert 2 <= len(proxy.targets) <= 5
    assert proxy.refused == 0


@pytest.mark.parametrize("face", ["sync", "async"])
def test_wrong_credentials_are_a_clear_error_without_the_password(
    server: BotApiStandIn, proxy: ProxyServer, kind: str, face: str, certificates: Certificates
) -> None:
    url = proxy_url(proxy, kind, password="not-the-" + PASSWORD)
    options: dict[str, Any] = {"base_url": base_url(server, kind), "proxy": url}
    options.update(tls=str(certificates.ca), retry=ONCE)
    with pytest.raises(ProxyError) as raised:
        if face == "sync":
            Bot(TOKEN, **options).get_me()
        else:

            async def call() -> None:
                async with AsyncBot(TOKEN, **options) as bot:
                    await bot.get_me()

            asyncio.run(call())
    message = str(raised.value)
    assert "refused the username and password" in message
    assert f"127.0.0.1:{proxy.port}" in message
    assert "pa:ss" not in message and "ss@w" not in message and USERNAME not in message
    assert proxy.refused == 1 and proxy.targets == []


def test_polling_goes_through_the_proxy(
    server: BotApiStandIn, proxy: ProxyServer, kind: str, certificates: Certificates
) -> None:
    from telewire import start_polling

    router = Router()

    @router.message()
    async def echo(ctx: Any) -> None:
        await ctx.reply(f"echo {ctx.text}")

    update_id = 1000 + len(server.updates)
    server.push_update(
        {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": 99, "type": "private"},
                "from": {"id": 99, "is_bot": False, "first_name": "Ann"},
                "text": f"hello {kind}",
            },
        }
    )

    async def poll() -> None:
        task = asyncio.create_task(
            start_polling(
                router,
                token=TOKEN,
                base_url=base_url(server, kind),
                proxy=proxy_url(proxy, kind),
                tls=str(certificates.ca),
                handle_signals=False,
            )
        )
        await asyncio.to_thread(
            server.wait_until,
            lambda: any(
                m.get("text") == f"echo hello {kind}" for m in server.methods("sendMessage")
            ),
        )
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(poll())
    assert set(proxy.targets) == {expected_target(server, kind)}


@pytest.mark.parametrize("face", ["sync", "async"])
def test_the_outbox_delivers_through_the_proxy(
    server: BotApiStandIn,
    proxy: ProxyServer,
    kind: str,
    face: str,
    certificates: Certificates,
    tmp_path: Path,
) -> None:
    from telewire import AsyncOutbox, Outbox

    text = f"outbox {face} {kind}"
    options: dict[str, Any] = {
        "token": TOKEN,
        "base_url": base_url(server, kind),
        "chat_id": 5,
        "proxy": proxy_url(proxy, kind),
        "tls": str(certificates.ca),
    }
    if face == "sync":
        with Outbox(tmp_path / "outbox.db", **options) as outbox:
            outbox.notify(text)
            assert outbox.flush(20)
    else:

        async def deliver() -> None:
            async with AsyncOutbox(tmp_path / "outbox.db", **options) as outbox:
                await outbox.notify(text)
                assert await outbox.flush(20)

        asyncio.run(deliver())
    assert any(m.get("text") == text for m in server.methods("sendMessage"))
    assert set(proxy.targets) == {expected_target(server, kind)}


def test_telewire_send_goes_through_the_proxy(
    server: BotApiStandIn,
    proxy: ProxyServer,
    kind: str,
    certificates: Certificates,
    tmp_path: Path,
) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": base_url(server, kind),
        "TELEGRAM_CHAT_ID": "11",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    text = f"cli via {kind}"
    sent = run_cli(
        "send",
        text,
        "--proxy",
        proxy_url(proxy, kind),
        "--ca-bundle",
        str(certificates.ca),
        env=env,
    )
    assert sent.returncode == 0, sent.stderr
    assert any(m.get("text") == text for m in server.methods("sendMessage"))
    assert proxy.targets == [expected_target(server, kind)]

    # TELEGRAM_PROXY in the environment, with wrong credentials: one clear line, exit 1
    env["TELEGRAM_PROXY"] = proxy_url(proxy, kind, username="intruder")
    env["TELEGRAM_CA_BUNDLE"] = str(certificates.ca)
    refused = run_cli("send", "never arrives", env=env)
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("telewire send: "), refused.stderr
    assert "refused the username and password" in lines[0]
    assert "intruder" not in refused.stderr and "ss%40w" not in refused.stderr
    assert "pa:ss" not in refused.stderr


@pytest.mark.parametrize("face", ["sync", "async"])
def test_an_unreachable_proxy_is_named_in_the_error(face: str) -> None:
    import socket

    with socket.socket() as placeholder:  # a port nobody listens on
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    options: dict[str, Any] = {
        "base_url": "https://api.telegram.org",
        "proxy": f"socks5://someone:{PASSWORD.replace('@', '%40')}@127.0.0.1:{port}",
        "retry": ONCE,
    }
    with pytest.raises(NetworkError) as raised:
        if face == "sync":
            Bot(TOKEN, **options).get_me()
        else:

            async def call() -> None:
                async with AsyncBot(TOKEN, **options) as bot:
                    await bot.get_me()

            asyncio.run(call())
    message = str(raised.value)
    assert f"cannot reach the proxy at 127.0.0.1:{port}" in message
    assert "someone" not in message and "pa:ss" not in message


@pytest.mark.parametrize("face", ["sync", "async"])
def test_a_socks_error_code_is_reported(face: str) -> None:
    import socket

    proxy = ProxyServer("socks5")
    with socket.socket() as placeholder:  # the server behind the proxy is not there
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    options: dict[str, Any] = {
        "base_url": f"http://127.0.0.1:{port}",
        "proxy": proxy.url(),
        "retry": ONCE,
    }
    try:
        with pytest.raises(NetworkError) as raised:
            if face == "sync":
                Bot(TOKEN, **options).get_me()
            else:

                async def call() -> None:
                    async with AsyncBot(TOKEN, **options) as bot:
                        await bot.get_me()

                asyncio.run(call())
    finally:
        proxy.close()
    assert "connection refused by the server (SOCKS error 5)" in str(raised.value)
    assert not isinstance(raised.value, ProxyError)  # transient: retried by the retry model


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_http_targets_use_absolute_form_with_credentials(
    scheme: str, certificates: Certificates
) -> None:
    """A plain-http server behind an HTTP(S) proxy: absolute form, Basic credentials."""
    server = BotApiStandIn()
    proxy = ProxyServer("http", tls=certificates.server_context() if scheme == "https" else None)
    ca = str(certificates.ca)
    wrong = proxy.url(password="wrong")
    try:
        with Bot(TOKEN, base_url=server.base_url, proxy=proxy.url(), tls=ca, retry=ONCE) as bot:
            assert bot.get_me().username == "standin_bot"
        with pytest.raises(ProxyError, match=r"refused the username and password \(HTTP 407\)"):
            Bot(TOKEN, base_url=server.base_url, proxy=wrong, tls=ca, retry=ONCE).get_me()

        async def call() -> None:
            async with AsyncBot(
                TOKEN, base_url=server.base_url, proxy=proxy.url(), tls=ca, retry=ONCE
            ) as bot:
                assert (await bot.get_me()).username == "standin_bot"
            async with AsyncBot(
                TOKEN, base_url=server.base_url, proxy=wrong, tls=ca, retry=ONCE
            ) as bot:
                with pytest.raises(ProxyError, match="refused the username and password"):
                    await bot.get_me()

        asyncio.run(call())
    finally:
        proxy.close()
        server.close()
    assert len(proxy.forwarded) == 2 and proxy.refused == 2
    assert all(line.startswith(b"POST http://127.0.0.1:") for line in proxy.forwarded)


def test_an_explicit_proxy_beats_no_proxy_and_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from telewire.transports.proxies import proxy_for

    monkeypatch.setenv("HTTPS_PROXY", "http://env-proxy:3128")
    monkeypatch.setenv("NO_PROXY", "*")
    assert proxy_for("https://api.telegram.org") is None
    chosen = proxy_for("https://127.0.0.1:8443", "socks5h://u:p@corp:1080")
    assert str(chosen) == "socks5h://***@corp:1080"
    monkeypatch.setenv("TELEGRAM_PROXY", "http://tp:1")
    assert str(Bot(TOKEN, base_url="http://127.0.0.1:1").proxy) == "http://tp:1"


def test_bot_uses_the_saved_proxy_after_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from telewire import settings

    monkeypatch.setenv("TELEWIRE_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.delenv("TELEGRAM_PROXY", raising=False)
    settings.Settings(token=TOKEN, proxy="socks5h://me:secret@saved:1080").save()
    bot = Bot(base_url="http://127.0.0.1:1")
    assert str(bot.proxy) == "socks5h://***@saved:1080" and "secret" not in repr(bot)
    monkeypatch.setenv("TELEGRAM_PROXY", "http://from-env:3128")
    assert str(Bot(base_url="http://127.0.0.1:1").proxy) == "http://from-env:3128"
    assert str(Bot(base_url="http://127.0.0.1:1", proxy="socks5://arg:1").proxy) == (
        "socks5://arg:1"
    )
