"""The closing report at the owner's chosen time and zone: chosen with /closing in the
owner's bot, scheduled on the store's jobs, and sent when the (fake) clock gets there."""

from __future__ import annotations

import asyncio
import calendar
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from telewire.apps.store.bot import build_router
from telewire.apps.store.closing import CLOSING_JOB
from telewire.apps.store.dues import DUE_JOB
from telewire.apps.store.schedule import REMIND_BEFORE, SWEEP_JOB, store_scheduler
from telewire.jobs import FakeClock
from telewire.testing import EmulatorHandle, TestUser
from tests.apps.test_store_owner_dialogs import bot_says, folder, open_shop

__all__ = ["folder"]  # the fixture, shared with the dialog tests

JULY_1_NOON = calendar.timegm((2026, 7, 1, 12, 0, 0))
BERLIN_2130 = calendar.timegm((2026, 7, 1, 19, 30, 0))  # summer time: UTC+2


def test_the_closing_report_comes_at_the_owners_local_time(
    emulator: EmulatorHandle, alice: TestUser, folder: Path
) -> None:
    clock = FakeClock(JULY_1_NOON)
    shop = open_shop(folder)
    jobs = store_scheduler(shop, clock=clock)
    talk = emulator.dialog(alice)
    try:
        with emulator.run(build_router(shop, jobs), jobs=jobs):
            talk.send("/closing").expect("comes every day at 20:00 UTC")
            talk.send("/closing 25:00 Europe/Berlin").expect(
                "⚠️ '25:00' is not a time of day: write it like 21:30 (24-hour clock)", exact=True
            )
            talk.send("/closing 21:30 Mars/Olympus").expect(
                "unknown time zone 'Mars/Olympus'; use an IANA name like 'Europe/Berlin'"
            )
            talk.send("/closing 9pm").expect("/closing 21:30 Europe/Berlin")
            talk.send("/closing 21:30 Europe/Berlin")
            bot_says(
                emulator, alice, "every day at 21:30 Europe/Berlin; next: 2026-07-01 19:30 UTC"
            )
            assert shop.closing_time() == ("21:30", "Europe/Berlin")
            (job,) = [j for j in asyncio.run(jobs.list()) if j.id == CLOSING_JOB]
            assert job.next_run == BERLIN_2130 and job.runs == 0

            clock.set(BERLIN_2130 - 60)  # 21:29 in Berlin: not yet
            assert asyncio.run(jobs.run_due()) == 0
            clock.set(BERLIN_2130)
            report = bot_says(emulator, alice, "🌙 Closing 2026-07-01")
            chart = emulator.wait_for(alice.id, lambda m: bool(m.photo), timeout=10)
        assert "0 bills, total 0.00" in report and "Open orders: none" in report
        assert chart.caption == "🌙 Sales of the 7 days to 2026-07-01: 0.00"
        (job,) = [j for j in asyncio.run(jobs.list()) if j.id == CLOSING_JOB]
        assert job.runs == 1 and job.next_run == BERLIN_2130 + 86400
        settings = [e for e in shop.ledger.entries() if e.kind == "settings.closing"]
        assert [(e.actor, e.data) for e in settings] == [
            ("owner", {"at": "21:30", "tz": "Europe/Berlin"})
        ]
    finally:
        shop.close()


def test_telewire_store_bot_runs_the_stores_jobs(
    emulator: EmulatorHandle, alice: TestUser, folder: Path
) -> None:
    """The real command: its scheduler schedules the store's jobs and runs them on time (a
    shift reminder due a few seconds after the start is the quick one to watch)."""
    bob = emulator.user("Bob")
    emulator.send(bob, "/start")  # a bot writes only to who wrote first
    shop = open_shop(folder)
    starts = time.time() + REMIND_BEFORE + 4  # its reminder is due 4 s from now
    shift = shop.plan_shift("bob", bob.id, starts, starts + 3600, actor="owner")
    shop.close()
    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
    }
    bot = subprocess.Popen(
        [sys.executable, "-m", "telewire.cli.main", "store", "--dir", str(folder), "bot"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        reminder = emulator.wait_for(bob.id, lambda m: m.reply_markup is not None, timeout=20)
        assert f"Your shift #{shift} starts" in (reminder.text or "")
        emulator.send(alice, "/closing")
        bot_says(emulator, alice, "comes every day at 20:00 UTC")
    finally:
        bot.send_signal(signal.SIGTERM)
        _, errors = bot.communicate(timeout=30)
    assert bot.returncode == 0, errors[-2000:]
    shop = open_shop(folder)
    try:
        jobs = store_scheduler(shop)
        listed = {j.id: j for j in asyncio.run(jobs.list())}
        assert {CLOSING_JOB, DUE_JOB, SWEEP_JOB} <= set(listed)
        assert listed[CLOSING_JOB].next_run is not None
        assert f"shift:{shift}" not in listed  # ran, once
    finally:
        shop.close()
