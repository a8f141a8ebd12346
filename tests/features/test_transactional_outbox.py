"""The transactional outbox: a message queued in the program's own transaction.

A bill and its message commit together or not at all, whichever the program writes first
and wherever it is killed -9: no message for a rolled-back bill, none lost for a
committed one.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from telewire.features.outbox import AsyncOutbox, Outbox
from telewire.storage import StorageError
from telewire.testing import EmulatorHandle, TestUser

HERE = Path(__file__).parent
CASES = [
    (order, kill_at)
    for order in ("bill-first", "message-first")
    for kill_at in ("before-commit", "after-commit")
]


def run_and_kill(
    emulator: EmulatorHandle, path: Path, chat: int, bill: int, order: str, kill_at: str
) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
    }
    app = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "billing_app.py"),
            str(path),
            str(chat),
            str(bill),
            order,
            kill_at,
        ],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert app.stdout is not None
    expected = "committed" if kill_at == "after-commit" else "queued, not committed"
    assert app.stdout.readline().strip() == expected
    app.send_signal(signal.SIGKILL)
    assert app.wait(10) == -signal.SIGKILL


def test_kill_9_around_the_commit_announces_exactly_the_committed_bills(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    path = tmp_path / "billing.db"
    for bill, (order, kill_at) in enumerate(CASES * 2, 1):  # each case twice, fresh processes
        run_and_kill(emulator, path, alice.id, bill, order, kill_at)
    with Outbox(
        path, token=emulator.token, base_url=emulator.base_url, chat_id=alice.id, limits=None
    ) as sender:
        assert sender.flush(20)
        assert sender.status() == {"pending": 0, "delivered": 4, "dead": 0}
    db = sqlite3.connect(path)
    committed = [n for (n,) in db.execute("SELECT number FROM bills ORDER BY number")]
    db.close()
    assert committed == [2, 4, 6, 8]  # the after-commit runs
    announced = [m.text for m in emulator.bot_messages(alice.id)]
    assert announced == [f"Bill #{n}: 12.50" for n in committed]


def test_a_rolled_back_transaction_takes_its_message_with_it(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    path = tmp_path / "billing.db"
    with Outbox(
        path, token=emulator.token, base_url=emulator.base_url, chat_id=alice.id, limits=None
    ) as outbox:
        db = sqlite3.connect(path)  # Python's default: a transaction opens at the first write
        db.execute("CREATE TABLE bills (number INTEGER PRIMARY KEY)")
        with pytest.raises(RuntimeError), db:
            db.execute("INSERT INTO bills VALUES (1)")
            outbox.notify("Bill #1", connection=db)
            raise RuntimeError("the card was declined")
        with db:
            db.execute("INSERT INTO bills VALUES (2)")
            outbox.notify("Bill #2", connection=db)
        db.close()
        assert outbox.flush(20)
        assert outbox.status() == {"pending": 0, "delivered": 1, "dead": 0}
    assert [m.text for m in emulator.bot_messages(alice.id)] == ["Bill #2"]


def test_the_async_twin_queues_in_the_same_transaction(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    path = tmp_path / "billing.db"

    async def main() -> None:
        async with AsyncOutbox(
            path, token=emulator.token, base_url=emulator.base_url, chat_id=alice.id, limits=None
        ) as outbox:
            db = sqlite3.connect(path, isolation_level=None)
            db.execute("BEGIN")
            await outbox.notify("rolled back", connection=db)
            db.execute("ROLLBACK")
            db.execute("BEGIN")
            await outbox.notify("committed", connection=db)
            db.execute("COMMIT")
            db.close()
            assert await outbox.flush(20)

    asyncio.run(main())
    assert [m.text for m in emulator.bot_messages(alice.id)] == ["committed"]


def test_a_connection_that_cannot_share_the_commit_is_refused(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "billing.db", token="123:" + "a" * 35, chat_id=1, start=False)
    elsewhere = sqlite3.connect(tmp_path / "other.db")
    with pytest.raises(ValueError, match="open the Outbox on the program's own database file"):
        outbox.notify("x", connection=elsewhere)
    autocommit = sqlite3.connect(tmp_path / "billing.db", isolation_level=None)
    with pytest.raises(ValueError, match="not inside a transaction"):
        outbox.notify("x", connection=autocommit)
    with pytest.raises(TypeError, match=r"sqlite3\.Connection"):
        outbox.notify("x", connection="billing.db")  # type: ignore[arg-type]
    assert outbox.status() == {"pending": 0, "delivered": 0, "dead": 0}
    outbox.close(0)


def test_an_app_table_named_outbox_is_not_mistaken_for_ours(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE outbox (letter TEXT)")
    db.commit()
    db.close()
    with pytest.raises(StorageError, match="table named 'outbox' that is not telewire's"):
        Outbox(path, token="123:" + "a" * 35, chat_id=1, start=False)


def test_the_billing_example_announces_each_committed_bill_once(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_CHAT_ID": str(alice.id),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    example = HERE.parent.parent / "examples" / "billing.py"
    done = subprocess.run(
        [sys.executable, str(example), str(tmp_path / "billing.db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "nothing was announced twice" in done.stdout
    assert [m.text for m in emulator.bot_messages(alice.id)] == ["🧾 Bill #41: 12.50"]
