"""Text for Telegram: escaping for parse modes, and splitting long messages.

    from telewire.text import escape_markdown_v2, escape_html, split_message
    text = f"*Sales by* {escape_markdown_v2(name)}"
    bot.send_message(chat_id=..., text=text, parse_mode="MarkdownV2")

Telegram refuses text over 4096 characters (UTF-16 code units, after parsing).
:func:`split_message` cuts at a paragraph, else a line, else a word boundary, keeping
entities whole where it can; every send path in telewire uses it.
"""

from __future__ import annotations

import re
from typing import Any

from telewire.core.markup import parse, utf16_len

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024

_MARKDOWN_V2 = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")
_MARKDOWN_V2_CODE = re.compile(r"([`\\])")
_MARKDOWN = re.compile(r"([_*`\[])")


def escape_markdown_v2(text: str) -> str:
    """Escape every character MarkdownV2 reserves (``_ * [ ] ( ) ~ ` > # + - = | { } . !``)."""
    return _MARKDOWN_V2.sub(r"\\\1", text)


def escape_markdown_v2_code(text: str) -> str:
    """Escape text placed inside ``code`` or ``pre`` in MarkdownV2 (only ` and \\)."""
    return _MARKDOWN_V2_CODE.sub(r"\\\1", text)


def escape_markdown(text: str) -> str:
    """Escape legacy Markdown's ``_ * ` [`` (the workshop's messages broke on ``_``)."""
    return _MARKDOWN.sub(r"\\\1", text)


def escape_html(text: str) -> str:
    """Escape ``& < >`` (and quotes) for parse_mode HTML."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


Entity = dict[str, Any]


def split_message(
    text: str, entities: list[Entity] | None = None, *, limit: int = TEXT_LIMIT
) -> list[tuple[str, list[Entity]]]:
    """Cut ``text`` (plain, with UTF-16 ``entities``) into pieces of at most ``limit`` units.

    Cuts at the last paragraph break in reach, else line break, else space, else hard;
    a cut avoids the inside of entities when any other cut is in reach, and an entity
    longer than a piece is divided between pieces. Entities are re-based on each piece.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    entities = entities or []
    units = [0]
    for ch in text:
        units.append(units[-1] + (2 if ord(ch) > 0xFFFF else 1))
    pieces: list[tuple[str, list[Entity]]] = []
    start = 0
    while start < len(text):
        if units[-1] - units[start] <= limit:
            end, resume = len(text), len(text)
        else:
            end, resume = _cut(text, units, start, limit, entities)
        pieces.append((text[start:end], _clip(entities, units[start], units[end])))
        start = resume
    return pieces or [("", [])]


def _cut(
    text: str, units: list[int], start: int, limit: int, entities: list[Entity]
) -> tuple[int, int]:
    """(end of this piece, start of the next) as code point indexes."""
    furthest = start
    while furthest < len(text) and units[furthest + 1] - units[start] <= limit:
        furthest += 1
    window = text[start:furthest]

    def inside_entity(index: int) -> bool:
        at = units[index]
        return any(e["offset"] < at < e["offset"] + e["length"] for e in entities)

    for separator in ("\n\n", "\n", " "):
        position = len(window)
        while True:
            position = window.rfind(separator, 0, position)
            if position <= 0:
                break
            end = start + position
            if not inside_entity(end):
                return end, end + len(separator)
    for separator in ("\n\n", "\n", " "):
        position = window.rfind(separator)
        if position > 0:
            return start + position, start + position + len(separator)
    return max(furthest, start + 1), max(furthest, start + 1)


def _clip(entities: list[Entity], begin: int, end: int) -> list[Entity]:
    clipped = []
    for entity in entities:
        lo = max(entity["offset"], begin)
        hi = min(entity["offset"] + entity["length"], end)
        if hi > lo:
            clipped.append({**entity, "offset": lo - begin, "length": hi - lo})
    return clipped


def text_messages(
    text: str, parse_mode: str | None = None, *, limit: int = TEXT_LIMIT
) -> list[dict[str, Any]]:
    """The sendMessage parameters (``text`` and ``parse_mode`` or ``entities``) for ``text``.

    Short text goes as it is. Long formatted text is parsed here, as Telegram would parse
    it, and sent as plain pieces with entities, so no piece breaks the markup.
    """
    if utf16_len(text) <= limit:
        return [{"text": text, "parse_mode": parse_mode}]
    plain, entities = parse(text, parse_mode)
    if utf16_len(plain) <= limit:
        return [{"text": text, "parse_mode": parse_mode}]
    return [
        {"text": piece, "entities": found or None}
        for piece, found in split_message(plain, entities, limit=limit)
    ]
