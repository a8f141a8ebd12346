"""One configuration order everywhere: argument, then environment, then what setup saved.

Before, ``telewire.notify()`` read the file ``telewire setup`` saves while ``Bot()`` and
``telewire.ask()`` did not, so a program worked or raised ``MissingToken`` depending on
which entry point it used.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

import telewire
from telewire import AsyncBot, Bot, MissingToken
from telewire.core.token import EXAMPLE
from telewire.settings import Settings
from telewire.testing import EmulatorHandle, TestUser


@pytest.fixture
def saved(emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What `telewire setup` leaves behind, and an environment that says nothing."""
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "TELEGRAM_CHAT_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return Settings(token=emulator.token, chat_id="42", api_url=emulator.base_url).save()


def test_bot_and_async_bot_use_the_saved_settings(saved: Path, emulator: EmulatorHandle) -> None:
    with Bot() as bot:
        assert bot.get_me().is_bot
        assert bot.base_url == emulator.base_url

    async def main() -> bool:
        async with AsyncBot() as bot:
            return (await bot.get_me()).is_bot

    assert asyncio.run(main())


def test_the_environment_beats_the_file_and_an_argument_beats_both(
    saved: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")
    assert Bot().base_url == "http://127.0.0.1:9"
    assert Bot(base_url=emulator.base_url).base_url == emulator.base_url
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", EXAMPLE)
    assert Bot().token == EXAMPLE != emulator.token


def test_ask_uses_the_saved_settings_too(saved: Path, emulator: EmulatorHandle) -> None:
    """The question reaches the saved chat through the saved server (denied here, at once)."""
    owner: TestUser = emulator.user("Owner", id=42)
    emulator.send(owner, "/start")

    def deny() -> None:
        question = emulator.wait_for(42, lambda m: m.reply_markup is not None, timeout=20)
        assert question.reply_markup is not None
        deny_button = next(
            b for row in question.reply_markup.inline_keyboard for b in row if "Deny" in b.text
        )
        emulator.press(owner, question, deny_button.callback_data, timeout=20)

    presser = threading.Thread(target=deny)
    presser.start()
    decision = telewire.ask("Saved settings?", timeout=30)
    presser.join()
    assert decision.status == "denied"


def test_nothing_anywhere_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nothing"))
    with pytest.raises(MissingToken, match="telewire setup"):
        Bot()
