"""Showing text someone else wrote, without letting it pretend to be something else.

A terminal obeys escape sequences and a chat renders right-to-left overrides, so text
from a cashier, a log line or a database row can redraw what a reader sees. Two ways to
defuse it: :func:`visible` spells every such character out (for terminals: nothing is
hidden, nothing is obeyed); :func:`one_line` removes them and folds the text onto one
capped line (for quoting free text inside a message whose layout must hold).
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Characters that reorder the text around them (Trojan Source)."""


def _hostile(char: str) -> bool:
    return char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Zl", "Zp")


def visible(text: str) -> str:
    """``text`` with control, bidi and line-separator characters spelled out (``\\x1b``)."""
    if not any(_hostile(c) for c in text):
        return text
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}") if _hostile(c) else c
        for c in text
    )


def one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line: hostile characters dropped, whitespace runs made one space,
    cut to ``limit`` characters (with ``…``)."""
    cleaned = "".join(" " if _hostile(c) and c not in BIDI_CONTROLS else c for c in text)
    cleaned = "".join(c for c in cleaned if c not in BIDI_CONTROLS)
    folded = " ".join(cleaned.split())
    return folded if len(folded) <= limit else folded[: limit - 1].rstrip() + "…"
