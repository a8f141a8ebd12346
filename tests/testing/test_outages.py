"""Outages in tests: the plugin's emulator goes down and comes back on its port, state kept."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from telewire import Bot, Context, NetworkError, RetryPolicy, Router
from telewire.features.outbox import Outbox
from telewire.testing import EmulatorHandle, TestUser

ONCE = RetryPolicy(attempts=1)


def test_the_emulator_comes_back_on_its_port_with_its_state(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    port = emulator.base_url
    emulator.send(alice, "written before the outage")
    with Bot(emulator.token, base_url=emulator.base_url, retry=ONCE) as bot:
        emulator.stop()
        with pytest.raises(NetworkError):
            bot.get_me()
        with pytest.raises(AssertionError, match="did not answer") as failure:  # control API too
            emulator.messages(alice.id)
        assert emulator.token not in str(failure.value)
        emulator.start()
        assert emulator.base_url == port
        assert bot.get_me().is_bot
        texts = [u.message.text for u in bot.get_updates() if u.message is not None]
    assert texts == ["/start", "written before the outage"]
    assert [m.text for m in emulator.messages(alice.id)] == ["/start", "written before the outage"]


def test_a_message_queued_during_an_outage_arrives_afterwards(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    with Outbox(
        tmp_path / "outbox.db",
        token=emulator.token,
        base_url=emulator.base_url,
        chat_id=alice.id,
        limits=None,
        max_backoff=0.5,
    ) as outbox:
        with emulator.down():
            outbox.notify("queued while Telegram was down")
            deadline = time.monotonic() + 10
            while not outbox.store.listing("pending")[0]["attempts"]:  # it tried, and failed
                assert time.monotonic() < deadline, "the outbox never tried to deliver"
                time.sleep(0.02)
            assert outbox.status() == {"pending": 1, "delivered": 0, "dead": 0}
        assert outbox.flush(20)
        assert outbox.status() == {"pending": 0, "delivered": 1, "dead": 0}
    assert [m.text for m in emulator.bot_messages(alice.id)] == ["queued while Telegram was down"]


def test_a_polling_bot_rides_out_an_outage(
    emulator: EmulatorHandle, alice: TestUser, caplog: pytest.LogCaptureFixture
) -> None:
    router = Router()

    @router.text("ping")
    async def ping(ctx: Context) -> None:
        await ctx.reply("pong")

    with emulator.run(router):
        emulator.send(alice, "ping")
        emulator.expect_reply(alice.id, timeout=10)
        with caplog.at_level(logging.WARNING, "telewire"), emulator.down():
            deadline = time.monotonic() + 15
            while not any("getUpdates failed" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline, "the poller never met the closed port"
                time.sleep(0.02)
        emulator.send(alice, "ping")
        assert emulator.expect_reply(alice.id, timeout=30).text == "pong"


def test_a_handle_without_its_server_says_so(emulator: EmulatorHandle) -> None:
    other = EmulatorHandle(emulator.base_url, emulator.token)
    with pytest.raises(RuntimeError, match="did not start"):
        other.stop()
    other.close()
