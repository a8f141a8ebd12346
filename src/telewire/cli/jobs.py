"""``telewire jobs``: the scheduled jobs a bot keeps in its storage.

telewire jobs [--storage URL]                list them, soonest first
telewire jobs [--storage URL] cancel ID ...  cancel some (a run in progress finishes)

URL as in ``open_storage`` (default: ``TELEWIRE_STORAGE``, else the SQLite file in the
state directory).
"""

from __future__ import annotations

import argparse
import asyncio
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--storage", metavar="URL", help="sqlite:///…, redis://…, postgresql://…")
    parser.add_argument("action", nargs="?", default="list", choices=["list", "cancel"])
    parser.add_argument("ids", nargs="*", help="job ids (for cancel)")


def run(args: argparse.Namespace) -> int:
    from telewire.cli.connect import UsageError
    from telewire.cli.errors import FAILED, report
    from telewire.storage import StorageUnavailable

    if args.action == "cancel" and not args.ids:
        raise UsageError("cancel needs the ids of the jobs to cancel (see `telewire jobs`)")
    try:
        return asyncio.run(_run(args))
    except StorageUnavailable as exc:
        report("telewire jobs", str(exc))
        return FAILED


async def _run(args: argparse.Namespace) -> int:
    from telewire.jobs import Scheduler
    from telewire.storage import open_storage

    storage = open_storage(args.storage)
    try:
        jobs = Scheduler(storage)
        if args.action == "cancel":
            missing = [job_id for job_id in args.ids if not await jobs.cancel(job_id)]
            print(f"cancelled {len(args.ids) - len(missing)} jobs")
            for job_id in missing:
                print(f"  no job {job_id!r}")
            return 1 if missing else 0
        listed = await jobs.list()
        print(f"{storage!r}: {len(listed)} jobs")
        for job in listed:
            when = (
                time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(job.next_run))
                if job.next_run is not None
                else "failed"
            )
            trouble = f"; last error: {job.last_error}" if job.last_error else ""
            print(
                f"  {job.id}  {when}  {job.handler}  {job.schedule.describe()}"
                f"  runs {job.runs}{trouble}"
            )
        return 0
    finally:
        await storage.close()
