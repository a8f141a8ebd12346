"""Both client faces behind one set of blocking calls, so one scenario runs through both."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from telewire import AsyncBot, Bot
from tests.transports.standin import TOKEN, BotApiStandIn


class SyncFace:
    """``telewire.Bot`` against a stand-in."""

    def __init__(self, server: BotApiStandIn, **options: Any) -> None:
        self.bot = Bot(TOKEN, base_url=server.base_url, **options)
        self.transport = self.bot._transport

    def call(self, method: str, **params: Any) -> Any:
        return self.bot.call(method, **params)

    def wait_until(self, server: BotApiStandIn, condition: Callable[[], bool]) -> None:
        server.wait_until(condition)

    def close(self) -> None:
        self.bot.close()


class AsyncFace:
    """``telewire.AsyncBot`` on an event loop of its own; it runs only inside these calls."""

    def __init__(self, server: BotApiStandIn, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.bot = AsyncBot(TOKEN, base_url=server.base_url, **options)
        self.transport = self.bot._transport

    def call(self, method: str, **params: Any) -> Any:
        return self.loop.run_until_complete(self.bot.call(method, **params))

    def wait_until(self, server: BotApiStandIn, condition: Callable[[], bool]) -> None:
        """Wait with the loop running, as a live bot's loop runs while it has nothing to do."""
        self.loop.run_until_complete(asyncio.to_thread(server.wait_until, condition))

    def close(self) -> None:
        self.loop.run_until_complete(self.bot.close())
        self.loop.close()


Face = SyncFace | AsyncFace
Connect = Callable[..., Face]


@pytest.fixture
def standin() -> Iterator[Callable[..., BotApiStandIn]]:
    """Start stand-in servers (``standin(idle_close=1.0)``); all stop after the test."""
    servers: list[BotApiStandIn] = []

    def start(**behaviour: Any) -> BotApiStandIn:
        servers.append(BotApiStandIn(**behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(params=["sync", "async"])
def connect(request: pytest.FixtureRequest) -> Iterator[Connect]:
    """Make a client of one face (the test runs once per face) for a stand-in."""
    faces: list[Face] = []

    def make(server: BotApiStandIn, **options: Any) -> Face:
        face = (
            SyncFace(server, **options) if request.param == "sync" else AsyncFace(server, **options)
        )
        faces.append(face)
        return face

    yield make
    for face in faces:
        face.close()


class Certificates:
    """A test CA and a server certificate it signed for 127.0.0.1 and localhost."""

    def __init__(self, folder: Path) -> None:
        self.ca = folder / "ca.pem"
        self.cert, self.key = folder / "server.pem", folder / "server.key"
        ca_key = folder / "ca.key"
        openssl = ["openssl"]
        curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        subprocess.run(
            [
                *openssl,
                "req",
                "-x509",
                *curve,
                "-days",
                "2",
                "-subj",
                "/CN=telewire test CA",
                "-keyout",
                ca_key,
                "-out",
                self.ca,
            ],
            check=True,
            capture_output=True,
        )
        request = folder / "server.csr"
        subprocess.run(
            [
                *openssl,
                "req",
                *curve,
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                self.key,
                "-out",
                request,
            ],
            check=True,
            capture_output=True,
        )
        names = folder / "names.ext"
        names.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        subprocess.run(
            [
                *openssl,
                "x509",
                "-req",
                "-in",
                request,
                "-CA",
                self.ca,
                "-CAkey",
                ca_key,
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                names,
                "-out",
                self.cert,
            ],
            check=True,
            capture_output=True,
        )

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("ca"))
