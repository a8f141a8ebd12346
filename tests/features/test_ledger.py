"""The audit ledger: the chain, anchors the owner holds, read-only verify, seals, digest."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import sqlite3
import time
from pathlib import Path

import pytest

from telewire import Bot
from telewire.features.ledger import (
    Anchor,
    AnchorError,
    Ledger,
    SealError,
    anchors_from_export,
    anchors_in_text,
    digest_of,
    parse_anchor,
    post_digest,
    verify_file,
)
from telewire.features.outbox import Outbox
from telewire.testing import EmulatorHandle, TestUser
from tests.conftest import run_cli
from tests.features.ledger_attacks import desktop_export, rewrite


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


def tamper(path: Path, *statements: str) -> None:
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER IF EXISTS ledger_no_update")
    db.execute("DROP TRIGGER IF EXISTS ledger_no_delete")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def filled(path: Path, outbox: Outbox | None = None, count: int = 5) -> Ledger:
    ledger = Ledger(path, outbox=outbox)
    for i in range(1, count + 1):
        ledger.record("sale", actor="cashier:ann", data={"bill": i, "total": f"{i * 10}.00"})
    return ledger


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_entries_chain_and_are_mirrored_with_their_number_and_full_hash(
    outbox: Outbox, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    ledger = filled(tmp_path / "audit.db", outbox)
    assert ledger.verify().intact
    entries = ledger.entries()
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert outbox.flush(10)
    mirrored = [m.text or "" for m in emulator.bot_messages(alice.id)]
    assert len(mirrored) == 5 and "bill=3" in mirrored[2]
    assert [anchors_in_text(text) for text in mirrored] == [
        [Anchor(e.seq, e.hash)] for e in entries
    ]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        ledger.store.db.execute("UPDATE ledger SET actor = 'x' WHERE seq = 1")
    assert [e.seq for e in ledger.entries(after=3)] == [4, 5]  # after: exclusive
    assert [e.seq for e in ledger.entries(after=0, limit=2)] == [1, 2]


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
    problems = verify_file(path).problems
    assert problems and problems[0].seq == first_bad
    assert any(reason in p.reason or "follow" in p.reason for p in problems)
    assert any("trigger ledger_no_update" in str(p) for p in problems)
    result = run_cli("audit", "verify", "--path", str(path))
    assert result.returncode == 1 and f"first broken link at entry {first_bad}" in result.stdout


def test_a_full_rewrite_looks_whole_alone_and_is_caught_by_the_owners_anchors(
    outbox: Outbox, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    path = tmp_path / "audit.db"
    ledger = filled(path, outbox)
    assert outbox.flush(10)
    rewrite(path, 3, lambda data: {**data, "total": "1.00"})
    ledger.record("sale", actor="cashier:ann", data={"bill": 6, "total": "60.00"})  # honest
    assert outbox.flush(10)
    ledger.close()

    alone = run_cli("audit", "verify", "--path", str(path))
    assert alone.returncode == 0
    assert "consistent with itself" in alone.stdout and "nothing external checked" in alone.stdout
    assert "intact" not in alone.stdout
    newest = anchors_in_text(emulator.bot_messages(alice.id)[-1].text or "")[0]
    head_only = run_cli("audit", "verify", "--path", str(path), "--anchor", str(newest))
    assert head_only.returncode == 0  # the new head was made from the rewritten chain...

    export = desktop_export(tmp_path / "result.json", emulator.messages(alice.id))
    caught = run_cli("audit", "verify", "--path", str(path), "--export", str(export))
    assert caught.returncode == 1, caught.stdout  # ...but the older anchors were not
    assert "first broken link at entry 3" in caught.stdout and "rewritten" in caught.stdout
    assert "6 anchors" in caught.stdout


def test_the_check_against_anchors_says_what_it_covers(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    ledger = filled(path)
    third = ledger.entries()[2]
    verdict = ledger.verify([Anchor(third.seq, third.hash)])
    assert verdict.intact and verdict.anchors == 1
    assert "1 anchor from the owner's chat match" in verdict.summary()
    assert "entries after #3 are only consistent with themselves" in verdict.summary()
    first = ledger.entries()[0]
    sparse = ledger.verify([Anchor(first.seq, first.hash), Anchor(third.seq, third.hash)])
    assert sparse.intact and sparse.gaps == ((2, 2),)
    assert "1 entries between the anchors never reached the chat (#2)" in (sparse.gap_note() or "")
    wrong = ledger.verify([Anchor(3, "0" * 64), Anchor(9, "1" * 64)])
    assert [p.seq for p in wrong.problems] == [3, 9]
    assert "ends at entry 5: entries were removed" in wrong.problems[1].reason


def test_a_removed_tail_is_caught_with_an_anchor_and_prefixes_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    ledger = filled(path)
    head = ledger.head()
    assert head is not None
    ledger.close()
    tamper(path, "DELETE FROM ledger WHERE seq = 5")
    removed = run_cli("audit", "verify", "--path", str(path), "--anchor", f"5:{head.hash}")
    assert removed.returncode == 1 and "entries were removed" in removed.stdout
    for short in (f"5:{head.hash[:12]}", f"5:{head.hash[:32]}", "5:", "5", f"x:{head.hash}"):
        refused = run_cli("audit", "verify", "--path", str(path), "--anchor", short)
        assert refused.returncode == 2, short
        assert refused.stderr.count("\n") == 1 and "anchor" in refused.stderr
    assert "full 64-digit hash" in refused_text(path, head.hash[:12])
    with pytest.raises(AnchorError, match="12-digit"):
        parse_anchor(f"5:{head.hash[:12]}")
    assert parse_anchor(f" 5:{head.hash.upper()} ") == Anchor(5, head.hash)


def refused_text(path: Path, prefix: str) -> str:
    return run_cli("audit", "verify", "--path", str(path), "--anchor", f"5:{prefix}").stderr


def test_a_dropped_trigger_is_reported_and_verify_leaves_the_file_byte_identical(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.db"
    filled(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=DELETE")  # a single file, so every byte is in it
    db.execute("DROP TRIGGER ledger_no_delete")
    db.commit()
    db.close()
    before = fingerprint(path)
    for flags in ([], ["--copy"]):
        result = run_cli("audit", "verify", "--path", str(path), *flags)
        assert result.returncode == 1
        assert "the trigger ledger_no_delete that keeps the ledger append-only is missing" in (
            result.stdout
        )
        assert fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.db"]
    check = sqlite3.connect(path)
    names = [r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    check.close()
    assert names == ["ledger_no_update"]  # verify did not quietly put it back


def test_a_trigger_replaced_by_a_harmless_one_counts_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    filled(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER ledger_no_update")
    db.execute("CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT 1; END")
    db.commit()
    db.close()
    assert "ledger_no_update" in verify_file(path).summary()


def test_opening_the_writer_restores_triggers_and_says_so_for_good(
    outbox: Outbox, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    path = tmp_path / "audit.db"
    filled(path).close()
    tamper(path)
    ledger = Ledger(path, outbox=outbox)
    assert ledger.entries()[-1].kind == "ledger.tamper"
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        ledger.store.db.execute("DELETE FROM ledger WHERE seq = 1")
    assert outbox.flush(10)
    assert "append-only triggers had been removed" in (
        emulator.bot_messages(alice.id)[-1].text or ""
    )
    verdict = ledger.verify()
    assert not verdict.intact and "triggers had been removed" in verdict.summary()


@pytest.mark.parametrize("what", ["no ledger table", "not sqlite", "missing"])
def test_verify_refuses_what_is_not_a_ledger(tmp_path: Path, what: str) -> None:
    path = tmp_path / "other.db"
    if what == "no ledger table":
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE bills (id INTEGER)")
        db.commit()
        db.close()
    elif what == "not sqlite":
        path.write_text("hello")
    before = path.read_bytes() if path.exists() else None
    result = run_cli("audit", "verify", "--path", str(path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert (path.read_bytes() if path.exists() else None) == before


def test_times_only_move_forward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "audit.db"
    ledger = filled(path, count=2)
    last = ledger.entries()[-1].time
    monkeypatch.setattr(time, "time", lambda: last - 3600)  # the clock was set back an hour
    assert ledger.record("sale", actor="a").time == last
    monkeypatch.undo()
    assert ledger.verify().intact
    rewrite(path, 2, lambda data: data)  # recompute from 2, then move entry 3 back in time
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER ledger_no_update")
    row = db.execute("SELECT seq, kind, actor, data, prev_hash, key FROM ledger WHERE seq=3")
    seq, kind, actor, data, prev, key = row.fetchone()
    from telewire.features.ledger import entry_hash

    earlier = last - 60
    db.execute(
        "UPDATE ledger SET time = ?, hash = ? WHERE seq = 3",
        (earlier, entry_hash(seq, earlier, kind, actor, data, prev, key)),
    )
    db.commit()
    db.close()
    problems = verify_file(path).problems
    assert str(problems[0]) == "entry 3: its time is earlier than the entry before it"


def test_show_escapes_terminal_control_sequences(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    ledger = Ledger(path)
    ledger.record("sale\x1b]0;pwned\x07", actor="\x1b[2J\x1b[31mowner\u202e", data={"x": 1})
    ledger.close()
    shown = run_cli("audit", "show", "--path", str(path))
    assert shown.returncode == 0
    assert "\x1b" not in shown.stdout and "\x07" not in shown.stdout
    assert "\u202e" not in shown.stdout
    assert "\\x1b[2J\\x1b[31mowner\\u202e" in shown.stdout and "sale\\x1b]0;pwned\\x07" in (
        shown.stdout
    )


def test_anchors_from_an_export_skip_edited_messages(tmp_path: Path) -> None:
    anchor = Anchor(4, "ab" * 32)
    document = {
        "chats": {
            "list": [
                {
                    "messages": [
                        {"id": 1, "type": "message", "text": f"x\n🔗 ledger #4 · {anchor.hash}"},
                        {
                            "id": 2,
                            "type": "message",
                            "edited": "2026-12-05T10:00:00",
                            "text": ["🔗 ledger ", {"type": "plain", "text": f"#5 · {'cd' * 32}"}],
                        },
                        {"id": 3, "type": "service", "text": f"🔗 ledger #6 · {'ef' * 32}"},
                    ]
                }
            ]
        }
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(document))
    found = anchors_from_export(path)
    assert found.anchors == [anchor] and found.edited == 1
    path.write_text("[1, 2]")
    with pytest.raises(AnchorError, match="not a Telegram Desktop chat export"):
        anchors_from_export(path)


def test_sealed_records_are_checked_against_their_seal(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "audit.db")
    bill = {"id": 42, "total": 1250, "lines": [{"sku": "COF", "quantity": 2}], "paid": True}
    seal = ledger.seal("bill:42", bill, kind="bill.issue", actor="cashier:ann", data={"bill": 42})
    assert seal.key == "bill:42" and seal.entry.key == "bill:42" and len(seal.digest or "") == 64
    assert ledger.check_seal("bill:42", dict(reversed(bill.items()))).status == "intact"
    changed = ledger.check_seal("bill:42", {**bill, "total": 100})
    assert changed.status == "changed" and not changed.ok
    assert (
        str(changed)
        == f"bill:42 was changed after it was sealed (sealed in entry {seal.entry.seq})"
    )
    assert ledger.check_seal("bill:42", None).status == "missing"
    assert ledger.check_seal("bill:43", bill).status == "unsealed"
    ledger.seal("bill:42", {**bill, "paid": False}, kind="bill.edit", actor="owner")
    assert ledger.check_seal("bill:42", {**bill, "paid": False}).ok
    ledger.retire("bill:42", kind="bill.delete", actor="owner")
    assert ledger.check_seal("bill:42", None).status == "retired"
    assert ledger.check_seal("bill:42", bill).status == "unsealed"
    assert [e.kind for e in ledger.find("bill:42")] == ["bill.issue", "bill.edit", "bill.delete"]
    assert ledger.keys(prefix="bill:") == ["bill:42"]
    with pytest.raises(SealError, match="plain JSON"):
        ledger.seal("bill:44", {"when": object()}, kind="k", actor="a")
    with pytest.raises(SealError, match="plain JSON"):
        ledger.seal("bill:44", {"total": math.nan}, kind="k", actor="a")
    with pytest.raises(SealError, match="short name"):
        ledger.seal(" bill:44\n", bill, kind="k", actor="a")
    assert ledger.verify().intact


def test_the_daily_digest_is_pinned_and_names_the_days_last_entry(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    path = tmp_path / "audit.db"
    ledger = filled(path, count=3)
    head = ledger.head()
    ledger.close()
    digest = digest_of(path)
    assert digest.last == head and digest.entries_today == 3
    assert digest_of(path, "2000-01-01").last is None
    with Bot(emulator.token, base_url=emulator.base_url) as bot:
        post_digest(path, bot, alice.id)
        pinned = bot.get_chat(chat_id=alice.id).pinned_message
    assert pinned is not None and anchors_in_text(pinned.text or "") == [head]
    printed = run_cli("audit", "digest", "--path", str(path), "--print")
    assert printed.returncode == 0 and f"the last is #{head.seq}" in printed.stdout
    bad = run_cli("audit", "digest", "--path", str(path), "--day", "yesterday", "--print")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_a_ledger_written_before_keys_existed_still_verifies_and_grows(tmp_path: Path) -> None:
    from telewire.features.ledger import GENESIS, entry_hash
    from telewire.features.ledger.chain import TRIGGERS

    path = tmp_path / "audit.db"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE ledger (seq INTEGER PRIMARY KEY, time REAL NOT NULL, kind TEXT NOT NULL,"
        " actor TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"
    )
    for trigger in TRIGGERS.values():
        db.execute(trigger)
    prev = GENESIS
    for seq in (1, 2):
        digest = entry_hash(seq, 1000.0 + seq, "sale", "ann", "{}", prev)
        db.execute(
            "INSERT INTO ledger VALUES (?, ?, 'sale', 'ann', '{}', ?, ?)",
            (seq, 1000.0 + seq, prev, digest),
        )
        prev = digest
    db.commit()
    db.close()
    assert verify_file(path, [Anchor(2, prev)]).intact  # read-only: no migration needed
    ledger = Ledger(path)
    ledger.seal("bill:1", {"total": 1}, kind="bill.issue", actor="ann")
    assert [e.key for e in ledger.entries()] == [None, None, "bill:1"]
    assert ledger.verify([Anchor(2, prev)]).intact
