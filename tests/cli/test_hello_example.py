"""``python examples/hello_bot.py`` as the README says to run it, against the emulator."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from telewire.testing import EmulatorHandle
from tests.conftest import ROOT


def test_the_example_answers_and_keeps_its_offset_in_the_state_directory(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "XDG_STATE_HOME": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "hello_bot.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        user = emulator.user("Reader")
        emulator.send(user, "HELLO")
        greeting = emulator.expect_reply(user.id, timeout=15)
        assert greeting.text is not None and greeting.text.startswith("Hey there!")
        emulator.send_photo(user, b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
        assert "Try saying hello" in (emulator.expect_reply(user.id).text or "")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    offset_file = tmp_path / "telewire" / f"hello_bot-{emulator.token.split(':')[0]}.offset"
    assert int(offset_file.read_text()) == emulator.deliveries()["next_update_id"]


def test_the_example_without_a_token_says_what_to_do() -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "hello_bot.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1 and "telewire demo" in result.stderr
