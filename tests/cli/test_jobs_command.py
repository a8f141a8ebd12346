"""``telewire jobs``: list and cancel scheduled jobs, as a real subprocess."""

from __future__ import annotations

import asyncio
from pathlib import Path

from telewire.jobs import Scheduler
from telewire.storage import open_storage
from tests.conftest import run_cli


def test_jobs_are_listed_soonest_first_and_cancelled_by_id(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path}/storage.sqlite3"

    async def schedule() -> None:
        jobs = Scheduler(open_storage(url))
        await jobs.run_daily("reports.daily", at="21:00", tz="Europe/Berlin", id="report")
        await jobs.run_once("reminders.send", after=60, id="tea")
        await jobs.storage.close()

    asyncio.run(schedule())
    listed = run_cli("jobs", "--storage", url)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].endswith(": 2 jobs")
    assert lines[1].split()[0] == "tea" and "reminders.send  once" in lines[1]
    assert "daily at 21:00:00 Europe/Berlin" in lines[2]
    cancelled = run_cli("jobs", "--storage", url, "cancel", "tea", "nope")
    assert cancelled.returncode == 1
    assert cancelled.stdout.splitlines() == ["cancelled 1 jobs", "  no job 'nope'"]
    assert run_cli("jobs", "--storage", url).stdout.splitlines()[0].endswith(": 1 jobs")


def test_bad_storage_urls_and_unreachable_servers_are_one_line(tmp_path: Path) -> None:
    from telewire.testing.servers import free_port

    bad = run_cli("jobs", "--storage", "mongodb://x")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert "unknown storage URL scheme 'mongodb'" in bad.stderr
    down = run_cli("jobs", "--storage", f"redis://127.0.0.1:{free_port()}/0")
    assert down.returncode == 1 and "cannot reach Redis" in down.stderr
    assert "Traceback" not in down.stderr and down.stderr.count("\n") == 1
    usage = run_cli("jobs", "--storage", f"sqlite://{tmp_path}/s.db", "cancel")
    assert usage.returncode == 2 and "cancel needs the ids" in usage.stderr
