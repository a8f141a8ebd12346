"""``telewire.notify`` and ``telewire.ask`` as a short program would use them."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from telewire.testing import EmulatorHandle, TestUser

PROGRAM = """
import telewire
telewire.notify("job done: 42 rows")
decision = telewire.ask("Publish the report?", timeout=20)
print(decision.status, decision.by.first_name if decision.by else "")
"""


def test_a_program_notifies_then_asks(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    env = {
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_CHAT_ID": str(alice.id),
        "XDG_STATE_HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }

    def owner_approves() -> None:
        asked = emulator.wait_for(
            alice.id, lambda m: "Publish the report?" in (m.text or ""), timeout=20
        )
        emulator.press(alice, asked, button="✅ Approve")

    presser = threading.Thread(target=owner_approves)
    presser.start()
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], env=env, capture_output=True, text=True, timeout=60
    )
    presser.join()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "approved Alice"
    texts = [m.text for m in emulator.bot_messages(alice.id)]
    assert "job done: 42 rows" in texts


def test_the_default_outbox_is_visible_and_can_be_closed(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No hidden global: notify()'s outbox is default_outbox(), which a program can flush,
    inspect and close; the next notify() makes a new one."""
    import telewire

    monkeypatch.setenv("TELEGRAM_API_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", emulator.token)
    monkeypatch.setenv("TELEGRAM_CHAT_ID", str(alice.id))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    telewire.notify("first through the default")
    first = telewire.default_outbox()
    assert first is telewire.default_outbox()
    assert first.store.path == tmp_path / "telewire" / "outbox.db"
    assert first.flush(10) and first.status()["delivered"] == 1
    telewire.close_default_outbox()
    telewire.notify("second, through a new one")
    second = telewire.default_outbox()
    assert second is not first and second.flush(10)
    telewire.close_default_outbox()
    texts = [m.text for m in emulator.bot_messages(alice.id)]
    assert texts == ["first through the default", "second, through a new one"]
