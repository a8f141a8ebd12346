"""Both client faces behind one set of blocking calls, so one scenario runs through both."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
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
