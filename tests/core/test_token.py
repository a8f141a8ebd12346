"""Tokens: validated at construction, never shown whole, whatever was given."""

from __future__ import annotations

import traceback

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telewire import AsyncBot, Bot, InvalidToken, MissingToken, Router, Token, run_polling
from telewire.core.token import EXAMPLE, RULE, mask

SECRET = "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TOKEN = f"110201543:{SECRET}"

# Every shape a mistyped, truncated or pasted-wrong token takes. Each is mostly a real
# secret, so none of it may be printed: not whole, and not a long piece of it.
MALFORMED = {
    "no colon": "AA" + "y" * 33,
    "no colon, long": "Zq9xWv8uTs7rQp6oNm5lKj4iHg3fEd2cBa1" * 3,
    "space in the secret": "abc:def ghi",
    "space after the colon": "987650: " + SECRET,
    "space in the bot id": "98 7650:" + SECRET,
    "newline inside": "987650:" + SECRET[:15] + "\n" + SECRET[15:],
    "too short": "987650:Zq9xWv8uTs",
    "too long": "987650:" + "Zq9xWv8uTs" * 9,
    "too many digits": "9" * 25 + ":" + SECRET,
    "letters in the bot id": "98x7650:" + SECRET,
    "non-ASCII in the secret": "987650:" + SECRET[:20] + "ébène",
    "non-ASCII digits": "９８７６５０:" + SECRET,
    "punctuation": "987650:" + SECRET[:20] + ".+/=" + SECRET[20:],
    "empty bot id": ":" + SECRET,
    "empty secret": "987650:",
    "only a colon": ":",
    "two colons": "987650:" + SECRET + ":" + SECRET,
}


def everything_shown(error: BaseException) -> str:
    return "\n".join(
        [str(error), repr(error), "".join(traceback.format_exception(error)), str(error.args)]
    )


def _shown_for(value: str) -> str:
    try:
        Token(value)
    except InvalidToken as error:
        return everything_shown(error)
    raise AssertionError(value)


# What the messages say whatever the value: a piece of a value found here is no leak.
WORDING = "\n".join(
    _shown_for(bland)
    for bland in ["", "a", ":a", "a:b", "1:", "1:a b", "1:é", "1:.", "1:a", "1" * 25 + ":a"]
)


def leaks(value: str, shown: str) -> list[str]:
    """The pieces of ``value`` (6+ characters) that ``shown`` repeats."""
    value = value.strip()
    pieces = {value[i : i + 6] for i in range(max(0, len(value) - 5))}
    return sorted(p for p in pieces if p in shown and p not in WORDING)


def test_a_token_knows_its_bot_and_hides_its_secret() -> None:
    token = Token(TOKEN)
    assert token.bot_id == 110201543
    assert token.masked == "110201543:***"
    assert SECRET not in repr(token)


@pytest.mark.parametrize("bad", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_tokens_are_described_never_shown(bad: str) -> None:
    for build in (Token, Bot, AsyncBot, lambda t: run_polling(Router(), token=t)):
        with pytest.raises(InvalidToken) as caught:
            build(bad)
        shown = everything_shown(caught.value)
        assert not leaks(bad, shown), shown
        assert "invalid bot token" in shown and RULE in str(caught.value)


def test_the_description_says_what_is_wrong() -> None:
    def why(bad: str) -> str:
        with pytest.raises(InvalidToken) as caught:
            Token(bad)
        return str(caught.value)

    assert "has no colon" in why(MALFORMED["no colon"])
    assert "a space after its colon" in why(MALFORMED["space after the colon"])
    assert "10 characters after its colon (20 to 80)" in why(MALFORMED["too short"])
    assert "90 characters after its colon" in why(MALFORMED["too long"])
    assert "25 digits before its colon" in why(MALFORMED["too many digits"])
    assert "non-ASCII" in why(MALFORMED["non-ASCII in the secret"])
    assert "other than digits" in why(MALFORMED["non-ASCII digits"])
    assert "nothing before its colon" in why(MALFORMED["empty bot id"])
    assert "nothing after its colon" in why(MALFORMED["empty secret"])
    assert "it is empty" in why("   ")


def test_the_example_in_the_rule_is_a_valid_token() -> None:
    assert Token(EXAMPLE).bot_id == 123456


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(min_size=1, max_size=120))
def test_no_rejected_value_is_ever_echoed(value: str) -> None:
    try:
        Token(value)
    except InvalidToken as error:
        assert not leaks(value, everything_shown(error))


def test_a_missing_token_says_where_to_put_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(MissingToken, match=r"TELEGRAM_BOT_TOKEN.*telewire demo"):
        Bot()


def test_run_polling_without_a_token_is_one_short_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(MissingToken) as caught:
        run_polling(Router())
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert len(frames) <= 2, frames  # not the event loop's 30 lines
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_the_environment_provides_token_and_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/")
    bot = Bot()
    assert bot.token == TOKEN and bot.base_url == "http://127.0.0.1:9"
    assert SECRET not in repr(bot) and "110201543:***" in repr(bot)


def test_mask_hides_tokens_inside_any_text() -> None:
    text = f"GET https://api.telegram.org/bot{TOKEN}/getMe failed"
    assert mask(text) == "GET https://api.telegram.org/bot110201543:***/getMe failed"
