"""`telewire serve` as users run it: clear errors, metrics and health, workers joining and
leaving without a stop, SIGTERM giving the partitions back at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import redis

from telewire.core.token import Token
from telewire.testing.handle import EmulatorHandle
from telewire.testing.servers import RedisServer, free_port
from tests.distributed.cluster import ROOT, Cluster


def serve(*args: str, token: str = "123456:" + "A" * 35) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "PYTHONPATH": str(ROOT)}
    env.pop("TELEWIRE_ROLE", None)
    env.pop("TELEWIRE_REDIS", None)
    command = [sys.executable, "-m", "telewire", "serve", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


def test_serve_says_what_is_missing_in_one_line(redis_server: RedisServer) -> None:
    no_role = serve("tests.distributed.echo_app:router", "--redis", redis_server.url)
    assert no_role.returncode == 2
    assert "--role ingress, pump or worker" in no_role.stderr
    assert len(no_role.stderr.strip().splitlines()) == 1
    no_secret = serve("x:y", "--redis", redis_server.url, "--role", "ingress")
    assert no_secret.returncode == 2 and "--secret" in no_secret.stderr
    bad_url = serve("x:y", "--redis", "http://nope", "--role", "pump")
    assert bad_url.returncode == 2 and "not a Redis URL" in bad_url.stderr
    away = serve("x:y", "--redis", f"redis://:hunter2@127.0.0.1:{free_port()}/0", "--role", "pump")
    assert away.returncode == 2 and "cannot reach Redis" in away.stderr
    assert "hunter2" not in away.stderr
    bad_app = serve("nosuchmodule:router", "--redis", redis_server.url, "--role", "worker")
    assert bad_app.returncode == 2 and "cannot import 'nosuchmodule'" in bad_app.stderr
    app = "tests.distributed.echo_app:router"
    not_jobs = serve(app, "--redis", redis_server.url, "--role", "worker", "--jobs", app)
    assert not_jobs.returncode == 2 and "is a Router, not a Scheduler" in not_jobs.stderr


def holders(client: redis.Redis, token: str) -> dict[str, int]:
    namespace = f"telewire:{Token(token).bot_id}"
    counts: dict[str, int] = {}
    for partition in range(16):
        holder = client.get(f"{namespace}:lease:{partition}")
        if holder is not None:
            pid = str(holder).split(":")[2]
            counts[pid] = counts.get(pid, 0) + 1
    return counts


def wait_for(check: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s")


@pytest.mark.slow
def test_workers_rebalance_on_join_and_leave_and_drain_on_sigterm(
    emulator: EmulatorHandle, redis_server: RedisServer, tmp_path: Path
) -> None:
    cluster = Cluster(emulator, redis_server.url, tmp_path, lease=2.0)
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    metrics_port = free_port()
    try:
        first = cluster.worker("--metrics-port", str(metrics_port))
        wait_for(lambda: holders(client, emulator.token) == {str(first.pid): 16})
        second = cluster.worker()
        wait_for(lambda: holders(client, emulator.token) == {str(first.pid): 8,
                                                               str(second.pid): 8})  # fmt: skip
        base = f"http://127.0.0.1:{metrics_port}"
        page = urllib.request.urlopen(f"{base}/metrics", timeout=5).read().decode()
        assert "telewire_partitions_owned 8" in page
        assert 'telewire_partition_lag{partition="0"} 0' in page
        assert urllib.request.urlopen(f"{base}/healthz", timeout=5).read() == b"ok\n"
        started = time.monotonic()
        first.send_signal(signal.SIGTERM)
        assert first.wait(10) == 0
        wait_for(lambda: holders(client, emulator.token) == {str(second.pid): 16}, 10)
        assert time.monotonic() - started < 2 * 2.0  # given back, not left to expire
    finally:
        cluster.stop()
        client.close()
