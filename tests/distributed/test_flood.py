"""Three workers answering 600 messages over 200 chats against an emulator that enforces
Telegram's flood limits: no 429, and at least 90 % of the allowed 30 messages a second."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from telewire.emulator import Emulator
from telewire.testing.handle import EmulatorHandle
from telewire.testing.servers import RedisServer
from tests.distributed.cluster import Cluster, send_all

pytestmark = pytest.mark.slow


def test_three_workers_share_one_flood_limit(redis_server: RedisServer, tmp_path: Path) -> None:
    server = Emulator(telegram_limits=True).in_thread()
    emulator = EmulatorHandle(server.base_url, server.token)
    cluster = Cluster(emulator, redis_server.url, tmp_path)
    try:
        cluster.ingress()
        for _ in range(3):
            cluster.worker(flood_limit=True)
        time.sleep(2)  # the workers share out the partitions before the burst
        send_all(emulator, 200, 600)
        first = last = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            stats = emulator.stats()
            if first is None and stats["bot_messages"] > 0:
                first = time.monotonic()
            if stats["bot_messages"] >= 600:
                last = time.monotonic()
                break
            time.sleep(0.05)
        refused = emulator.stats()["429"]
    finally:
        cluster.stop()
        emulator.close()
        server.close()
    assert first is not None and last is not None, cluster.log_tail()
    assert refused == 0
    # The first 30 may go at once (a full window); the pace is what follows them. (No
    # upper bound here: the emulator's zero 429s say the limit was never exceeded.)
    rate = (600 - 30) / (last - first)
    assert rate >= 0.9 * 30, f"{rate:.1f} messages/s"
