"""Shifts end to end: reminder job with buttons, check-in and out, who is late, refusals."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from telewire.apps.store.service import Store, StoreError
from telewire.apps.store.shifts import schedule_reminder, shift_jobs
from telewire.jobs import FakeClock, Scheduler
from telewire.storage.sqlite import SQLiteStorage
from telewire.testing import EmulatorHandle, TestUser
from tests.apps.test_store import owner_texts, press_when_asked, store
from tests.conftest import run_cli

__all__ = ["store"]  # the fixture, shared with the bill tests


def test_a_reminder_job_brings_the_buttons_and_the_owner_sees_who_is_late(
    store: Store, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    bob = emulator.user("Bob")
    emulator.send(bob, "/start")  # as in Telegram: a bot writes only to who wrote first
    started = time.time() - 20 * 60  # Bob's shift began 20 minutes ago
    shift = store.plan_shift("bob", bob.id, started, started + 8 * 3600, actor="owner")

    async def remind() -> int:
        storage = SQLiteStorage(str(tmp_path / "jobs.db"))
        clock = FakeClock(start=started - 3600)
        jobs = Scheduler(storage, clock=clock)
        shift_jobs(jobs, store)
        await schedule_reminder(jobs, store, shift, before=15 * 60)
        ran = await jobs.run_due()  # an hour before: not yet
        clock.advance(45 * 60)
        ran += await jobs.run_due()
        await storage.close()
        return ran

    assert asyncio.run(remind()) == 1
    reminder = emulator.wait_for(bob.id, lambda m: m.reply_markup is not None, timeout=10)
    assert f"Your shift #{shift} starts" in (reminder.text or "")
    carl = emulator.user("Carl")
    refused = emulator.press(carl, reminder, button="🟢 Check in")
    assert refused is not None and "without a shift" in (refused["text"] or "")
    answer = emulator.press(bob, reminder, button="🟢 Check in")
    assert answer is not None and "bob is 20 min late" in (answer["text"] or "")
    emulator.send(alice, "/shifts")
    listing = emulator.wait_for(alice.id, lambda m: (m.text or "").startswith("🗓 Shifts"))
    assert "bob: in ⏰ LATE" in (listing.text or "")
    emulator.press(bob, reminder, button="🔴 Check out")
    assert store.shift(shift)["checked_out"] is not None
    assert store.outbox.flush(10)
    assert any("bob is 20 min late" in t for t in owner_texts(emulator, alice))
    kinds = [e.kind for e in store.ledger.entries()]
    assert "shift.refused" in kinds and kinds[-1] == "shift.out"
    assert "access.shifts" in kinds


def test_a_check_in_with_no_shift_is_refused_and_recorded(
    store: Store, emulator: EmulatorHandle
) -> None:
    bob = emulator.user("Bob")
    tomorrow = time.time() + 24 * 3600
    shift = store.plan_shift("bob", bob.id, tomorrow, tomorrow + 3600, actor="owner")
    with pytest.raises(StoreError, match="outside shift"):
        store.check(shift, bob.id, "in")
    with pytest.raises(StoreError, match="without a shift"):
        store.check(99, bob.id, "in")
    with pytest.raises(StoreError, match="end after it starts"):
        store.plan_shift("bob", bob.id, tomorrow, tomorrow - 1, actor="owner")
    assert [e.kind for e in store.ledger.entries()][-2:] == ["shift.refused"] * 2
    assert store.shift(shift)["checked_in"] is None


def test_signing_in_at_the_till_needs_approval_only_outside_ones_shift(
    store: Store, emulator: EmulatorHandle, alice: TestUser
) -> None:
    now = time.time()
    store.plan_shift("ann", alice.id, now - 60, now + 3600, actor="owner")
    store.login("ann")  # on shift: no question asked
    store.require_session("ann")
    assert not any(e.kind.startswith("approval.") for e in store.ledger.entries())
    waiter = press_when_asked(emulator, alice, "✅ Approve")
    store.login("cara")  # no shift now: the owner is asked
    waiter.join()
    assert [e.kind for e in store.ledger.entries()][-2:] == ["approval.approved", "session.start"]


def test_planning_a_shift_from_the_command_line(store: Store, emulator: EmulatorHandle) -> None:
    env = {"TELEGRAM_API_URL": emulator.base_url, "TELEGRAM_BOT_TOKEN": emulator.token}
    folder = str(store.folder)
    planned = run_cli(
        "store", "--dir", folder, "shift", "ann", "42", "2026-12-24 08:00", "8", env=env
    )
    assert planned.returncode == 0 and "shift #1 planned for ann" in planned.stdout
    assert store.shift(1)["ends"] - store.shift(1)["starts"] == 8 * 3600
    bad = run_cli("store", "--dir", folder, "shift", "ann", "42", "tomorrow", "8", env=env)
    assert bad.returncode == 1 and "usage: shift" in bad.stderr
