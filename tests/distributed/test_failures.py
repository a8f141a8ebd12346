"""The cluster under failure, each run in fresh processes: a worker killed with -9, Redis
stopped for 10 seconds, the leading pump killed. Nothing is lost, per-chat order holds,
and the only repeats are updates that were in flight."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest
import redis

from telewire.core.token import Token
from telewire.testing.handle import EmulatorHandle
from telewire.testing.servers import RedisServer
from tests.distributed.cluster import (
    Cluster,
    DurableRedis,
    first_occurrences,
    send_all,
    wait_all_answered,
)

pytestmark = pytest.mark.slow
IN_FLIGHT = 32


def check(sent: dict[int, int], got: dict[int, list[int]], most_repeats: int) -> None:
    repeats = 0
    for chat_id, count in sent.items():
        assert first_occurrences(got[chat_id]) == list(range(count)), f"chat {chat_id}"
        repeats += len(got[chat_id]) - count
    assert repeats <= most_repeats, f"{repeats} answers repeated"


def test_worker_killed_mid_run_loses_nothing_and_keeps_order(
    emulator: EmulatorHandle, redis_server: RedisServer, tmp_path: Path
) -> None:
    cluster = Cluster(emulator, redis_server.url, tmp_path)
    try:
        cluster.ingress()
        workers = [cluster.worker("--max-in-flight", str(IN_FLIGHT)) for _ in range(3)]

        def kill_one(n: int) -> None:
            if n == 1500:
                workers[0].send_signal(signal.SIGKILL)

        sent = send_all(emulator, 200, 3000, kill_one)
        got = wait_all_answered(emulator, sent, 120, cluster)
    finally:
        cluster.stop()
    assert workers[0].returncode == -signal.SIGKILL
    check(sent, got, IN_FLIGHT)


def test_redis_stopped_for_10_seconds_loses_nothing(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    server = DurableRedis(tmp_path)
    cluster = Cluster(emulator, server.url, tmp_path)

    def stop_for_10_seconds() -> None:
        server.stop()
        time.sleep(10)
        server.start()

    outage = threading.Thread(target=stop_for_10_seconds)
    try:
        cluster.ingress()
        for _ in range(3):
            cluster.worker("--max-in-flight", str(IN_FLIGHT))

        def stop_redis(n: int) -> None:
            if n == 800:
                outage.start()

        sent = send_all(emulator, 100, 2000, stop_redis)
        outage.join()
        got = wait_all_answered(emulator, sent, 120, cluster)
        refused = (tmp_path / "ingress-0.log").read_text()
    finally:
        cluster.stop()
        server.stop()
    assert "answering 503" in refused  # the ingress refused while Redis was away
    check(sent, got, 3 * IN_FLIGHT)


def test_pump_killed_a_standby_takes_over(
    emulator: EmulatorHandle, redis_server: RedisServer, tmp_path: Path
) -> None:
    cluster = Cluster(emulator, redis_server.url, tmp_path)
    lease_key = f"telewire:{Token(emulator.token).bot_id}:pump"
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    killed: list[int] = []

    def kill_leader(n: int) -> None:
        if n == 1000:
            deadline = time.monotonic() + 30  # the pumps may still be starting
            while (holder := client.get(lease_key)) is None and time.monotonic() < deadline:
                time.sleep(0.1)
            assert holder is not None, "no pump leads"
            time.sleep(1.0)  # it is pumping: kill it mid-run
            pid = int(str(holder).split(":")[2])
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    try:
        pumps = [cluster.pump() for _ in range(2)]
        for _ in range(3):
            cluster.worker("--max-in-flight", str(IN_FLIGHT))
        sent = send_all(emulator, 100, 2000, kill_leader)
        got = wait_all_answered(emulator, sent, 120, cluster)
        leader = client.get(lease_key)
    finally:
        cluster.stop()
        client.close()
    assert killed and killed[0] in {p.pid for p in pumps}
    assert leader is not None and int(str(leader).split(":")[2]) != killed[0]
    check(sent, got, 0)  # a pump's replay is deduplicated: no answer repeats
