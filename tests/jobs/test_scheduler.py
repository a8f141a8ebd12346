"""The scheduler on every storage backend, with a fake clock: no test waits for time."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from telewire import RetryPolicy
from telewire.jobs import FakeClock, Job, Scheduler
from telewire.jobs.running import claim_due
from telewire.storage import Storage, open_storage

START = 1_800_000_000.0  # 2027-01-15 08:00 UTC


def run(url: str, scenario: Callable[[Storage, FakeClock], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        storage = open_storage(url)
        try:
            return await scenario(storage, FakeClock(START))
        finally:
            await storage.close()

    return asyncio.run(main())


def recorder(scheduler: Scheduler, name: str = "record") -> list[tuple[str, Any, float]]:
    ran: list[tuple[str, Any, float]] = []

    @scheduler.handler(name=name)
    async def record(job: Job) -> None:
        ran.append((job.id, job.data, scheduler.clock.now()))

    return ran


def test_a_one_off_job_runs_once_when_due_and_then_is_gone(storage_url: str) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        jobs = Scheduler(storage, clock=clock)
        ran = recorder(jobs)
        job = await jobs.run_once("record", after=60, data={"text": "tea"}, id="tea")
        assert job.next_run == START + 60
        clock.advance(59)
        assert await jobs.run_due() == 0
        clock.advance(1)
        assert await jobs.run_due() == 1
        assert ran == [("tea", {"text": "tea"}, START + 60)]
        assert await jobs.run_due() == 0
        assert await jobs.list() == []

    run(storage_url, scenario)


def test_a_repeating_job_keeps_its_grid_and_runs_missed_beats_once(storage_url: str) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        jobs = Scheduler(storage, clock=clock)
        ran = recorder(jobs)
        await jobs.run_repeating("record", every=dt.timedelta(seconds=10), id="beat")
        clock.advance(10)
        assert await jobs.run_due() == 1
        clock.advance(35)  # three beats missed while busy: one run, not three
        assert await jobs.run_due() == 1
        assert await jobs.run_due() == 0
        assert [when for _, _, when in ran] == [START + 10, START + 45]
        assert (await jobs.get("beat")).next_run == START + 50  # type: ignore[union-attr]

    run(storage_url, scenario)


def test_daily_and_cron_jobs_run_at_their_wall_clock_times(storage_url: str) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        jobs = Scheduler(storage, clock=clock)
        ran = recorder(jobs)
        daily = await jobs.run_daily("record", at="09:30", tz="Europe/Berlin", id="daily")
        cron = await jobs.run_cron("record", "0 12 * * mon-fri", tz="UTC", id="noon")
        berlin = dt.datetime.fromtimestamp(daily.next_run, dt.timezone.utc)  # type: ignore[arg-type]
        assert berlin.strftime("%Y-%m-%d %H:%M") == "2027-01-15 08:30"  # 09:30 CET
        assert cron.next_run == START + 4 * 3600
        clock.advance(3600)
        assert await jobs.run_due() == 1
        clock.advance(3 * 3600)
        assert await jobs.run_due() == 1
        assert [job_id for job_id, _, _ in ran] == ["daily", "noon"]
        noon = await jobs.get("noon")
        assert noon is not None and noon.next_run == START + 4 * 3600 + 3 * 86400  # Monday

    run(storage_url, scenario)


def test_a_failing_job_is_logged_retried_and_never_kills_the_scheduler(
    storage_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        jobs = Scheduler(storage, clock=clock)
        tries: list[int] = []

        @jobs.handler
        async def flaky(job: Job) -> None:
            tries.append(job.attempt)
            if job.attempt < 3:
                raise ConnectionError("the API is down")

        retry = RetryPolicy(attempts=3, backoff=10, max_backoff=10)
        await jobs.run_once(flaky, after=1, id="flaky", retry=retry)
        clock.advance(1)
        assert await jobs.run_due() == 1
        stored = await jobs.get("flaky")
        assert stored is not None and stored.failures == 1
        assert stored.last_error == "ConnectionError: the API is down"
        assert await jobs.run_due() == 0  # waits for its backoff
        for _ in range(2):
            clock.advance(10)
            assert await jobs.run_due() == 1
        assert tries == [1, 2, 3]
        assert await jobs.get("flaky") is None  # succeeded on the third try

    with caplog.at_level(logging.WARNING, logger="telewire.jobs"):
        run(storage_url, scenario)
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2 and all(r.exc_info for r in retries)


def test_a_job_failing_every_try_is_kept_as_failed_and_logged(
    storage_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> Any:
        jobs = Scheduler(storage, clock=clock)

        @jobs.handler
        def broken(job: Job) -> None:  # sync handlers run in a thread
            raise ValueError("no such chat")

        await jobs.run_once(broken, after=1, id="broken", retry=RetryPolicy(attempts=2, backoff=1))
        clock.advance(1)
        await jobs.run_due()
        clock.advance(1)
        await jobs.run_due()
        clock.advance(3600)
        assert await jobs.run_due() == 0
        return await jobs.get("broken")

    with caplog.at_level(logging.ERROR, logger="telewire.jobs"):
        failed = run(storage_url, scenario)
    assert failed.failed and failed.last_error == "ValueError: no such chat"
    assert any("failed 2 times" in r.getMessage() for r in caplog.records)


def test_cancelled_jobs_never_run_and_list_shows_the_rest_soonest_first(
    storage_url: str,
) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        jobs = Scheduler(storage, clock=clock)
        ran = recorder(jobs)
        await jobs.run_once("record", after=30, id="b")
        await jobs.run_once("record", after=10, id="c")
        await jobs.run_repeating("record", every=20, id="a")
        assert [job.id for job in await jobs.list()] == ["c", "a", "b"]
        await jobs.run_once("record", after=5, id="b2")
        assert [job.id for job in await jobs.list(prefix="b")] == ["b2", "b"]
        assert await jobs.cancel("b2") is True
        assert await jobs.cancel("c") is True
        assert await jobs.cancel("c") is False
        assert await jobs.cancel("never") is False
        assert await jobs.cancel("a") is True
        clock.advance(100)
        assert await jobs.run_due() == 1
        assert [job_id for job_id, _, _ in ran] == ["b"]

    run(storage_url, scenario)


def test_scheduling_the_same_id_again_replaces_the_job(storage_url: str) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        jobs = Scheduler(storage, clock=clock)
        ran = recorder(jobs)
        await jobs.run_once("record", after=10, id="report", data=1)
        await jobs.run_once("record", after=20, id="report", data=2)
        clock.advance(20)
        await jobs.run_due()
        assert [data for _, data, _ in ran] == [2]

    run(storage_url, scenario)


@pytest.mark.parametrize(("misfire", "runs"), [("run_once", 1), ("skip", 0)])
def test_a_job_due_while_no_process_ran_follows_its_misfire_policy(
    storage_url: str, misfire: str, runs: int
) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        before = Scheduler(storage, clock=clock)
        recorder(before)
        await before.run_repeating("record", every=60, id="beat", misfire=misfire)
        await before.run_once("record", after=60, id="once", misfire=misfire)
        clock.advance(3 * 3600)  # the bot was down for three hours
        after = Scheduler(storage, clock=clock)
        ran = recorder(after)
        await after.run_due()
        assert sorted(job_id for job_id, _, _ in ran) == ["beat", "once"][: runs * 2]
        assert await after.run_due() == 0
        beat = await after.get("beat")
        assert beat is not None and beat.next_run == START + 3 * 3600 + 60
        assert await after.get("once") is None

    run(storage_url, scenario)


def test_a_leased_job_is_not_run_elsewhere_until_its_lease_expires(storage_url: str) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        crashed = Scheduler(storage, clock=clock, lease=30)
        recorder(crashed)
        await crashed.run_once("record", after=1, id="once")
        clock.advance(1)
        claims, _ = await claim_due(crashed)  # claimed, then the process "dies"
        assert len(claims) == 1
        other = Scheduler(storage, clock=clock, lease=30)
        ran = recorder(other)
        assert await other.run_due() == 0
        clock.advance(30)
        assert await other.run_due() == 1
        assert [job_id for job_id, _, _ in ran] == ["once"]

    run(storage_url, scenario)


async def lease_held(jobs: Scheduler, job_id: str) -> None:
    while True:
        job = await jobs.get(job_id)
        if job is not None and job.leased(jobs.clock.now()):
            return
        await asyncio.sleep(0.001)


def test_a_long_job_renews_its_lease(storage_url: str) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        jobs = Scheduler(storage, clock=clock, lease=30)
        started, release = asyncio.Event(), asyncio.Event()

        @jobs.handler(name="long")
        async def long(job: Job) -> None:
            started.set()
            await release.wait()

        await jobs.run_once("long", after=1, id="long")
        clock.advance(1)
        running = asyncio.create_task(jobs.run_due())
        await started.wait()
        other = Scheduler(storage, clock=clock, lease=30)
        other.handler(name="long")(long)
        for _ in range(6):  # 54 s, in steps shorter than a third of the 30 s lease
            clock.advance(9)
            await asyncio.wait_for(lease_held(jobs, "long"), 10)  # the renewal landed
            assert await other.run_due() == 0
        release.set()
        assert await running == 1

    run(storage_url, scenario)


def test_a_process_without_the_handler_leaves_the_job_for_one_that_has_it(
    storage_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        await Scheduler(storage, clock=clock).run_once("reports.weekly", after=1, id="w")
        clock.advance(1)
        stranger = Scheduler(storage, clock=clock)
        assert await stranger.run_due() == 0
        assert await stranger.run_due() == 0
        knows = Scheduler(storage, clock=clock)
        assert recorder(knows, "reports.weekly") is not None
        assert await knows.run_due() == 1

    with caplog.at_level(logging.WARNING, logger="telewire.jobs"):
        run(storage_url, scenario)
    assert [r.getMessage() for r in caplog.records].count(
        "job 'w' needs handler 'reports.weekly', not registered in this process; left for a "
        "process that has it"
    ) == 1


def test_run_sleeps_on_the_clock_and_wakes_for_new_jobs(storage_url: str) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        jobs = Scheduler(storage, clock=clock, poll=3600)
        done = asyncio.Event()

        @jobs.handler(name="ping")
        async def ping(job: Job) -> None:
            done.set()

        loop = asyncio.create_task(jobs.run())
        await asyncio.sleep(0)
        await jobs.run_once("ping", after=5)  # wakes the loop, which now sleeps until +5
        for _ in range(50):
            await asyncio.sleep(0)
        assert not done.is_set()
        clock.advance(5)
        await asyncio.wait_for(done.wait(), 10)
        jobs.stop()
        await asyncio.wait_for(loop, 10)

    run(storage_url, scenario)


def test_bad_schedules_are_refused_with_one_line_reasons() -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        jobs = Scheduler(storage, clock=clock)
        with pytest.raises(ValueError, match=r"exactly one of at= .* or after="):
            await jobs.run_once("x")
        with pytest.raises(ValueError, match="no time zone"):
            await jobs.run_once("x", at=dt.datetime(2027, 1, 1, 9))
        with pytest.raises(ValueError, match="positive interval"):
            await jobs.run_repeating("x", every=0)
        with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
            await jobs.run_daily("x", at="09:00", tz="Mars/Olympus")
        with pytest.raises(ValueError, match="never fires"):
            await jobs.run_cron("x", "0 0 30 2 *")
        with pytest.raises(ValueError, match="misfire must be"):
            await jobs.run_once("x", after=1, misfire="later")  # type: ignore[arg-type]
        assert await jobs.list() == []

    run("memory://", scenario)


def test_unreadable_records_and_unencodable_data_are_reported_not_fatal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario(storage: Storage, clock: FakeClock) -> None:
        jobs = Scheduler(storage, clock=clock)
        recorder(jobs)
        with pytest.raises(ValueError, match="job data must be JSON-like"):
            await jobs.run_once("record", after=1, data={"socket": object()})
        await jobs.run_once("record", after=1, id="fine")
        await storage.set("jobs:garbled", b"{not json")
        assert [job.id for job in await jobs.list()] == ["fine"]
        clock.advance(1)
        assert await jobs.run_due() == 1

    with caplog.at_level(logging.WARNING, logger="telewire.jobs"):
        run("memory://", scenario)
    assert any("jobs:garbled" in r.getMessage() for r in caplog.records)


def test_the_scheduler_outlives_its_storage_going_away_and_coming_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A real redis-server stopped under a running scheduler, then started again."""
    from telewire.testing.servers import RedisServer

    server = RedisServer()
    failed, recovered = threading.Event(), threading.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "could not look for due jobs" in record.getMessage():
                failed.set()
            if "works again" in record.getMessage():
                recovered.set()

    logging.getLogger("telewire.jobs").addHandler(watch := Watch())

    async def scenario() -> None:
        nonlocal server
        jobs = Scheduler(open_storage(server.url), poll=0.05)
        ran = asyncio.Event()

        @jobs.handler(name="after-outage")
        async def after_outage(job: Job) -> None:
            ran.set()

        loop = asyncio.create_task(jobs.run())
        await jobs.run_once("after-outage", after=3600, id="later")
        await asyncio.to_thread(server.stop)
        assert await asyncio.to_thread(failed.wait, 30), "the outage went unreported"
        await asyncio.sleep(0.5)  # ten more polls into the outage, still one traceback
        assert not loop.done()
        server = await asyncio.to_thread(RedisServer, port=server.port)  # empty: no "later"
        assert await asyncio.to_thread(recovered.wait, 30), "no word of the recovery"
        await jobs.run_once("after-outage", after=0, id="now")
        await asyncio.wait_for(ran.wait(), 30)
        jobs.stop()
        await asyncio.wait_for(loop, 10)
        await jobs.storage.close()

    try:
        with caplog.at_level(logging.WARNING, logger="telewire.jobs"):
            asyncio.run(scenario())
    finally:
        logging.getLogger("telewire.jobs").removeHandler(watch)
        server.stop()
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert len(tracebacks) == 1, "one traceback per outage, not one per poll"
