"""The logging handler and the audit ledger, delivering through the real outbox."""

from __future__ import annotations

import itertools
import logging
import sqlite3
import time
from pathlib import Path

import pytest

from telewire.features.ledger import Ledger
from telewire.features.logging_handler import TelegramHandler
from telewire.features.outbox import Outbox
from telewire.testing import EmulatorHandle, TestUser
from tests.conftest import run_cli


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


def tamper(path: Path, *statements: str) -> None:
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER IF EXISTS ledger_no_update")
    db.execute("DROP TRIGGER IF EXISTS ledger_no_delete")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def filled(path: Path, outbox: Outbox | None = None) -> Ledger:
    ledger = Ledger(path, outbox=outbox)
    for i in range(1, 6):
        ledger.record("sale", actor="cashier:ann", data={"bill": i, "total": f"{i * 10}.00"})
    return ledger


def test_entries_chain_and_are_mirrored_with_their_hash(
    outbox: Outbox, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    ledger = filled(tmp_path / "audit.db", outbox)
    assert ledger.verify() == []
    entries = ledger.entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert outbox.flush(10)
    mirrored = [m.text or "" for m in emulator.bot_messages(alice.id)]
    assert len(mirrored) == 5 and entries[2].short in mirrored[2] and "bill=3" in mirrored[2]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        ledger.db.execute("UPDATE ledger SET actor = 'x' WHERE seq = 1")


@pytest.mark.parametrize(
    ("statements", "first_bad", "reason"),
    [
        (['UPDATE ledger SET data = \'{"bill":3,"total":"1.00"}\' WHERE seq = 3'], 3, "modified"),
        (["DELETE FROM ledger WHERE seq = 2"], 3, "deleted"),
        (
            [
                "UPDATE ledger SET seq = -1 WHERE seq = 2",
                "UPDATE ledger SET seq = 2 WHERE seq = 3",
                "UPDATE ledger SET seq = 3 WHERE seq = -1",
            ],
            2,
            "modified",
        ),
    ],
    ids=["edited row", "deleted row", "swapped pair"],
)
def test_verify_names_the_first_broken_link(
    tmp_path: Path, statements: list[str], first_bad: int, reason: str
) -> None:
    path = tmp_path / "audit.db"
    filled(path).close()
    tamper(path, *statements)
    problems = Ledger(path).verify()
    assert problems and problems[0].seq == first_bad
    assert any(reason in p.reason or "follow" in p.reason for p in problems)
    result = run_cli("audit", "verify", "--path", str(path))
    assert result.returncode == 1 and f"first broken link at entry {first_bad}" in result.stdout


def test_a_removed_tail_is_caught_with_the_last_known_hash(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    ledger = filled(path)
    head = ledger.head()
    ledger.close()
    tamper(path, "DELETE FROM ledger WHERE seq = 5")
    assert Ledger(path).verify() == []  # the chain itself is intact...
    assert Ledger(path).verify(expect_head=head[:12])  # ...but not what the owner was sent
    ok = run_cli("audit", "verify", "--path", str(path))
    assert ok.returncode == 0 and "ledger intact: 4 entries" in ok.stdout
    assert run_cli("audit", "verify", "--path", str(path), "--head", head[:12]).returncode == 1
    shown = run_cli("audit", "show", "--path", str(path))
    assert shown.returncode == 0 and len(shown.stdout.strip().splitlines()) == 4
