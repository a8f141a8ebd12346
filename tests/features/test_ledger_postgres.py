"""The audit ledger in PostgreSQL (a real server): one chain for workers on many machines.

The rules of the file ledger hold: entries chain and are mirrored with their anchors; the
table refuses changes; a removed or defused guard is reported by ``verify`` (which changes
nothing) and restored, on the record, by the next writer; processes appending at once keep
one linear chain.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from telewire import SharedApprovalBook, open_storage
from telewire.features.approvals import ForgedDecision
from telewire.features.ledger import Anchor, Ledger, anchors_in_text, digest_of
from telewire.features.outbox import Outbox
from telewire.storage import StorageUnavailable
from telewire.testing import EmulatorHandle, TestUser
from telewire.testing.servers import PostgresServer, RedisServer, free_port
from telewire.types import InlineKeyboardMarkup
from tests.conftest import run_cli
from tests.storage.test_races import race


def sql(url: str, *statements: str) -> None:
    with psycopg.connect(url, autocommit=True) as db:
        for statement in statements:
            db.execute(statement)  # type: ignore[arg-type]  # the tests' own SQL


@pytest.fixture
def url(postgres_server: PostgresServer) -> Iterator[str]:
    """A ledger URL on the session's server, emptied of earlier tests' ledgers."""
    sql(
        postgres_server.url,
        "DROP TABLE IF EXISTS telewire_ledger",
        "DROP FUNCTION IF EXISTS telewire_ledger_append_only",
    )
    yield postgres_server.url


def filled(url: str, count: int = 5, outbox: Outbox | None = None) -> Ledger:
    ledger = Ledger(url, outbox=outbox)
    for i in range(1, count + 1):
        ledger.record("sale", actor="cashier:ann", data={"bill": i, "total": f"{i}0.00"})
    return ledger


def test_entries_chain_and_are_mirrored_with_their_anchors(
    url: str, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    with Outbox(
        tmp_path / "o.db", token=emulator.token, base_url=emulator.base_url, chat_id=alice.id,
        limits=None,
    ) as outbox:  # fmt: skip
        ledger = filled(url, outbox=outbox)
        entries = ledger.entries()
        assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
        assert ledger.head() == Anchor(5, entries[-1].hash)
        assert outbox.flush(10)
    mirrored = [anchors_in_text(m.text or "") for m in emulator.bot_messages(alice.id)]
    anchors = [Anchor(e.seq, e.hash) for e in entries]
    assert mirrored == [[a] for a in anchors]
    verdict = ledger.verify(anchors)
    assert verdict.intact and verdict.anchors == 5, verdict.summary()
    assert "postgresql://telewire@127.0.0.1" in repr(ledger)
    ledger.close()


def test_keys_find_and_seals_work_as_on_a_file(url: str) -> None:
    ledger = Ledger(url)
    ledger.seal("bill:1", {"total": "10.00"}, kind="bill.issue", actor="till")
    ledger.seal("bill:2", {"total": "20.00"}, kind="bill.issue", actor="till")
    ledger.record("sale", actor="till", data={}, key="sale:9")
    assert ledger.keys(prefix="bill:") == ["bill:1", "bill:2"]
    assert [e.seq for e in ledger.find("bill:2")] == [2]
    assert ledger.check_seal("bill:1", {"total": "10.00"}).ok
    assert not ledger.check_seal("bill:1", {"total": "99.00"}).ok
    ledger.close()


def test_four_processes_appending_at_once_keep_one_linear_chain(url: str, tmp_path: Path) -> None:
    outputs = race(url, tmp_path, *(["append", url, f"p{n}", "60"] for n in range(4)))
    assert outputs == ["appended"] * 4
    ledger = Ledger(url)
    entries = ledger.entries(limit=10_000)
    assert [e.seq for e in entries] == list(range(1, 241))
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert all(b.time >= a.time for a, b in itertools.pairwise(entries))
    by_writer = {
        name: [e.data["n"] for e in entries if e.actor == name] for name in ("p0", "p1", "p2", "p3")
    }
    assert by_writer == {name: list(range(60)) for name in by_writer}  # none lost, in order
    writers_interleaved = len({e.actor for e in entries[:60]}) > 1
    assert writers_interleaved, "the processes did not append at the same time"
    assert ledger.verify().intact
    ledger.close()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE telewire_ledger SET actor = 'x' WHERE seq = 1",
        "DELETE FROM telewire_ledger WHERE seq = 3",
        "TRUNCATE telewire_ledger",
    ],
)
def test_the_table_refuses_changes_even_in_a_replica_session(url: str, statement: str) -> None:
    filled(url).close()
    for prelude in ([], ["SET session_replication_role = replica"]):
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            sql(url, *prelude, statement)
    assert Ledger(url).verify().entries == 5


@pytest.mark.parametrize(
    "defuse",
    [
        "DROP TRIGGER telewire_ledger_no_change ON telewire_ledger",
        "ALTER TABLE telewire_ledger DISABLE TRIGGER telewire_ledger_no_change",
        "CREATE OR REPLACE FUNCTION telewire_ledger_append_only() RETURNS trigger"
        " LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$",
    ],
    ids=["dropped", "disabled", "defused"],
)
def test_a_defused_guard_is_reported_untouched_then_restored_on_the_record(
    url: str, defuse: str
) -> None:
    filled(url).close()
    edit = 'UPDATE telewire_ledger SET data = \'{"bill":1,"total":"0.01"}\' WHERE seq = 1'
    sql(url, defuse, edit)
    for _ in range(2):  # checking twice: the check itself restored nothing
        result = run_cli("audit", "verify", "--path", url)
        assert result.returncode == 1, result.stderr
        assert "entry 1: its contents were modified" in result.stdout
        assert "trigger telewire_ledger_no_change" in result.stdout
    writer = Ledger(url)  # a writer opening it puts the guard back and says so
    entries = writer.entries()
    assert entries[-1].seq == 6 and entries[-1].kind == "ledger.tamper"
    with pytest.raises(psycopg.errors.RaiseException):
        sql(url, "DELETE FROM telewire_ledger WHERE seq = 6")
    problems = [str(p) for p in writer.verify().problems]
    assert problems == [
        "entry 1: its contents were modified after it was written",
        "entry 6: records that the append-only triggers had been removed",
    ]
    writer.close()


def test_the_cli_shows_verifies_and_digests_a_ledger_in_postgresql(url: str) -> None:
    ledger = filled(url, 3)
    head = ledger.head()
    assert head is not None
    shown = run_cli("audit", "show", "--path", url)
    assert shown.returncode == 0 and shown.stdout.count("cashier:ann") == 3, shown.stderr
    checked = run_cli("audit", "verify", "--path", url, "--anchor", f"{head.seq}:{head.hash}")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ledger intact: 3 entries, 1 anchor" in checked.stdout
    forged = run_cli("audit", "verify", "--path", url, "--anchor", f"2:{'0' * 64}")
    assert forged.returncode == 1 and "entry 2: its hash is" in forged.stdout
    assert digest_of(url).last == head
    printed = run_cli("audit", "digest", "--print", "--path", url)
    assert printed.returncode == 0 and f"#{head.seq}" in printed.stdout, printed.stderr
    ledger.close()


def test_an_unreachable_server_is_one_clear_line_without_the_password(tmp_path: Path) -> None:
    dead = f"postgresql://ann:s3cret@127.0.0.1:{free_port()}/shop"
    with pytest.raises(StorageUnavailable, match="audit ledger cannot reach PostgreSQL") as err:
        Ledger(dead)
    assert "s3cret" not in str(err.value)
    result = run_cli("audit", "verify", "--path", dead)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "cannot reach PostgreSQL at postgresql://ann:***@127.0.0.1" in result.stderr
    assert "s3cret" not in result.stdout + result.stderr


def test_verify_refuses_a_database_without_a_ledger(url: str) -> None:
    result = run_cli("audit", "verify", "--path", url)
    assert result.returncode == 2
    assert "has no table telewire_ledger" in result.stderr
    rows: list[Any] = []
    with psycopg.connect(url) as db:
        rows = db.execute("SELECT to_regclass('telewire_ledger')").fetchall()
    assert rows == [(None,)]  # the check created nothing


# -- approvals on many machines, recorded in the shared ledger -----------------------------

OWNER = 501


def approval_books(
    storage_url: str, ledger_url: str
) -> tuple[SharedApprovalBook, SharedApprovalBook]:
    """Two machines: each its own storage connection and its own ledger connection."""
    return tuple(  # type: ignore[return-value]
        SharedApprovalBook(open_storage(storage_url), approvers=[OWNER], ledger=Ledger(ledger_url))
        for _ in range(2)
    )


def button(markup: InlineKeyboardMarkup, label: str) -> str:
    return next(
        str(b.callback_data) for row in markup.inline_keyboard for b in row if label in b.text
    )


def test_presses_on_two_machines_at_once_leave_one_decision_in_the_ledger(
    url: str, redis_server: RedisServer
) -> None:
    async def main() -> None:
        here, there = approval_books(redis_server.url, url)
        try:
            for _ in range(10):
                request = await here.create("Refund 12.50 of bill #17", 60)
                markup = await here.buttons(request)
                outcomes = await asyncio.gather(
                    here.press(button(markup, "Approve"), {"id": OWNER, "first_name": "Ann"}),
                    there.press(button(markup, "Deny"), {"id": OWNER, "first_name": "Ann"}),
                )
                made = [o.decision for o in outcomes if o is not None and o.decision]
                assert len(made) == 1, outcomes
                assert (await there.decision(request)).status == made[0].status
                recorded = await asyncio.to_thread(here.ledger.find, f"approval:{request}")  # type: ignore[union-attr]
                assert [e.data["status"] for e in recorded] == [made[0].status]
        finally:
            for book in (here, there):
                await book.storage.close()
                book.ledger.close()  # type: ignore[union-attr]

    asyncio.run(main())


def test_a_decision_written_into_the_storage_directly_is_refused(
    url: str, redis_server: RedisServer
) -> None:
    async def main() -> None:
        book, _ = approval_books(redis_server.url, url)
        request = await book.create("Export customer data", 60)
        key = book.namespace + request
        item = await book.storage.get(key)
        assert item is not None
        forged = json.loads(item.value) | {
            "status": "approved", "decided_by": {"id": OWNER}, "decided_at": time.time()
        }  # fmt: skip
        await book.storage.set(key, json.dumps(forged).encode())
        with pytest.raises(ForgedDecision, match="treat the request as refused"):
            await book.decision(request)
        await book.storage.close()

    asyncio.run(main())


def test_a_decision_the_ledger_took_before_a_crash_is_completed_not_contradicted(
    url: str, redis_server: RedisServer
) -> None:
    """The machine that won died after its ledger entry, before the storage write."""

    async def main() -> None:
        here, there = approval_books(redis_server.url, url)
        request = await here.create("Ship v2?", 60)
        stored, _ = await here._read(request)
        stored.status, stored.decided_by, stored.decided_at = "denied", {"id": OWNER}, time.time()
        entry, made = await asyncio.to_thread(here._record_first, request, stored)  # the crash
        assert made and (await there.decision(request)).status == "pending"
        late = await there.press(button(await there.buttons(request), "Approve"), {"id": OWNER})
        assert late is not None and late.answer.startswith("Already decided")
        assert late.decision is None
        decision = await here.decision(request)  # completed from the ledger, and backed by it
        assert decision.status == "denied" and decision.by is not None
        assert [e.seq for e in here.ledger.find(f"approval:{request}")] == [entry.seq]  # type: ignore[union-attr]
        for book in (here, there):
            await book.storage.close()

    asyncio.run(main())


def test_a_role_that_may_only_select_and_insert_can_write_but_not_restore(url: str) -> None:
    """Least privilege: the table's owner set it up; the bot's role may only add and read."""
    filled(url, 2).close()
    sql(url, "DROP ROLE IF EXISTS shop_bot", "CREATE ROLE shop_bot LOGIN",
        "GRANT SELECT, INSERT ON telewire_ledger TO shop_bot")  # fmt: skip
    as_bot = url.replace("telewire@", "shop_bot@")
    ledger = Ledger(as_bot)
    assert ledger.record("sale", actor="till", data={"bill": 3}).seq == 3
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        sql(as_bot, "DROP TRIGGER telewire_ledger_no_change ON telewire_ledger")
    ledger.close()
    sql(url, "DROP TRIGGER telewire_ledger_no_change ON telewire_ledger")  # the owner, or a thief
    ledger = Ledger(as_bot)  # cannot put it back, and says so on the record
    last = ledger.entries()[-1]
    assert (last.kind, last.data["restored"]) == ("ledger.tamper", False)
    reasons = [str(p) for p in ledger.verify().problems]
    assert "the ledger as a whole: the trigger telewire_ledger_no_change" in reasons[-1]
    ledger.close()
    sql(url, "REVOKE ALL ON telewire_ledger FROM shop_bot", "DROP ROLE shop_bot")
