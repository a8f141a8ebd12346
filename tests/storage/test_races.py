"""Compare-and-set under real contention: several processes on one store, repeated."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from telewire.storage import open_storage

SCRIPT = Path(__file__).with_name("race_process.py")


def race(url: str, tmp_path: Path, *commands: list[str]) -> list[str]:
    start = tmp_path / "start"
    start.unlink(missing_ok=True)
    for mark in tmp_path.glob("start.*"):
        mark.unlink()
    env = {**os.environ, "RACE_START": str(start)}
    processes = [
        subprocess.Popen(
            [sys.executable, str(SCRIPT), *command], env=env, stdout=subprocess.PIPE, text=True
        )
        for command in commands
    ]
    while len(list(tmp_path.glob("start.*"))) < len(processes):  # all at the line
        assert all(process.poll() is None for process in processes)
        time.sleep(0.005)
    start.touch()
    outputs = [process.communicate(timeout=120)[0].strip() for process in processes]
    assert [process.returncode for process in processes] == [0] * len(processes)
    return outputs


def read(url: str, key: str) -> bytes | None:
    import asyncio

    async def main() -> bytes | None:
        storage = open_storage(url)
        try:
            item = await storage.get(key)
            return None if item is None else item.value
        finally:
            await storage.close()

    return asyncio.run(main())


def test_processes_incrementing_one_counter_lose_no_update(
    shared_storage_url: str, tmp_path: Path
) -> None:
    conflicts = race(
        shared_storage_url, tmp_path, *[["increment", shared_storage_url, "n", "500"]] * 4
    )
    assert read(shared_storage_url, "n") == b"2000"
    assert sum(int(c) for c in conflicts) > 0, "the processes never actually raced"


def test_exactly_one_process_creates_a_key(shared_storage_url: str, tmp_path: Path) -> None:
    for round_ in range(5):
        key = f"claim:{round_}"
        outcomes = race(
            shared_storage_url,
            tmp_path,
            *[["claim", shared_storage_url, key, f"p{n}"] for n in range(4)],
        )
        assert sorted(outcomes) == ["lost", "lost", "lost", "won"]
        assert read(shared_storage_url, key) == f"p{outcomes.index('won')}".encode()


def test_processes_opening_a_new_sqlite_file_together_all_succeed(tmp_path: Path) -> None:
    """Two processes switching a new file to WAL at once got "database is locked" at once
    (SQLite skips its busy handler there); a CI run lost a worker to it."""
    for round_ in range(10):
        url = f"sqlite://{tmp_path / f'new{round_}.sqlite3'}"
        outcomes = race(url, tmp_path, *[["open", url, "k", f"p{n}"] for n in range(4)])
        assert outcomes == ["opened"] * 4
        assert all(read(url, f"k:p{n}") == b"1" for n in range(4))


def test_threads_sharing_one_sqlite_storage_lose_no_update(tmp_path: Path) -> None:
    from telewire.storage.sqlite import SQLiteStorage

    storage = SQLiteStorage(tmp_path / "s.sqlite3")

    def increment() -> None:
        for _ in range(200):
            while True:
                item = storage.get_now("n")
                count = 0 if item is None else int(item.value)
                expected = None if item is None else item.version
                if storage.compare_and_set_now("n", str(count + 1).encode(), expected=expected):
                    break

    threads = [threading.Thread(target=increment) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert storage.get_now("n").value == b"800"  # type: ignore[union-attr]
    storage.close_now()
