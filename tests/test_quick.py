"""``telewire.notify`` and ``telewire.ask`` as a short program would use them."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

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
