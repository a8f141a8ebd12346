"""A bot process with a scheduler, run for real by test_processes.py.

``schedule URL LOG NOW MISFIRE``: on a fake clock at NOW, schedule a one-off job due in a
minute and one repeating every minute, print "ready", and wait to be killed (kill -9).
``catch-up URL LOG NOW``: start on a fake clock at NOW, run what is due, print the count.
``work URL LOG``: run the scheduler on the real clock until killed.
``hang URL LOG``: the same, but a job, once started, never finishes (to be killed mid-run).
Env ``LEASE``: the scheduler's lease in seconds (default 10).
Every run appends "<job id> <due time>" to LOG with one O_APPEND write.
"""

from __future__ import annotations

import asyncio
import os
import sys

from telewire.jobs import FakeClock, Job, Scheduler
from telewire.storage import open_storage


def scheduler_for(
    url: str, log: str, clock: FakeClock | None = None, *, hang: bool = False
) -> Scheduler:
    lease = float(os.environ.get("LEASE", "10"))
    jobs = Scheduler(open_storage(url), clock=clock, poll=0.05, lease=lease)

    @jobs.handler(name="record")
    async def record(job: Job) -> None:
        await asyncio.sleep(0.01)  # a little work widens any window for a double run
        descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            state = "started" if hang else "done"
            os.write(descriptor, f"{job.id} {job.due:.3f} {os.getpid()} {state}\n".encode())
        finally:
            os.close(descriptor)
        if hang:
            await asyncio.Event().wait()

    return jobs


async def main(mode: str, url: str, log: str, *rest: str) -> None:
    if mode == "schedule":
        now, misfire = float(rest[0]), rest[1]
        jobs = scheduler_for(url, log, FakeClock(now))
        await jobs.run_once("record", after=60, id="once", misfire=misfire)  # type: ignore[arg-type]
        await jobs.run_repeating("record", every=60, id="beat", misfire=misfire)  # type: ignore[arg-type]
        print("ready", flush=True)
        await asyncio.Event().wait()
    elif mode == "catch-up":
        jobs = scheduler_for(url, log, FakeClock(float(rest[0])))
        print(await jobs.run_due(), flush=True)
        await jobs.storage.close()
    else:
        jobs = scheduler_for(url, log, hang=mode == "hang")
        await jobs.storage.get("warm-up")  # connect before saying ready
        print("ready", flush=True)
        await jobs.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
