"""Jobs across real processes: restarts after downtime, and several processes on one store."""

from __future__ import annotations

import asyncio
import collections
import subprocess
import sys
import time
from pathlib import Path

import pytest

from telewire.jobs import Scheduler
from telewire.storage import open_storage

SCRIPT = Path(__file__).with_name("job_process.py")
START = 1_800_000_000.0


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, str(SCRIPT), *args], stdout=subprocess.PIPE, text=True)


def runs(log: Path) -> list[tuple[str, str]]:
    if not log.exists():
        return []
    return [tuple(line.split()[:2]) for line in log.read_text().splitlines()]  # type: ignore[misc]


@pytest.mark.parametrize(("misfire", "expected"), [("run_once", 1), ("skip", 0)])
def test_a_job_due_during_downtime_runs_exactly_once_after_restart(
    shared_storage_url: str, tmp_path: Path, misfire: str, expected: int
) -> None:
    log = tmp_path / "runs.log"
    bot = start("schedule", shared_storage_url, str(log), str(START), misfire)
    assert bot.stdout is not None and bot.stdout.readline().strip() == "ready"
    bot.kill()  # kill -9: no goodbye, the jobs are only in the storage
    bot.wait()
    later = str(START + 6 * 3600)  # six hours of downtime: 360 missed beats
    for _ in range(2):  # restart, and restart again: still once
        restarted = subprocess.run(
            [sys.executable, str(SCRIPT), "catch-up", shared_storage_url, str(log), later],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert restarted.stderr == "" or "Traceback" not in restarted.stderr
    counts = collections.Counter(job_id for job_id, _ in runs(log))
    assert counts["once"] == expected and counts["beat"] == expected


def test_several_processes_on_one_store_run_each_job_exactly_once(
    shared_storage_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "runs.log"
    workers = [start("work", shared_storage_url, str(log)) for _ in range(3)]
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"

        async def schedule() -> None:
            jobs = Scheduler(open_storage(shared_storage_url))
            soon = time.time() + 0.3
            for n in range(30):
                await jobs.run_once("record", at=soon + n * 0.02, id=f"once-{n}")
            await jobs.run_repeating("record", every=0.2, first=0.3, id="beat")
            await jobs.storage.close()

        asyncio.run(schedule())
        deadline = time.monotonic() + 60
        while True:
            done = runs(log)
            ones = {job_id for job_id, _ in done if job_id.startswith("once-")}
            if len(ones) == 30 and sum(job_id == "beat" for job_id, _ in done) >= 10:
                break
            assert time.monotonic() < deadline, f"only {len(done)} runs after 60 s"
            time.sleep(0.05)
        time.sleep(0.5)  # a double run would land by now (leases are taken before running)
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    done = runs(log)
    duplicates = [run for run, count in collections.Counter(done).items() if count > 1]
    assert duplicates == []
    pids = {line.split()[2] for line in log.read_text().splitlines()}
    assert len(pids) >= 2, "one process ran everything: the test did not exercise sharing"


def test_a_job_whose_process_died_mid_run_is_run_by_another_after_the_lease(
    shared_storage_url: str, tmp_path: Path
) -> None:
    """At least once: kill -9 during the run, and another process takes the job over."""
    import os

    log = tmp_path / "runs.log"
    env = {**os.environ, "LEASE": "1"}

    def worker(mode: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(SCRIPT), mode, shared_storage_url, str(log)],
            stdout=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip

    doomed = worker("hang")
    try:
        assert doomed.stdout is not None and doomed.stdout.readline().strip() == "ready"

        async def schedule() -> None:
            jobs = Scheduler(open_storage(shared_storage_url))
            await jobs.run_once("record", after=0, id="important")
            await jobs.storage.close()

        asyncio.run(schedule())
        deadline = time.monotonic() + 30
        while not log.exists() or "started" not in log.read_text():
            assert time.monotonic() < deadline, "the job never started"
            time.sleep(0.02)
    finally:
        doomed.kill()
        doomed.wait()
    heir = worker("work")
    try:
        deadline = time.monotonic() + 30
        while "done" not in log.read_text():
            assert time.monotonic() < deadline, "nobody took the job over"
            time.sleep(0.02)
    finally:
        heir.kill()
        heir.wait()
    lines = [line.split() for line in log.read_text().splitlines()]
    assert [(job, state) for job, _, _, state in lines] == [
        ("important", "started"),
        ("important", "done"),
    ]
    assert lines[0][2] == str(doomed.pid) and lines[1][2] == str(heir.pid)
