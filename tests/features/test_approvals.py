"""Approvals: who may decide, once, in time, with buttons nobody can forge."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from telewire.client.blocking import BlockingClient
from telewire.features.approvals import ApprovalBook, approvals_router, ask
from telewire.testing import EmulatorHandle, TestUser
from telewire.testing.handle import ControlError
from telewire.types import Message


def cli(
    emulator: EmulatorHandle, owner: TestUser, tmp_path: Path, *args: str
) -> subprocess.Popen[str]:
    env = {
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_CHAT_ID": str(owner.id),
        "XDG_STATE_HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "telewire.cli.main", "approve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def question(emulator: EmulatorHandle, owner: TestUser) -> Message:
    return emulator.wait_for(
        owner.id,
        lambda m: bool(m.text and "Approval needed" in m.text),
        timeout=10,
        what="the approval question",
    )


@pytest.mark.parametrize(
    ("button", "code", "word"), [("✅ Approve", 0, "Approved"), ("❌ Deny", 1, "Denied")]
)
def test_cli_exit_code_follows_the_decision(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path, button: str, code: int, word: str
) -> None:
    process = cli(emulator, alice, tmp_path, "Deploy to production?", "--timeout", "20")
    asked = question(emulator, alice)
    assert "Deploy to production?" in (asked.text or "")
    answer = emulator.press(alice, asked, button=button)
    assert answer is not None and word in answer["text"]
    out, err = process.communicate(timeout=20)
    assert process.returncode == code, err
    assert f"by Alice ({alice.id})" in out
    edited = emulator.wait_for(
        alice.id, lambda m: m.message_id == asked.message_id and bool(m.edit_date)
    )
    assert f"{word} by Alice" in (edited.text or "") and edited.reply_markup is None


def test_cli_expires_with_exit_3_and_says_so_in_the_chat(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    process = cli(emulator, alice, tmp_path, "Rotate keys?", "--timeout", "1")
    asked = question(emulator, alice)
    out, _ = process.communicate(timeout=20)
    assert process.returncode == 3 and out.strip() == "expired"
    edited = emulator.wait_for(
        alice.id, lambda m: m.message_id == asked.message_id and bool(m.edit_date)
    )
    assert "Expired" in (edited.text or "")


def test_cli_usage_errors_exit_2(emulator: EmulatorHandle, alice: TestUser, tmp_path: Path) -> None:
    process = cli(emulator, alice, tmp_path, "x", "--timeout", "-5")
    assert process.wait(20) == 2


@pytest.fixture
def book(tmp_path: Path, alice: TestUser) -> ApprovalBook:
    return ApprovalBook(tmp_path / "approvals.db", approvers=[alice.id])


def asking(
    book: ApprovalBook, emulator: EmulatorHandle, timeout: float
) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    client = BlockingClient(emulator.token, base_url=emulator.base_url)
    thread = threading.Thread(
        target=lambda: result.append(
            ask("Refund bill #17?", book=book, timeout=timeout, client=client, listen=False)
        )
    )
    thread.start()
    return thread, result


def test_forged_wrong_user_replayed_and_expired_presses_are_refused(
    emulator: EmulatorHandle, alice: TestUser, book: ApprovalBook
) -> None:
    mallory = emulator.user("Mallory")
    with emulator.run(approvals_router(book)):
        thread, result = asking(book, emulator, timeout=20)
        asked = question(emulator, alice)
        approve = asked.reply_markup.inline_keyboard[0][0].callback_data  # type: ignore[union-attr]
        assert approve is not None and len(approve.encode()) <= 64
        # Telegram delivers only presses of buttons a message has, so a forged button can
        # only reach the book by other means (a press of another install, a hacked bot):
        # the book itself refuses it.
        forged = approve[:-3] + ("AAA" if not approve.endswith("AAA") else "BBB")
        assert book.press(forged, alice.as_json()) == ("⚠️ This button is not valid.", True, None)
        flipped = approve.replace(":a:", ":d:")
        assert book.press(flipped, alice.as_json()).answer == "⚠️ This button is not valid."  # type: ignore[union-attr]
        assert emulator.press(mallory, asked, approve) == {
            "text": "⛔ You are not allowed to decide this.",
            "show_alert": True,
        }
        assert emulator.press(alice, asked, approve) == {"text": "✅ Approved", "show_alert": False}
        thread.join(10)
        assert result[0].approved and result[0].by is not None and result[0].by.id == alice.id
        deny = asked.reply_markup.inline_keyboard[0][1].callback_data  # type: ignore[union-attr]
        assert deny is not None
        with pytest.raises(ControlError, match="no inline button"):
            emulator.press(alice, asked, deny)  # the decision took the buttons away
        replay = book.press(deny, alice.as_json())  # a press that was already on its way
        assert replay is not None and replay.answer.startswith("Already decided: approved by Alice")
        assert book.decision(result[0].request_id).status == "approved"

        thread, result = asking(book, emulator, timeout=0.5)
        late = emulator.wait_for(
            alice.id,
            lambda m: bool(m.text and "Refund" in m.text and m.message_id > asked.message_id),
        )
        thread.join(10)
        assert result[0].status == "expired"
        too_late = book.press(
            late.reply_markup.inline_keyboard[0][0].callback_data,  # type: ignore[union-attr, arg-type]
            alice.as_json(),
        )
        assert too_late is not None and too_late.alert
        assert "expired" in too_late.answer or "Already decided: expired" in too_late.answer


def test_buttons_of_another_install_are_not_valid_here(tmp_path: Path, alice: TestUser) -> None:
    ours = ApprovalBook(tmp_path / "a.db", approvers=[alice.id])
    theirs = ApprovalBook(tmp_path / "b.db", approvers=[alice.id])
    request = theirs.create("x", 60)
    data = theirs.buttons(request).inline_keyboard[0][0].callback_data
    assert data is not None
    ours.db.execute(
        "INSERT INTO approvals (id, question, approvers, created, deadline)"
        " VALUES (?, 'x', '[]', 0, ?)",
        (request, time.time() + 60),
    )
    outcome = ours.press(data, {"id": alice.id})
    assert outcome is not None and outcome.answer == "⚠️ This button is not valid."
    assert ours.press("not-ours", {"id": alice.id}) is None
