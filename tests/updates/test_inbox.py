"""The webhook inbox on real SQLite files: durable, ordered, deduplicated, bounded."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from telewire.updates.inbox import SQLiteInbox


def body(update_id: int) -> bytes:
    return b'{"update_id": %d}' % update_id


@pytest.mark.parametrize("fsync", [False, True], ids=["group-commit", "fsync"])
def test_kept_updates_survive_reopening_in_arrival_order_until_done(
    tmp_path: Path, fsync: bool
) -> None:
    path = tmp_path / "inbox.db"

    async def first_life() -> list[bool]:
        inbox = SQLiteInbox(path, fsync=fsync)
        kept = await asyncio.gather(*(inbox.keep(i, body(i)) for i in (5, 3, 9, 4)))
        inbox.done(3)
        await inbox.close()
        return list(kept)

    async def second_life() -> tuple[list[bytes], bool, bool]:
        inbox = SQLiteInbox(path, fsync=fsync)
        left = await inbox.unfinished()
        again_done, again_open = await inbox.keep(3, body(3)), await inbox.keep(9, body(9))
        await inbox.close()
        return left, again_done, again_open

    assert asyncio.run(first_life()) == [True, True, True, True]
    left, again_done, again_open = asyncio.run(second_life())
    assert left == [body(5), body(9), body(4)]  # arrival order, not id order
    assert (again_done, again_open) == (False, False)  # redeliveries are not new


def test_finished_updates_are_pruned_but_recent_ones_still_recognised(tmp_path: Path) -> None:
    path = tmp_path / "inbox.db"

    async def run() -> list[bool]:
        inbox = SQLiteInbox(path, keep_done=20)
        for i in range(1, 301):
            assert await inbox.keep(i, body(i))
            inbox.done(i)
        await inbox.keep(301, body(301))
        redelivered = [await inbox.keep(i, body(i)) for i in (300, 290)]
        assert await inbox.unfinished() == [body(301)]
        await inbox.close()
        return redelivered

    assert asyncio.run(run()) == [False, False]
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT COUNT(*) FROM webhook_inbox").fetchone()[0]
    assert rows <= 20 + 20 // 10 + 2, rows


def test_a_failed_write_fails_the_waiting_updates_and_the_next_write_works(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "inbox.db"

    async def run() -> None:
        inbox = SQLiteInbox(path)
        assert await inbox.keep(1, body(1))
        with sqlite3.connect(path) as other:
            other.execute("ALTER TABLE webhook_inbox RENAME TO moved")
        inbox.done(1)  # fails with the next write, and is kept for the one after
        for i in (2, 3):
            with pytest.raises(sqlite3.Error):
                await inbox.keep(i, body(i))
        with sqlite3.connect(path) as other:
            other.execute("ALTER TABLE moved RENAME TO webhook_inbox")
        assert await inbox.keep(2, body(2))
        assert await inbox.unfinished() == [body(2)]
        await inbox.close()

    asyncio.run(run())
    errors = [r for r in caplog.records if r.name == "telewire.webhook"]
    assert len(errors) == 1 and "cannot write" in errors[0].getMessage()
