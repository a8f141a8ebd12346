"""What polling says in the log: where it starts, and which updates nothing handled."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from telewire import Context, Router
from telewire.testing import EmulatorHandle


def wait_for_record(caplog: pytest.LogCaptureFixture, text: str) -> logging.LogRecord:
    deadline = time.monotonic() + 15  # bounds a failure only
    while time.monotonic() < deadline:
        for record in list(caplog.records):
            if text in record.getMessage():
                return record
        time.sleep(0.01)
    raise AssertionError(f"no log record with {text!r}: {[r.getMessage() for r in caplog.records]}")


def test_polling_logs_one_line_on_start_and_a_debug_line_per_unrouted_update(
    emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    router = Router()

    @router.text("hello")
    async def hello(ctx: Context) -> None:
        await ctx.reply("hi")

    alice = emulator.user("Alice")
    offsets = tmp_path / "bot.offset"
    with caplog.at_level(logging.DEBUG, logger="telewire"):
        with emulator.run(router, offsets=offsets):
            started = wait_for_record(caplog, "polling for @")
            emulator.send(alice, "something no route takes")
            unrouted = wait_for_record(caplog, "matched no route")
            emulator.send(alice, "hello")
            emulator.expect_reply(alice.id)
    line = started.getMessage()
    assert started.levelno == logging.INFO
    assert emulator.base_url in line and str(offsets) in line
    bot_id = emulator.token.split(":")[0]
    assert f"{bot_id}:***" in line and emulator.token not in line
    assert unrouted.levelno == logging.DEBUG and "(message)" in unrouted.getMessage()
    assert [r for r in caplog.records if "polling for @" in r.getMessage()] == [started]
