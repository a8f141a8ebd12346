"""Approvals against an insider: the key, private files, the question's layout, the
deadline, and decisions that the ledger must back."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from telewire.client.blocking import BlockingClient
from telewire.features.approvals import (
    ApprovalBook,
    ForgedDecision,
    KeyFileError,
    approvals_router,
    ask,
    load_secret,
)
from telewire.features.ledger import Ledger
from telewire.features.outbox import Outbox
from telewire.testing import EmulatorHandle, TestUser
from tests.conftest import ROOT, run_cli

FAKE = (
    "tea was cold"
    + "\n" * 30
    + "🔐 Approval needed\n\nRefund 4.50 of bill #3?\nAsked by: ann\n\u202e\x1b[1m"
    + "\nAnswer before tomorrow."
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("content", "file_mode", "error"),
    [
        (b"", 0o600, "0 bytes, not 32"),
        (b"x" * 16, 0o600, "16 bytes, not 32"),
        (b"x" * 33, 0o600, "33 bytes, not 32"),
        (b"x" * 32, 0o644, "mode 0644"),
        (b"x" * 32, 0o640, "mode 0640"),
    ],
    ids=["empty", "short", "long", "world-readable", "group-readable"],
)
def test_a_key_of_the_wrong_size_or_mode_is_refused(
    emulator: EmulatorHandle,
    tmp_path: Path,
    alice: TestUser,
    content: bytes,
    file_mode: int,
    error: str,
) -> None:
    key = tmp_path / "approvals.key"
    key.write_bytes(content)
    key.chmod(file_mode)
    with pytest.raises(KeyFileError, match=error):
        ApprovalBook(tmp_path / "approvals.db", approvers=[alice.id])
    assert key.read_bytes() == content  # refused, not "repaired"
    result = run_cli(
        "approve",
        "Deploy?",
        "--approver",
        str(alice.id),
        "--book",
        str(tmp_path / "approvals.db"),
        env={"TELEGRAM_API_URL": emulator.base_url, "TELEGRAM_BOT_TOKEN": emulator.token},
    )
    assert result.returncode != 0 and error in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_a_key_owned_by_someone_else_or_a_link_is_refused(tmp_path: Path) -> None:
    key = tmp_path / "approvals.key"
    key.write_bytes(b"k" * 32)
    key.chmod(0o600)
    if os.geteuid() == 0:
        os.chown(key, 12345, 12345)
        with pytest.raises(KeyFileError, match="belongs to user 12345"):
            load_secret(key)
        os.chown(key, 0, 0)
    link = tmp_path / "linked.key"
    link.symlink_to(key)
    with pytest.raises(KeyFileError, match="cannot read"):
        load_secret(link)
    assert load_secret(key) == b"k" * 32
    with pytest.raises(ValueError, match="at least 32 bytes"):
        ApprovalBook(tmp_path / "a.db", approvers=[1], secret=b"")


def test_eight_processes_racing_on_first_start_all_load_the_same_key(tmp_path: Path) -> None:
    per_round, rounds, racers = 60, 4, 8
    for round_number in range(rounds):
        root = tmp_path / f"round{round_number}"
        root.mkdir()
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.features.key_race", str(root), str(per_round)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(racers)
        ]
        for process in processes:  # everyone has imported and waits at the line
            assert process.stdout is not None and process.stdout.readline() == "ready\n"
        (root / "go").touch()
        seen: dict[int, set[str]] = {}
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            for line in out.splitlines():
                index, value = line.split(" ", 1)
                seen.setdefault(int(index), set()).add(value)
        assert len(seen) == per_round
        for index, values in seen.items():
            assert len(values) == 1, (index, values)  # one key, no errors
            (value,) = values
            assert len(bytes.fromhex(value)) == 32
            key = root / str(index) / "approvals.key"
            assert key.read_bytes().hex() == value and mode(key) == 0o600
            assert [p.name for p in key.parent.iterdir()] == ["approvals.key"]  # no leftovers


def test_state_folder_is_private_and_databases_too(
    emulator: EmulatorHandle, tmp_path: Path, alice: TestUser
) -> None:
    folder = tmp_path / "state" / "telewire"
    book = ApprovalBook(folder / "approvals.db", approvers=[alice.id])
    book.create("Deploy?", 60)
    assert mode(folder) == 0o700
    for name in ("approvals.db", "approvals.db-wal", "approvals.db-shm", "approvals.key"):
        assert mode(folder / name) == 0o600, name
    book.close()
    other = tmp_path / "elsewhere" / "telewire"
    outbox = Outbox(
        other / "outbox.db", token=emulator.token, base_url=emulator.base_url, start=False
    )
    ledger = Ledger(other / "audit.db")
    assert mode(other) == 0o700
    assert mode(other / "outbox.db") == 0o600 and mode(other / "audit.db") == 0o600
    ledger.close()
    outbox.close()


def test_the_question_shows_facts_first_and_free_text_on_one_quoted_line(
    tmp_path: Path, alice: TestUser
) -> None:
    book = ApprovalBook(tmp_path / "approvals.db", approvers=[alice.id])
    request = book.create("Refund 450.00 of bill #3?\nAsked by: ann", 60, note=FAKE)
    lines = book.question_text(request).split("\n")
    assert lines[:4] == ["🔐 Approval needed", "", "Refund 450.00 of bill #3?", "Asked by: ann"]
    assert lines[4].startswith("💬 “tea was cold 🔐 Approval needed Refund 4.50")
    assert lines[4].endswith("”") and len(lines[4]) <= 205
    assert lines[5] == "" and lines[6].startswith("Answer before ") and len(lines) == 7
    assert "\u202e" not in lines[4] and "\x1b" not in lines[4]
    assert lines[6].endswith("."), lines[6]
    assert " UTC+" in lines[6] or " UTC-" in lines[6]


def test_a_press_after_the_deadline_does_not_approve(tmp_path: Path, alice: TestUser) -> None:
    book = ApprovalBook(tmp_path / "approvals.db", approvers=[alice.id])
    request = book.create("Deploy?", 60)
    approve = book.buttons(request).inline_keyboard[0][0].callback_data
    deadline = book._row(request, "deadline")[0]
    late = book.press(approve, alice.as_json(), now=deadline)
    assert late is not None and late.answer == "⌛ Too late: this request has expired."
    assert book.decision(request).status == "expired"


def ledgered(tmp_path: Path, alice: TestUser) -> tuple[ApprovalBook, Ledger]:
    ledger = Ledger(tmp_path / "audit.db")
    return ApprovalBook(tmp_path / "approvals.db", approvers=[alice.id], ledger=ledger), ledger


def test_a_press_records_who_decided_and_what_was_asked(tmp_path: Path, alice: TestUser) -> None:
    book, ledger = ledgered(tmp_path, alice)
    request = book.create("Refund 2.00 of bill #1?", 60, note="spilled")
    approve = book.buttons(request).inline_keyboard[0][0].callback_data
    assert book.press(approve, alice.as_json()) is not None
    (entry,) = ledger.find(f"approval:{request}")
    assert entry.kind == "approval.approved" and entry.actor == f"user:{alice.id}"
    assert entry.data["by"] == {"id": alice.id, "first_name": "Alice"}
    assert entry.data["question_sha256"] == book.question_hash(request)
    assert book.decision(request).approved


@pytest.mark.parametrize("forgery", ["status row", "other question", "other decider"])
def test_a_decision_row_the_ledger_does_not_back_is_refused(
    tmp_path: Path, alice: TestUser, forgery: str
) -> None:
    book, _ = ledgered(tmp_path, alice)
    request = book.create("Refund 450.00 of bill #3?", 60)
    db = sqlite3.connect(tmp_path / "approvals.db")
    if forgery == "status row":
        db.execute(
            "UPDATE approvals SET status = 'approved', decided_by = ?, decided_at = ?",
            (json.dumps({"id": alice.id, "first_name": "Alice"}), time.time()),
        )
    else:
        deny = book.buttons(request).inline_keyboard[0][0].callback_data
        book.press(deny, alice.as_json())  # a real approval of what was asked...
        if forgery == "other question":  # ...moved onto another question
            db.execute("UPDATE approvals SET question = 'Refund 4500.00 of bill #3?'")
        else:
            db.execute("UPDATE approvals SET decided_by = '{\"id\": 99}'")
    db.commit()
    db.close()
    with pytest.raises(ForgedDecision, match="the approvals file was altered"):
        book.decision(request)


def test_ask_refuses_a_forged_approval_written_while_it_waits(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    book, _ = ledgered(tmp_path, alice)
    client = BlockingClient(emulator.token, base_url=emulator.base_url)
    errors: list[BaseException] = []

    def asking() -> None:
        try:
            ask("Deploy?", book=book, timeout=20, client=client, listen=False, poll=0.05)
        except ForgedDecision as exc:
            errors.append(exc)

    with emulator.run(approvals_router(book)):
        thread = threading.Thread(target=asking)
        thread.start()
        emulator.wait_for(alice.id, lambda m: bool(m.reply_markup), what="the question")
        db = sqlite3.connect(tmp_path / "approvals.db")
        db.execute(
            "UPDATE approvals SET status = 'approved', decided_by = ?", (f'{{"id": {alice.id}}}',)
        )
        db.commit()
        db.close()
        thread.join(20)
    client.close()
    assert errors and isinstance(errors[0], ForgedDecision)
