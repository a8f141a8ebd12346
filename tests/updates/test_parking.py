"""Updates that cannot be handled are parked, not retried forever and not lost."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from telewire import Context, NetworkError, Router, start_polling
from telewire.core.retry import RetryPolicy
from telewire.testing import EmulatorHandle
from telewire.updates.offsets import FileOffsets
from telewire.updates.parked import SQLiteParked


def telewire(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "telewire", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_poison_update_is_parked_listed_and_replayed_without_stalling_its_chat(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    router = Router()
    fixed = False

    @router.message()
    async def echo(ctx: Context) -> None:
        if ctx.text == "poison" and not fixed:
            raise ZeroDivisionError("the handler's bug")
        await ctx.reply(f"got {ctx.text}")

    user = emulator.user("Unlucky")
    offsets = tmp_path / "bot.offset"
    with emulator.run(router, offsets=offsets):
        emulator.send(user, "poison")
        emulator.send(user, "after")
        emulator.wait_for(user.id, lambda m: m.text == "got after")
        listing = telewire("parked", str(offsets))
        assert "1 parked updates" in listing and "ZeroDivisionError: the handler's bug" in listing
        assert FileOffsets(offsets).load() == emulator.deliveries()["next_update_id"]
        fixed = True
        assert "1 parked updates marked for replay" in telewire("parked", str(offsets), "replay")
        emulator.wait_for(user.id, lambda m: m.text == "got poison")
    assert "0 parked updates" in telewire("parked", str(offsets))
    texts = [m.text for m in emulator.messages(user.id)]
    assert texts.count("got poison") == 1 and texts.count("got after") == 1


def test_a_handler_whose_send_may_have_gone_through_is_not_run_again(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    router = Router()
    runs: list[str] = []

    @router.message()
    async def reply(ctx: Context) -> None:
        runs.append(ctx.text or "")
        await asyncio.to_thread(emulator.faults, "lost=1.0")  # the reply will be lost...
        try:
            await ctx.reply(f"once for {ctx.text}")  # ...after the message went out
        finally:
            await asyncio.to_thread(emulator.faults, None)

    user = emulator.user("Careful")
    parked = tmp_path / "parked.db"
    with emulator.run(router, parked=parked):
        emulator.send(user, "hi")
        emulator.wait_for(user.id, lambda m: m.text == "once for hi")
        emulator.send(user, "next")  # handled after "hi" finished: it was parked, not retried
        emulator.wait_for(user.id, lambda m: m.text == "once for next")
    # Read after the bot stopped: it drained, so the second park (which follows the
    # message's arrival) has happened.
    rows = SQLiteParked(parked, bot_id=None).listing()
    assert runs == ["hi", "next"]
    assert [r.kind for r in rows] == ["message", "message"]
    assert all("may already have taken effect" in r.error for r in rows)
    texts = [m.text for m in emulator.messages(user.id)]
    assert texts.count("once for hi") == 1 and texts.count("once for next") == 1


def test_transient_trouble_is_retried_a_bounded_number_of_times_then_parked(
    emulator: EmulatorHandle,
) -> None:
    router = Router()
    runs = 0

    @router.message()
    async def always_unreachable(ctx: Context) -> None:
        nonlocal runs
        runs += 1
        raise NetworkError("no route to the database's API", sent=False)

    user = emulator.user("Stuck")
    reruns = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.02)
    with emulator.run(router, reruns=reruns) as bot:
        emulator.send(user, "x")
        assert bot.polling is not None
        polling = bot.polling
        deadline = time.monotonic() + 15  # bounds a failure only
        while not polling.parked.listing() and time.monotonic() < deadline:
            time.sleep(0.01)
        rows = polling.parked.listing()
    assert runs == 3
    assert [(r.attempts, r.error) for r in rows] == [
        (3, "NetworkError: no route to the database's API")
    ]


def test_start_polling_runs_in_a_running_loop_and_leaves_a_given_bot_open(
    emulator: EmulatorHandle,
) -> None:
    from telewire import AsyncBot

    router = Router()

    @router.message()
    async def echo(ctx: Context) -> None:
        await ctx.reply(f"got {ctx.text}")

    user = emulator.user("Looped")

    async def main() -> str:
        async with AsyncBot(emulator.token, base_url=emulator.base_url) as bot:
            task = asyncio.create_task(start_polling(router, bot=bot, handle_signals=False))
            await asyncio.to_thread(emulator.send, user, "in a loop")
            await asyncio.to_thread(emulator.wait_for, user.id, lambda m: m.text == "got in a loop")
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            me = await bot.get_me()  # still open: it is the caller's
            return me.username or ""

    assert asyncio.run(main()).endswith("_bot")


def test_replay_marks_are_seen_from_another_connection_and_from_this_one(
    tmp_path: Path,
) -> None:
    from telewire.api._generated.types import Update

    path = tmp_path / "parked.db"
    bot_side, cli_side = SQLiteParked(path, 1), SQLiteParked(path, None)
    try:
        for update_id in (5, 6):
            bot_side.park(Update(update_id=update_id), "message", "boom", 1)
        assert bot_side.take_replays() == []
        # Nothing marked: the poller's check takes no lock, so another process holding
        # the write lock does not stall the event loop (it used to wait up to 30 s).
        bot_side._db.execute("PRAGMA busy_timeout = 2000")
        cli_side._db.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        assert bot_side.take_replays() == []
        assert time.monotonic() - started < 1.5  # under the 2 s busy timeout
        cli_side._db.execute("ROLLBACK")
        assert cli_side.mark_replay([5]) == 1  # another connection, as `telewire parked replay`
        assert [b'"update_id":5' in body for body in bot_side.take_replays()] == [True]
        assert bot_side.take_replays() == []  # taken once, not again
        assert bot_side.mark_replay([6]) == 1  # this connection: no data_version change
        assert [b'"update_id":6' in body for body in bot_side.take_replays()] == [True]
        assert bot_side.take_replays() == []
        assert cli_side.mark_replay(None) == 2
        assert len(bot_side.take_replays()) == 2
    finally:
        bot_side.close()
        cli_side.close()
