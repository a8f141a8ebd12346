"""Long polling loses nothing: crash and restart, per-chat order, shutdown, conflicts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest

from telewire import Conflict, Context, Router
from telewire.emulator import Emulator
from telewire.testing import EmulatorHandle
from tests.emulator.helpers import raw
from tests.updates.test_polling_logs import wait_for_record

HERE = Path(__file__).parent


def start_bot(server: Emulator, offsets: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "TELEGRAM_API_URL": server.base_url, "TELEGRAM_BOT_TOKEN": server.token}
    process = subprocess.Popen(
        [sys.executable, str(HERE / "killable_bot.py"), str(offsets)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "polling"
    return process


def bot_messages(server: Emulator) -> int:
    return int(raw(f"{server.base_url}/emulator/stats")[1]["bot_messages"])


@pytest.mark.slow
def test_kill_9_mid_stream_loses_nothing_and_replays_only_in_flight(tmp_path: Path) -> None:
    chats, per_chat = 100, 20
    with Emulator() as server:
        handle = EmulatorHandle(server.base_url, server.token)
        users = [handle.user(f"C{c}", id=50_000 + c) for c in range(chats)]
        for i in range(per_chat):
            for user in users:
                handle.send(user, f"{user.id}-{i}")
        offsets = tmp_path / "offset"
        first = start_bot(server, offsets)
        deadline = time.monotonic() + 60
        while bot_messages(server) < 600 and time.monotonic() < deadline:
            time.sleep(0.005)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        answered_before = bot_messages(server)
        assert 0 < answered_before < chats * per_chat, "the kill must land mid-stream"
        persisted = int(offsets.read_text())

        second = start_bot(server, offsets)
        try:
            deadline = time.monotonic() + 60
            while handle.deliveries()["pending"] and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(15)

        assert handle.deliveries()["pending"] == []
        update_of = {
            f"{u.id}-{i}": 1 + i * chats + c for i in range(per_chat) for c, u in enumerate(users)
        }
        answered_twice: set[int] = set()
        for user in users:
            messages = handle.messages(user.id)
            asked = [m.text for m in messages if not m.from_user.is_bot]  # type: ignore[union-attr]
            acks = [m.text.removeprefix("ack ") for m in messages if m.from_user.is_bot]  # type: ignore[union-attr]
            assert set(acks) == set(asked), f"chat {user.id} has unanswered messages"
            first_seen = list(dict.fromkeys(acks))
            assert first_seen == asked, f"chat {user.id} answered out of order"
            answered_twice |= {update_of[a] for a in acks if acks.count(a) > 1}
        # A replay is an update handled twice: only those above the watermark saved at the kill,
        # i.e. the ones in flight then (at most one getUpdates batch ahead of it).
        assert all(persisted <= uid < persisted + 100 for uid in answered_twice), (
            persisted,
            answered_twice,
        )
        assert 0 <= bot_messages(server) - chats * per_chat <= 100


def test_per_chat_order_holds_while_chats_overlap(emulator: EmulatorHandle) -> None:
    router = Router()
    handled: dict[int, list[int]] = defaultdict(list)
    active = {"now": 0, "max": 0}

    @router.message()
    async def work(ctx: Context) -> None:
        active["now"] += 1
        active["max"] = max(active["max"], active["now"])
        await asyncio.sleep(random.random() * 0.003)
        handled[ctx.chat_id or 0].append(int((ctx.text or "").split()[-1]))
        active["now"] -= 1

    users = [emulator.user(f"O{c}", id=70_000 + c) for c in range(100)]
    for i in range(50):
        for user in users:
            emulator.send(user, f"n {i}")
    with emulator.run(router):
        deadline = time.monotonic() + 60
        while sum(map(len, handled.values())) < 5000 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert all(handled[u.id] == list(range(50)) for u in users)
    assert active["max"] > 10, "different chats must run concurrently"


def test_stop_finishes_in_flight_work_then_confirms(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    router = Router()
    finished: list[str] = []
    started = threading.Event()

    @router.message()
    async def slow(ctx: Context) -> None:
        started.set()
        await asyncio.sleep(0.5)
        finished.append(ctx.text or "")

    user = emulator.user("Patient")
    emulator.send(user, "long job")
    bot = emulator.run(router, offsets=tmp_path / "offset").start()
    assert started.wait(10)  # stop while the handler is in flight
    bot.stop()
    assert finished == ["long job"]
    assert emulator.deliveries()["pending"] == []  # confirmed to the server on the way out
    assert int((tmp_path / "offset").read_text()) == emulator.deliveries()["next_update_id"]


def test_a_second_poller_or_a_webhook_does_not_kill_a_running_bot(
    emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    from telewire import Bot

    router = Router()

    @router.message()
    async def echo(ctx: Context) -> None:
        await ctx.reply(f"got {ctx.text}")

    user = emulator.user("Patient")
    other = Bot(emulator.token, base_url=emulator.base_url)
    with caplog.at_level(logging.DEBUG, logger="telewire.polling"), emulator.run(router):
        emulator.send(user, "first")
        emulator.wait_for(user.id, lambda m: m.text == "got first")
        for _ in range(3):  # `telewire listen` or a second instance: each poll is a 409 to us
            with contextlib.suppress(Conflict):  # and ours to them, when the bot polls again
                other.get_updates(timeout=1)
        conflict = wait_for_record(caplog, "another process is polling this bot")
        other.set_webhook(url="http://127.0.0.1:9/hook")
        hooked = wait_for_record(caplog, "a webhook is set for this bot")
        other.delete_webhook()
        emulator.send(user, "after")
        emulator.wait_for(user.id, lambda m: m.text == "got after", timeout=20)
    other.close()
    assert conflict.levelno == logging.WARNING and hooked.levelno == logging.WARNING
    assert "Traceback" not in caplog.text and emulator.token not in caplog.text
    texts = [m.text for m in emulator.messages(user.id)]
    assert texts.count("got first") == 1 and texts.count("got after") == 1


def test_network_outages_are_survived(emulator: EmulatorHandle) -> None:
    router = Router()

    @router.message()
    async def echo(ctx: Context) -> None:
        await ctx.reply(f"got {ctx.text}")

    user = emulator.user("Resilient")
    with emulator.run(router):
        emulator.faults("500=1.0")
        emulator.send(user, "during outage")
        assert emulator.wait_until(lambda: emulator.struck("500") >= 3, timeout=20)
        emulator.faults("drop=0.3,429=0.2,seed=5")
        emulator.send(user, "flaky")
        assert emulator.wait_until(lambda: emulator.struck("drop", "429") >= 2, timeout=20)
        emulator.faults(None)
        emulator.wait_for(user.id, lambda m: m.text == "got flaky", timeout=20)
    texts = [m.text for m in emulator.messages(user.id)]
    assert texts.count("got during outage") == 1 and texts.count("got flaky") == 1


def test_sigterm_in_a_real_process_drains(tmp_path: Path) -> None:
    with Emulator() as server:
        handle = EmulatorHandle(server.base_url, server.token)
        user = handle.user("T")
        for i in range(30):
            handle.send(user, str(i))
        bot = start_bot(server, tmp_path / "offset")
        # All 30 were pending, so the first poll took them all: stop as the first is answered.
        assert handle.wait_until(lambda: bot_messages(server) >= 1, timeout=20)
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(15) == 0
        assert handle.deliveries()["pending"] == []
        threading.Event().wait(0.1)
        assert len([m for m in handle.messages(user.id) if m.from_user.is_bot]) == 30  # type: ignore[union-attr]
