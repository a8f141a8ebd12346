"""The bot the shared-features tests run in worker processes: a dialog, user data, a job,
an approval, audit ledger entries and outbox messages, configured from the environment
(``FEATURES_STORAGE`` the shared storage URL, ``FEATURES_DIR`` a folder for the SQLite
files, ``FEATURES_OWNER`` the approver, ``FEATURES_TAG`` to keep tests' keys apart,
``FEATURES_APPROVALS=storage`` for approvals in the storage instead of a file,
``FEATURES_LEDGER`` a ``postgresql://`` URL for the ledger instead of a file, which the
storage's approvals then record their decisions in, ``FEATURES_OUTBOX`` one for the outbox).

Each answer names the worker process (``pid``) that made it, so tests see who did what.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from telewire import (
    ApprovalBook,
    Job,
    Ledger,
    Outbox,
    Remember,
    Router,
    Scheduler,
    SharedApprovalBook,
    approvals_router,
    ask_async,
    open_storage,
)
from telewire.dialogs import Dialog, Dialogs
from telewire.routing.context import Context

FOLDER = Path(os.environ.get("FEATURES_DIR", "."))
OWNER = int(os.environ.get("FEATURES_OWNER", "1"))
PID = os.getpid()
TAG = os.environ.get("FEATURES_TAG", "")


class Tally(msgspec.Struct):
    count: int = 0
    notes: list[str] = []


storage = open_storage(os.environ.get("FEATURES_STORAGE", "memory://"))
jobs = Scheduler(storage, poll=0.2, namespace=f"jobs:{TAG}:")
router = Router()
router.use(jobs.middleware)
remember = Remember(storage, user=Tally)
router.use(remember)
dialogs = Dialogs(router, storage)
SERVER_LEDGER = os.environ.get("FEATURES_LEDGER")  # a postgresql:// URL: any machine
ledger = Ledger(SERVER_LEDGER or FOLDER / "audit.db")
book: ApprovalBook | SharedApprovalBook
if os.environ.get("FEATURES_APPROVALS") == "storage":  # shared by machines: no file at all
    book = SharedApprovalBook(
        storage,
        approvers=[OWNER],
        namespace=f"approvals:{TAG}:",
        ledger=ledger if SERVER_LEDGER else None,
    )
else:  # shared by the processes of one machine
    book = ApprovalBook(FOLDER / "approvals.db", approvers=[OWNER])
router.include(approvals_router(book))
outbox = Outbox(os.environ.get("FEATURES_OUTBOX") or FOLDER / "outbox.db")


@dialogs.dialog(command="signup")
async def signup(d: Dialog) -> None:
    name = await d.ask("Your name?")
    city = await d.ask("Your city?")
    colour = await d.ask("Your colour?")
    await d.reply(f"Done: {name}, {city}, {colour}")


@router.command("add")
async def add(ctx: Context) -> None:
    tally = remember.user(ctx)
    tally.count += 1
    tally.notes.append(ctx.args[0])
    await ctx.reply(f"added {ctx.args[0]} (pid {PID})")


@router.command("tally")
async def tally(ctx: Context) -> None:
    data = remember.user(ctx)
    await ctx.reply(f"count {data.count}: {' '.join(sorted(data.notes, key=int))}")


@jobs.handler(name="ring")
async def ring(job: Job) -> None:
    await job.bot.send_message(chat_id=job.data["chat"], text=f"ring {job.data['n']} (pid {PID})")


@router.command("later")
async def later(ctx: Context) -> None:
    seconds, n = float(ctx.args[0]), ctx.args[1]
    await ctx.jobs.run_once("ring", after=seconds, data={"chat": ctx.chat_id, "n": n})
    await ctx.reply(f"scheduled {n} (pid {PID})")


@router.command("deploy")
async def deploy(ctx: Context) -> None:
    decision = await ask_async(f"Deploy {ctx.args[0]}?", book=book, client=ctx.bot, timeout=30)
    await ctx.reply(f"deploy {ctx.args[0]}: {decision.status} (pid {PID})")


@router.command("record")
async def record(ctx: Context) -> None:
    entry = ledger.record("note", actor=f"pid:{PID}", data={"n": ctx.args[0]})
    await ctx.reply(f"recorded {ctx.args[0]} as #{entry.seq} (pid {PID})")


@router.command("queue")
async def queue(ctx: Context) -> None:
    outbox.notify(f"queued {ctx.args[0]}", chat_id=ctx.chat_id)
    await ctx.reply(f"will send {ctx.args[0]} (pid {PID})")
