"""The logging handler, delivering through the real outbox (the ledger: test_ledger.py)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from telewire.features.logging_handler import TelegramHandler
from telewire.features.outbox import Outbox
from telewire.testing import EmulatorHandle, TestUser


@pytest.fixture
def outbox(emulator: EmulatorHandle, alice: TestUser, tmp_path: Path):  # type: ignore[no-untyped-def]
    box = Outbox(
        tmp_path / "o.db",
        token=emulator.token,
        base_url=emulator.base_url,
        chat_id=alice.id,
        limits=None,
    )
    yield box
    box.close()


def test_a_burst_of_log_records_is_one_message(
    outbox: Outbox, emulator: EmulatorHandle, alice: TestUser
) -> None:
    logger = logging.getLogger("shop.test")
    handler = TelegramHandler(outbox, level=logging.ERROR, coalesce=0.3)
    logger.addHandler(handler)
    try:
        for i in range(12):
            logger.error("payment %d failed", i)
        logger.warning("below the threshold")
        time.sleep(0.6)
        assert outbox.flush(10)
    finally:
        logger.removeHandler(handler)
    messages = emulator.bot_messages(alice.id)
    assert len(messages) == 1
    assert "ERROR shop.test: payment 0 failed" in (messages[0].text or "")
    assert "payment 11 failed" in (messages[0].text or "") and "threshold" not in (
        messages[0].text or ""
    )


def test_the_handler_never_raises_or_blocks() -> None:
    class Broken:
        def notify(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("disk full")

    handler = TelegramHandler(Broken(), coalesce=0.05)
    logger = logging.getLogger("shop.broken")
    logger.addHandler(handler)
    started = time.perf_counter()
    for _ in range(1000):
        logger.error("boom")
    assert time.perf_counter() - started < 1.0
    time.sleep(0.2)
    handler.close()
    logger.removeHandler(handler)
