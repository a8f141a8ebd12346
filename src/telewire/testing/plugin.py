"""pytest plugin (entry point ``pytest11``): test a bot offline in a few lines.

    def test_hello(emulator):
        alice = emulator.user("Alice")
        start_my_bot(token=emulator.token, base_url=emulator.base_url)
        emulator.send(alice, "hello")
        assert "Hey" in emulator.expect_reply(alice.id).text

Each test gets a fresh emulator on a free loopback port, stopped afterwards. An outage is
``with emulator.down(): ...`` (or ``emulator.stop()`` ... ``emulator.start()``): the port
refuses connections meanwhile, and comes back with every chat and pending update.
``redis_server`` and ``postgres_server`` start real storage servers once per session;
``fake_clock`` is a clock for :class:`telewire.jobs.Scheduler` that moves only when told::

    jobs = Scheduler(open_storage("memory://"), clock=fake_clock)
    with emulator.run(router, jobs=jobs):
        emulator.send(alice, "/remind 10 tea")
        emulator.expect_reply(alice.id)          # "OK, in 10 minutes…": the job is stored
        fake_clock.advance(600)                  # ten minutes, at once
        emulator.wait_for(alice.id, lambda message: message.text == "⏰ tea")
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from telewire.testing.handle import EmulatorHandle

if TYPE_CHECKING:
    from telewire.jobs import FakeClock
    from telewire.testing.servers import PostgresServer, RedisServer


@pytest.fixture
def emulator() -> Iterator[EmulatorHandle]:
    """A fresh emulator with one bot; the handle acts as its users."""
    from telewire.emulator import Emulator

    server = Emulator().in_thread()
    handle = EmulatorHandle(server.base_url, server.token, server=server)
    try:
        yield handle
    finally:
        handle.close()
        server.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real ``redis-server`` on a free loopback port, shared by the session (``.url``)."""
    from telewire.testing.servers import RedisServer

    server = RedisServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL cluster on a free loopback port, shared by the session (``.url``)."""
    from telewire.testing.servers import PostgresServer

    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_clock() -> FakeClock:
    """A :class:`~telewire.jobs.FakeClock` for schedulers: ``fake_clock.advance(seconds)``."""
    from telewire.jobs import FakeClock

    return FakeClock()
