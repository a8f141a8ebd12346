"""pytest plugin (entry point ``pytest11``): test a bot offline in a few lines.

    def test_hello(emulator):
        alice = emulator.user("Alice")
        start_my_bot(token=emulator.token, base_url=emulator.base_url)
        emulator.send(alice, "hello")
        assert "Hey" in emulator.expect_reply(alice.id).text

Each test gets a fresh emulator on a free loopback port, stopped afterwards. An outage is
``with emulator.down(): ...`` (or ``emulator.stop()`` ... ``emulator.start()``): the port
refuses connections meanwhile, and comes back with every chat and pending update.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from telewire.testing.handle import EmulatorHandle


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
