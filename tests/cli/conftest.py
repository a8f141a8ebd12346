"""What the CLI tests share: the environment of a user whose chat has started."""

from __future__ import annotations

from pathlib import Path

import pytest

from telewire.testing import EmulatorHandle, TestUser


@pytest.fixture
def env(emulator: EmulatorHandle, alice: TestUser, tmp_path: Path) -> dict[str, str]:
    """Settings for `telewire ...` subprocesses: the emulator's bot, alice's chat, private dirs."""
    return {
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_CHAT_ID": str(alice.id),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
