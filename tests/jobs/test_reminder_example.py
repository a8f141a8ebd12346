"""examples/reminder_bot.py: handlers schedule jobs through ctx.jobs; the clock is fake."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from telewire.jobs import FakeClock, Scheduler
from telewire.storage import open_storage
from telewire.testing import EmulatorHandle
from tests.conftest import ROOT


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "reminder_bot", ROOT / "examples" / "reminder_bot.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_remind_sends_the_reminder_when_the_time_comes(
    emulator: EmulatorHandle, fake_clock: FakeClock, tmp_path: Path
) -> None:
    alice = emulator.user("Alice")
    jobs = Scheduler(open_storage(f"sqlite://{tmp_path}/jobs.db"), clock=fake_clock)
    with emulator.run(example().build(jobs), jobs=jobs):
        emulator.send(alice, "/remind 10 tea")
        assert emulator.expect_reply(alice.id).text == "OK, in 10 minutes I'll remind you: tea"
        emulator.send(alice, "/remind 1 stretch")
        emulator.expect_reply(alice.id)
        emulator.send(alice, "/reminders")
        assert emulator.expect_reply(alice.id).text == "in 1 min: stretch\nin 10 min: tea"
        fake_clock.advance(60)
        emulator.wait_for(alice.id, lambda m: m.text == "⏰ stretch")
        fake_clock.advance(9 * 60)
        emulator.wait_for(alice.id, lambda m: m.text == "⏰ tea")
        emulator.send(alice, "/remind soon tea")
        assert "Say /remind <minutes> <what>" in (emulator.expect_reply(alice.id).text or "")


def test_forget_cancels_this_chats_reminders_only(
    emulator: EmulatorHandle, fake_clock: FakeClock
) -> None:
    alice, bob = emulator.user("Alice"), emulator.user("Bob")
    jobs = Scheduler(open_storage("memory://"), clock=fake_clock)
    with emulator.run(example().build(jobs), jobs=jobs):
        emulator.send(alice, "/remind 5 tea")
        emulator.expect_reply(alice.id)
        emulator.send(bob, "/remind 5 coffee")
        emulator.wait_for(bob.id, lambda m: "coffee" in (m.text or ""))
        emulator.send(alice, "/forget")
        assert emulator.expect_reply(alice.id).text == "Forgot 1 reminder."
        fake_clock.advance(300)
        assert emulator.wait_for(bob.id, lambda m: m.text == "⏰ coffee")
    assert not [m for m in emulator.bot_messages(alice.id) if (m.text or "").startswith("⏰")]


def test_a_reminder_due_while_the_bot_was_down_arrives_once_after_restart(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """The real program, as a process: SIGKILL after scheduling, then started again."""
    alice = emulator.user("Alice")
    storage = f"sqlite://{tmp_path}/jobs.db"
    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "XDG_STATE_HOME": str(tmp_path),
        "TELEWIRE_STORAGE": storage,
    }

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "examples" / "reminder_bot.py")], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    bot = start()
    try:
        emulator.send(alice, "/remind 1 tea")
        emulator.expect_reply(alice.id, timeout=15)
    finally:
        bot.kill()
        bot.wait()

    async def make_it_due() -> None:  # a minute of downtime, without waiting a minute
        import msgspec

        from telewire.jobs import records

        db = open_storage(storage)
        (key,) = await db.keys("jobs:")
        item = await db.get(key)
        assert item is not None
        job = records.decode(item.value)
        late = msgspec.structs.replace(job, next_run=job.next_run - 60)  # type: ignore[operator]
        await db.set(key, records.encode(late))
        await db.close()

    import asyncio

    asyncio.run(make_it_due())
    bot = start()
    try:
        emulator.wait_for(alice.id, lambda m: m.text == "⏰ tea", timeout=15)
    finally:
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(15) == 0
    assert [m.text for m in emulator.bot_messages(alice.id)].count("⏰ tea") == 1
