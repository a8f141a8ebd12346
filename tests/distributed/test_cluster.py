"""Ingress and three workers as separate processes on a real redis-server, against the
emulator's webhook delivery: every update answered, exactly once, in order per chat."""

from __future__ import annotations

from pathlib import Path

import pytest

from telewire.testing.handle import EmulatorHandle
from telewire.testing.servers import RedisServer
from tests.distributed.cluster import Cluster, send_all, wait_all_answered

pytestmark = pytest.mark.slow


def test_5000_updates_over_200_chats_answered_exactly_once_in_order(
    emulator: EmulatorHandle, redis_server: RedisServer, tmp_path: Path
) -> None:
    cluster = Cluster(emulator, redis_server.url, tmp_path)
    try:
        cluster.ingress()
        for _ in range(3):
            cluster.worker()
        sent = send_all(emulator, 200, 5000)
        got = wait_all_answered(emulator, sent, 120, cluster)
    finally:
        cluster.stop()
    for chat_id, count in sent.items():
        assert got[chat_id] == list(range(count)), f"chat {chat_id}: {got[chat_id]}"
