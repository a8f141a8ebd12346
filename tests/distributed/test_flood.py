"""Three workers answering 600 messages over 200 chats against an emulator that enforces
Telegram's flood limits: no 429, and at least 90 % of the allowed 30 messages a second;
the same with an outbox sending beside them in the windows they share."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from telewire.distributed import shared_flood_limit
from telewire.emulator import Emulator
from telewire.features.outbox import Outbox
from telewire.storage import StorageUnavailable
from telewire.testing.handle import EmulatorHandle
from telewire.testing.servers import RedisServer, free_port
from tests.distributed.cluster import Cluster, send_all

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("outbox", [False, True], ids=["workers", "workers+outbox"])
def test_three_workers_share_one_flood_limit(
    redis_server: RedisServer, tmp_path: Path, outbox: bool
) -> None:
    server = Emulator(telegram_limits=True).in_thread()
    emulator = EmulatorHandle(server.base_url, server.token)
    cluster = Cluster(emulator, redis_server.url, tmp_path)
    news = 150 if outbox else 0  # queued by a program beside the bot, to the same users
    expected = 600 + news
    beside = None
    try:
        cluster.ingress()
        for _ in range(3):
            cluster.worker(flood_limit=True)
        time.sleep(2)  # the workers share out the partitions before the burst
        if outbox:
            gate = shared_flood_limit(redis_server.url, token=emulator.token)
            beside = Outbox(tmp_path / "news.db", token=emulator.token,
                            base_url=emulator.base_url, limits=gate)  # fmt: skip
        sent = send_all(emulator, 200, 600)
        for n, chat in zip(range(news), itertools.cycle(sent), strict=False):
            assert beside is not None
            beside.notify(f"news {n}", chat_id=chat)
        first = last = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            stats = emulator.stats()
            if first is None and stats["bot_messages"] > 0:
                first = time.monotonic()
            if stats["bot_messages"] >= expected:
                last = time.monotonic()
                break
            time.sleep(0.05)
        refused = emulator.stats()["429"]
    finally:
        if beside is not None:
            beside.close(timeout=1)
        cluster.stop()
        emulator.close()
        server.close()
    assert first is not None and last is not None, cluster.log_tail()
    assert refused == 0
    # The first 30 may go at once (a full window); the pace is what follows them. (No
    # upper bound here: the emulator's zero 429s say the limit was never exceeded.)
    rate = (expected - 30) / (last - first)
    assert rate >= 0.9 * 30, f"{rate:.1f} messages/s"


def test_the_shared_limit_says_in_one_line_when_redis_is_away(
    emulator: EmulatorHandle, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    outbox = Outbox(tmp_path / "o.db", token=emulator.token, base_url=emulator.base_url,
                    limits=shared_flood_limit(url, token=emulator.token))  # fmt: skip
    try:
        outbox.notify("held until the count can be asked", chat_id=emulator.user("Ann").id)
        deadline = time.monotonic() + 10
        while "outbox paused" not in caplog.text:  # the sender says so, once, and waits
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.05)
        assert outbox._thread is not None and outbox._thread.is_alive()
        assert outbox.status()["pending"] == 1 and emulator.stats()["bot_messages"] == 0
    finally:
        outbox.close(timeout=0.2)  # it stays queued in the file for the next start
    assert "s3cret" not in caplog.text
    gate = shared_flood_limit(url, token="123456:" + "A" * 35)
    with pytest.raises(StorageUnavailable) as away:  # the outbox's sender waits this out
        gate.wait_for(42, False)
    message = str(away.value)
    assert "cannot reach Redis at redis://127.0.0.1" in message and "shared flood" in message
    assert "s3cret" not in message and "\n" not in message
    assert gate.layout.namespace == "telewire:123456"  # the workers' windows for this bot
