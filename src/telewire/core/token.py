"""Bot tokens: validated once, and never shown whole.

A token is ``<bot id>:<secret>``. Everything user-facing (reprs, errors, logs, URLs in
messages) goes through :func:`mask` or :meth:`Token.masked`, which keep the bot id (useful
to tell bots apart) and hide the secret. Whatever was *given* as a token is treated as a
secret too, whatever its shape: a rejected value is described (its length, what is wrong
with it), never echoed, since a mistyped or truncated token is still mostly the real one.
"""

from __future__ import annotations

import re

RULE = "digits, a colon, then 20-80 letters, digits, `_` or `-`"
EXAMPLE = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

_TOKEN = re.compile(r"(\d{1,20}):([A-Za-z0-9_-]{20,80})", re.ASCII)
_ANY_TOKEN = re.compile(r"(\d{1,20}):[A-Za-z0-9_-]{20,80}", re.ASCII)
_SECRET_CHARACTER = re.compile(r"[A-Za-z0-9_-]")


class InvalidToken(ValueError):
    """The token does not have Telegram's ``<bot id>:<secret>`` form."""


class Token(str):
    """A validated bot token. ``str(token)`` is the secret; ``repr`` and ``masked`` are safe."""

    __slots__ = ()

    def __new__(cls, value: str) -> Token:
        if not isinstance(value, str):
            raise InvalidToken(f"a bot token must be a string, not {type(value).__name__}")
        value = value.strip()
        if not _TOKEN.fullmatch(value):
            raise InvalidToken(
                f"invalid bot token: {what_is_wrong(value)}. A token is {RULE} "
                f"(e.g. {EXAMPLE}); copy yours from @BotFather and set it with "
                "TELEGRAM_BOT_TOKEN or --token."
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


def what_is_wrong(value: str) -> str:
    """Say why ``value`` is not a token, in words that quote none of its characters."""
    if not value:
        return "it is empty"
    size = f"the {len(value)}-character value given"
    bot_id, colon, secret = value.partition(":")
    if not colon:
        return f"{size} has no colon"
    if not bot_id:
        return f"{size} has nothing before its colon"
    if not bot_id.isascii() or not bot_id.isdigit():
        return f"{size} has something other than digits before its colon"
    if len(bot_id) > 20:
        return f"{size} has {len(bot_id)} digits before its colon (at most 20)"
    if not secret:
        return f"{size} has nothing after its colon"
    odd = {c for c in secret if not _SECRET_CHARACTER.match(c)}
    if odd:
        kinds = sorted(
            {
                "a space"
                if c.isspace()
                else "a non-ASCII character"
                if not c.isascii()
                else "punctuation"
                for c in odd
            }
        )
        return f"{size} has {' and '.join(kinds)} after its colon"
    return f"{size} has {len(secret)} characters after its colon (20 to 80)"


def mask(text: str) -> str:
    """Replace every token-shaped substring of ``text`` with ``<bot id>:***``.

    Only :data:`EXAMPLE`, the public example from Telegram's documentation that messages
    quote to show the rule, is left as it is.
    """
    if ":" not in text:
        return text
    return _ANY_TOKEN.sub(
        lambda m: m.group(0) if m.group(0) == EXAMPLE else f"{m.group(1)}:***", text
    )
