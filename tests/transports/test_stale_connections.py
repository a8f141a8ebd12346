"""Servers that close keep-alive connections: no message lost, none repeated, no timeout.

Each scenario runs through ``Bot`` and ``AsyncBot`` (the ``connect`` fixture). Waits are
on what the server did (a connection it closed, a request that arrived), never on time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from telewire import RetryPolicy
from tests.conftest import FAST_RETRY
from tests.transports.conftest import Connect
from tests.transports.standin import BotApiStandIn

CLIENT_TIMEOUT = 10.0
NO_RETRY = RetryPolicy(attempts=1)
Standin = Callable[..., BotApiStandIn]


def texts(server: BotApiStandIn) -> list[str]:
    return [params["text"] for params in server.methods("sendMessage")]


def test_a_connection_the_server_closed_while_idle_is_not_reused(
    standin: Standin, connect: Connect
) -> None:
    # No retries: the dead connection must be noticed before the request is written.
    server = standin(idle_close=1.0)
    face = connect(server, timeout=CLIENT_TIMEOUT, retry=NO_RETRY)
    for round in range(1, 4):
        face.call("sendMessage", chat_id=1, text=f"before {round}")
        face.wait_until(server, lambda: server.closed_idle >= round)
        started = time.monotonic()
        face.call("sendMessage", chat_id=1, text=f"after {round}")
        assert time.monotonic() - started < CLIENT_TIMEOUT / 2
    assert texts(server) == [f"{when} {n}" for n in (1, 2, 3) for when in ("before", "after")]
    assert server.connections == 4


def test_a_connection_idle_longer_than_max_idle_is_replaced(
    standin: Standin, connect: Connect
) -> None:
    server = standin()  # keeps connections open: only the client's own expiry acts
    face = connect(server, retry=NO_RETRY)
    face.transport.max_idle = 0.2
    face.call("getMe")
    face.call("getMe")
    assert server.connections == 1  # reused while fresh
    time.sleep(0.3)  # the quiet period under test: longer than max_idle
    face.call("getMe")
    assert server.connections == 2


@pytest.mark.parametrize("limit", [1, 3])
def test_a_server_closing_after_n_requests_loses_and_repeats_nothing(
    standin: Standin, connect: Connect, limit: int
) -> None:
    server = standin(requests_per_connection=limit)
    face = connect(server, timeout=CLIENT_TIMEOUT, retry=FAST_RETRY)
    for n in range(20):
        face.call("sendMessage", chat_id=1, text=str(n))
    assert texts(server) == [str(n) for n in range(20)]
    assert server.connections >= 20 // limit


def test_the_long_poll_survives_a_server_closing_idle_connections(
    standin: Standin, connect: Connect
) -> None:
    server = standin(idle_close=1.0)
    face = connect(server, timeout=CLIENT_TIMEOUT, retry=NO_RETRY)
    for round in range(1, 3):
        assert face.call("getUpdates", offset=round, timeout=1) == []  # held, then empty
        face.wait_until(server, lambda: server.closed_idle >= round)

        def deliver(update_id: int = round) -> None:
            server.wait_until(lambda: len(server.methods("getUpdates")) == 2 * update_id)
            server.push_update(update(update_id))

        threading.Thread(target=deliver, daemon=True).start()
        started = time.monotonic()
        got = face.call("getUpdates", offset=round, timeout=5)
        assert time.monotonic() - started < CLIENT_TIMEOUT / 2
        assert [u.update_id for u in got] == [round]
    assert len(server.methods("getUpdates")) == 4


def update(update_id: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": 7, "type": "private"},
            "from": {"id": 7, "is_bot": False, "first_name": "Ann"},
            "text": f"update {update_id}",
        },
    }
