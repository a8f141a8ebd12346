"""Tokens: validated at construction, never shown whole."""

from __future__ import annotations

import pytest

from telewire import Bot, InvalidToken, MissingToken, Token
from telewire.core.token import mask

SECRET = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TOKEN = f"110201543:{SECRET}"


def test_a_token_knows_its_bot_and_hides_its_secret() -> None:
    token = Token(TOKEN)
    assert token.bot_id == 110201543
    assert token.masked == "110201543:***"
    assert SECRET not in repr(token)


@pytest.mark.parametrize(
    "bad", ["", "abc", "123:", ":abc", "123:short", "12 3:" + SECRET, "x" * 50]
)
def test_malformed_tokens_are_rejected_with_a_clear_message(bad: str) -> None:
    with pytest.raises(InvalidToken, match=r"<bot id>:<secret>|it is empty") as caught:
        Bot(bad)
    assert SECRET not in str(caught.value)


def test_a_missing_token_says_where_to_put_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(MissingToken, match=r"TELEGRAM_BOT_TOKEN.*telewire demo"):
        Bot()


def test_the_environment_provides_token_and_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/")
    bot = Bot()
    assert bot.token == TOKEN and bot.base_url == "http://127.0.0.1:9"
    assert SECRET not in repr(bot) and "110201543:***" in repr(bot)


def test_mask_hides_tokens_inside_any_text() -> None:
    text = f"GET https://api.telegram.org/bot{TOKEN}/getMe failed"
    assert mask(text) == "GET https://api.telegram.org/bot110201543:***/getMe failed"
