"""The reminder bot: ``/remind 10 tea`` and, ten minutes later, "⏰ tea".

Run it with ``python examples/reminder_bot.py`` against whatever ``TELEGRAM_API_URL`` and
``TELEGRAM_BOT_TOKEN`` say. Reminders are jobs in telewire's storage (``TELEWIRE_STORAGE``,
by default a SQLite file in the state directory), so they survive restarts: a reminder due
while the bot was down arrives once when it is back. Several copies of the bot on one Redis
or PostgreSQL storage send each reminder once.

* ``/remind <minutes> <text>`` schedules a reminder for this chat;
* ``/reminders`` lists this chat's pending ones; ``/forget`` cancels them all.
"""

from __future__ import annotations

import logging
import os
import sys
import time

from telewire import Context, Router, TelewireError, run_polling
from telewire.jobs import Job, Scheduler
from telewire.paths import state_dir
from telewire.storage import open_storage

USAGE = "Say /remind <minutes> <what>, e.g. /remind 10 tea"


def build(jobs: Scheduler) -> Router:
    """The bot's routes, using ``jobs`` (made by main(), or by a test with a fake clock)."""
    router = Router("reminders")
    router.use(jobs.middleware)

    @jobs.handler(name="reminder")
    async def remind(job: Job) -> None:
        await job.bot.send_message(chat_id=job.data["chat"], text=f"⏰ {job.data['text']}")

    @router.command("remind")
    async def schedule(ctx: Context) -> None:
        if len(ctx.args) < 2 or not ctx.args[0].isdigit() or int(ctx.args[0]) < 1:
            await ctx.reply(USAGE)
            return
        minutes, text = int(ctx.args[0]), " ".join(ctx.args[1:])
        await ctx.jobs.run_once(
            "reminder",
            after=minutes * 60,
            id=f"{ctx.chat_id}:{time.time_ns()}",  # this chat's reminders share a prefix
            data={"chat": ctx.chat_id, "text": text},
        )
        await ctx.reply(f"OK, in {minutes} minute{'s' * (minutes != 1)} I'll remind you: {text}")

    @router.command("reminders")
    async def pending(ctx: Context) -> None:
        mine = await ctx.jobs.list(prefix=f"{ctx.chat_id}:")
        now = ctx.jobs.clock.now()
        lines = [
            f"in {max(0, round(((job.next_run or now) - now) / 60))} min: {job.data['text']}"
            for job in mine
        ]
        await ctx.reply("\n".join(lines) or "No reminders. " + USAGE)

    @router.command("forget")
    async def forget(ctx: Context) -> None:
        mine = await ctx.jobs.list(prefix=f"{ctx.chat_id}:")
        for job in mine:
            await ctx.jobs.cancel(job.id)
        await ctx.reply(f"Forgot {len(mine)} reminder{'s' * (len(mine) != 1)}.")

    @router.command("start", "help")
    async def start(ctx: Context) -> None:
        await ctx.reply("Hi! I remind you of things. " + USAGE)

    return router


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        sys.exit("Set TELEGRAM_BOT_TOKEN (and TELEGRAM_API_URL for the emulator).")
    jobs = Scheduler(open_storage())
    offsets = state_dir() / f"reminder_bot-{token.split(':', 1)[0]}.offset"
    print("reminder bot running; press Ctrl-C to stop", flush=True)
    try:
        run_polling(build(jobs), offsets=offsets, jobs=jobs)
    except TelewireError as exc:
        sys.exit(f"reminder bot: {exc}")


if __name__ == "__main__":
    main()
