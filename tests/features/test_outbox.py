"""The durable outbox: order, outages, crashes, dead letters, flood limits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from telewire.emulator import Emulator
from telewire.features.outbox import Outbox
from telewire.testing import EmulatorHandle, TestUser
from tests.conftest import run_cli
from tests.emulator.helpers import raw

HERE = Path(__file__).parent


def outbox_for(emulator: EmulatorHandle, path: Path, **options: Any) -> Outbox:
    return Outbox(path, token=emulator.token, base_url=emulator.base_url, **options)


def bot_texts(emulator: EmulatorHandle, chat: int) -> list[str]:
    return [m.text or "" for m in emulator.bot_messages(chat)]


def test_notify_is_durable_ordered_and_delivered(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    with outbox_for(emulator, tmp_path / "o.db", chat_id=alice.id, limits=None) as outbox:
        ids = [outbox.notify(f"n{i}")[0] for i in range(10)]
        assert ids == sorted(ids)
        assert outbox.flush(10)
        assert outbox.status() == {"pending": 0, "delivered": 10, "dead": 0}
    assert bot_texts(emulator, alice.id) == [f"n{i}" for i in range(10)]


def test_an_outage_of_any_length_loses_nothing(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    emulator.faults("500=1.0")
    with outbox_for(
        emulator, tmp_path / "o.db", chat_id=alice.id, limits=None, max_backoff=0.3
    ) as outbox:
        for i in range(20):
            outbox.notify(f"m{i}")
        assert emulator.wait_until(lambda: emulator.struck("500") >= 4, timeout=20)
        assert outbox.status() == {"pending": 20, "delivered": 0, "dead": 0}
        emulator.faults("drop=0.3,502=0.2,seed=11")
        assert emulator.wait_until(lambda: emulator.struck("drop", "502") >= 2, timeout=20)
        emulator.faults(None)
        assert outbox.flush(20)
    assert bot_texts(emulator, alice.id) == [f"m{i}" for i in range(20)]


def test_refused_messages_become_dead_letters_and_can_be_retried(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    path = tmp_path / "o.db"
    emulator.block(alice)
    with outbox_for(emulator, path, chat_id=alice.id, limits=None) as outbox:
        outbox.notify("while blocked")
        assert outbox.flush(10)
        assert outbox.status() == {"pending": 0, "delivered": 0, "dead": 1}
    shown = run_cli("outbox", "--path", str(path))
    assert "dead #1" in shown.stdout and "bot was blocked by the user" in shown.stdout
    emulator.block(alice, blocked=False)
    emulator.send(alice, "I'm back")
    assert "1 dead letters queued again" in run_cli("outbox", "retry", "--path", str(path)).stdout
    with outbox_for(emulator, path, chat_id=alice.id, limits=None) as outbox:
        assert outbox.flush(10)
    assert bot_texts(emulator, alice.id) == ["while blocked"]


@pytest.mark.slow
def test_kill_9_of_the_sending_process_loses_nothing(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    path = tmp_path / "o.db"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
    }
    emulator.faults("latency=1.0,latency_ms=15")
    first = subprocess.Popen(
        [sys.executable, str(HERE / "outbox_process.py"), str(path), str(alice.id), "80"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert first.stdout is not None and first.stdout.readline().strip() == "queued"
    deadline = time.monotonic() + 30
    while len(bot_texts(emulator, alice.id)) < 25 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    before = len(bot_texts(emulator, alice.id))
    assert 0 < before < 81
    emulator.faults(None)
    second = subprocess.Popen(
        [sys.executable, str(HERE / "outbox_process.py"), str(path), str(alice.id), "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while len(bot_texts(emulator, alice.id)) < 81 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        second.kill()
        second.wait(10)
    sent = bot_texts(emulator, alice.id)
    expected = ["batch"] + [f"note {i}" for i in range(80)]
    assert list(dict.fromkeys(sent)) == expected, "every message, in order"
    assert len(sent) - len(expected) <= 1, "at most the message in flight at the kill repeats"


@pytest.mark.slow
def test_broadcast_under_telegram_limits_has_no_429_and_near_full_rate(tmp_path: Path) -> None:
    with Emulator(telegram_limits=True) as server:
        handle = EmulatorHandle(server.base_url, server.token)
        users = [handle.user(f"B{i}", id=80_000 + i) for i in range(100)]
        for user in users:
            handle.send(user, "/start")
        with Outbox(tmp_path / "o.db", token=server.token, base_url=server.base_url) as outbox:
            started = time.monotonic()
            for round_ in range(3):
                for user in users:
                    outbox.notify(f"news {round_}", chat_id=user.id)
            assert outbox.flush(60)
            elapsed = time.monotonic() - started
        stats = raw(f"{server.base_url}/emulator/stats")[1]
    # Sliding windows of one second allow 30 * (seconds + 1) messages in `elapsed` seconds.
    allowed = 30 * (elapsed + 1.0)
    print(
        f"broadcast: 300 messages in {elapsed:.2f} s; {300 / allowed:.1%} of the allowed "
        f"{allowed:.0f}; 429s: {stats['429']}"
    )
    assert stats["429"] == 0
    # The rate claim (>= 95 %) is measured by benchmarks/run.py on a quiet machine; here only
    # a pacing far too cautious fails, so a loaded CI machine cannot make this test flaky.
    assert 300 / allowed >= 0.6


def test_queued_messages_follow_a_group_that_became_a_supergroup(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    owner = emulator.user("Owner")
    group = emulator.group("Team", [owner])
    supergroup = emulator.upgrade(group.id)
    with outbox_for(emulator, tmp_path / "o.db", limits=None) as outbox:
        outbox.notify("first", chat_id=group.id)
        outbox.notify("second", chat_id=group.id)
        assert outbox.flush(10)
    assert [m.text for m in emulator.messages(supergroup.id)] == ["first", "second"]


def test_the_async_outbox_delivers_in_order(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    import asyncio

    from telewire.features.outbox import AsyncOutbox, OutboxStatus

    async def main() -> OutboxStatus:
        async with AsyncOutbox(
            tmp_path / "a.db",
            token=emulator.token,
            base_url=emulator.base_url,
            chat_id=alice.id,
            limits=None,
        ) as outbox:
            for i in range(5):
                await outbox.notify(f"async {i}")
            assert await outbox.flush(10)
            return outbox.status()

    assert asyncio.run(main()) == {"pending": 0, "delivered": 5, "dead": 0}
    assert bot_texts(emulator, alice.id) == [f"async {i}" for i in range(5)]


def test_notify_carries_buttons_and_silence_under_the_last_piece(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    from telewire import InlineKeyboard

    keyboard = InlineKeyboard().button("👍 Seen", "seen").markup()
    with outbox_for(emulator, tmp_path / "o.db", chat_id=alice.id, limits=None) as outbox:
        outbox.notify("word " * 1000, reply_markup=keyboard, disable_notification=True)
        assert outbox.flush(10)
        queued = outbox.store.listing("delivered")
    assert len(queued) == 2 and all(q["params"]["disable_notification"] for q in queued)
    first, last = emulator.bot_messages(alice.id)
    assert first.reply_markup is None
    assert last.reply_markup is not None
    assert [b.text for b in last.reply_markup.inline_keyboard[0]] == ["👍 Seen"]
