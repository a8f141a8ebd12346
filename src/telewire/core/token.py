"""Bot tokens: validated once, and never shown whole.

A token is ``<bot id>:<secret>``. Everything user-facing (reprs, errors, logs, URLs in
messages) goes through :func:`mask` or :meth:`Token.masked`, which keep the bot id (useful
to tell bots apart) and hide the secret.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"^(\d{1,20}):([A-Za-z0-9_-]{20,80})$")
_ANY_TOKEN = re.compile(r"(\d{1,20}):[A-Za-z0-9_-]{20,80}")


class InvalidToken(ValueError):
    """The token does not have Telegram's ``<bot id>:<secret>`` form."""


class Token(str):
    """A validated bot token. ``str(token)`` is the secret; ``repr`` and ``masked`` are safe."""

    __slots__ = ()

    def __new__(cls, value: str) -> Token:
        if not isinstance(value, str):
            raise InvalidToken(f"a bot token must be a string, not {type(value).__name__}")
        value = value.strip()
        if not _TOKEN.match(value):
            hint = (
                "it is empty"
                if not value
                else f"{mask(value)!r} is not of the form <bot id>:<secret>"
            )
            raise InvalidToken(
                f"invalid bot token: {hint}. Copy the token @BotFather gave you, "
                "e.g. 123456789:AAE...; set it with TELEGRAM_BOT_TOKEN or --token."
            )
        return super().__new__(cls, value)

    @property
    def bot_id(self) -> int:
        return int(self.split(":", 1)[0])

    @property
    def masked(self) -> str:
        return f"{self.bot_id}:***"

    def __repr__(self) -> str:
        return f"Token({self.masked!r})"


def mask(text: str) -> str:
    """Replace every token-shaped substring of ``text`` with ``<bot id>:***``."""
    if ":" not in text:
        return text
    masked = _ANY_TOKEN.sub(lambda m: f"{m.group(1)}:***", text)
    if masked == text and len(text) < 200 and re.fullmatch(r"\S+:\S+", text):
        # A malformed token (too short, odd characters) is still a secret.
        head = text.split(":", 1)[0]
        return f"{head[:20]}:***"
    return masked
