"""Parse modes (Markdown, MarkdownV2, HTML) into plain text and entities, as Telegram does.

Used by the emulator to answer like Telegram, and by the client to split long formatted
text without breaking an entity.

Entity offsets and lengths count UTF-16 code units; error messages give UTF-8 byte
offsets into the original text and use Telegram's own wording, since bot authors match
on them. Also detects the entities Telegram finds by itself (commands, mentions, URLs).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


class MarkupError(ValueError):
    """Text in a parse mode that Telegram would refuse; the message is Telegram's own."""


MARKDOWN_V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "span": "spoiler",
}


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _parse_error(text: str) -> MarkupError:
    return MarkupError(f"can't parse entities: {text}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


@dataclass
class _Builder:
    """Accumulates output text and entities, tracking the UTF-16 length as it goes."""

    source: str
    chars: list[str] = field(default_factory=list)
    length: int = 0
    entities: list[dict[str, object]] = field(default_factory=list)
    open: list[tuple[str, int, int, dict[str, object]]] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.chars.append(text)
        self.length += utf16_len(text)

    def start(self, kind: str, index: int, **extra: object) -> None:
        self.open.append((kind, self.length, index, extra))

    def is_open(self, kind: str) -> bool:
        return any(entry[0] == kind for entry in self.open)

    def close(self, kind: str) -> None:
        for pos in range(len(self.open) - 1, -1, -1):
            if self.open[pos][0] == kind:
                _, offset, _, extra = self.open.pop(pos)
                if self.length > offset:
                    self.entities.append(
                        {"type": kind, "offset": offset, "length": self.length - offset, **extra}
                    )
                return

    def finish(self) -> tuple[str, list[dict[str, object]]]:
        if self.open:
            _, _, index, _ = self.open[-1]
            raise _parse_error(
                "Can't find end of the entity starting at byte offset "
                f"{_byte_offset(self.source, index)}"
            )
        self.entities.sort(key=lambda e: (e["offset"], -int(str(e["length"]))))
        return "".join(self.chars), self.entities


def parse(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, object]]]:
    """Return (plain text, entities) for ``text`` in ``parse_mode`` (None: as is)."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "markdownv2":
        return _markdown_v2(text)
    if mode == "markdown":
        return _markdown(text)
    if mode == "html":
        return _html(text)
    raise MarkupError(f"unsupported parse_mode {parse_mode!r}")


def _code_block(b: _Builder, text: str, i: int, fence: str, v2: bool) -> int:
    """Parse a `code` or ```pre``` run starting at ``i``; return the index after it."""
    start = i
    i += len(fence)
    language = None
    if fence == "```":
        newline = text.find("\n", i)
        first = text[i:newline] if newline != -1 else ""
        if newline != -1 and re.fullmatch(r"[A-Za-z0-9_+#-]+", first or "-"):
            language = first or None
            i = newline + 1
    kind = "pre" if fence == "```" else "code"
    extra = {"language": language} if language else {}
    b.start(kind, start, **extra)
    while i < len(text):
        if v2 and text[i] == "\\" and i + 1 < len(text) and text[i + 1] in "`\\":
            b.add(text[i + 1])
            i += 2
            continue
        if text.startswith(fence, i):
            b.close(kind)
            return i + len(fence)
        b.add(text[i])
        i += 1
    return i


def _markdown_v2(text: str) -> tuple[str, list[dict[str, object]]]:
    b = _Builder(text)
    i, n = 0, len(text)
    toggles = {"*": "bold", "~": "strikethrough"}
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and 0 < ord(text[i + 1]) < 127:
            b.add(text[i + 1])
            i += 2
        elif ch == "`":
            i = _code_block(b, text, i, "```" if text.startswith("```", i) else "`", v2=True)
        elif ch in toggles or (ch == "_") or text.startswith("||", i):
            if text.startswith("||", i):
                kind, width = "spoiler", 2
            elif text.startswith("__", i) and (b.is_open("underline") or not b.is_open("italic")):
                kind, width = "underline", 2
            elif ch == "_":
                kind, width = "italic", 1
            else:
                kind, width = toggles[ch], 1
            if b.is_open(kind):
                b.close(kind)
            else:
                b.start(kind, i)
            i += width
        elif ch == "[":
            b.start("text_link", i)
            i += 1
        elif ch == "]" and b.is_open("text_link"):
            if not text.startswith("(", i + 1):
                raise _parse_error("Can't find end of a URL")
            j, url = i + 2, []
            while j < n and text[j] != ")":
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                url.append(text[j])
                j += 1
            if j >= n:
                raise _parse_error(
                    f"Can't find end of a URL at byte offset {_byte_offset(text, i + 1)}"
                )
            _set_url(b, "".join(url))
            i = j + 1
        elif ch == ">" and (i == 0 or text[i - 1] == "\n"):
            end = text.find("\n", i)
            end = n if end == -1 else end
            b.start("blockquote", i)
            inner_text, inner_entities = _markdown_v2(text[i + 1 : end])
            base = b.length
            b.add(inner_text)
            for entity in inner_entities:
                b.entities.append({**entity, "offset": int(str(entity["offset"])) + base})
            b.close("blockquote")
            i = end
        elif ch in MARKDOWN_V2_RESERVED:
            raise _parse_error(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            b.add(ch)
            i += 1
    return b.finish()


def _set_url(b: _Builder, url: str) -> None:
    for pos in range(len(b.open) - 1, -1, -1):
        if b.open[pos][0] == "text_link":
            kind, offset, index, extra = b.open[pos]
            b.open[pos] = (kind, offset, index, {**extra, "url": url})
            b.close("text_link")
            return


def _markdown(text: str) -> tuple[str, list[dict[str, object]]]:
    b = _Builder(text)
    i, n = 0, len(text)
    simple = {"*": "bold", "_": "italic"}
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            b.add(text[i + 1])
            i += 2
        elif ch == "`":
            i = _code_block(b, text, i, "```" if text.startswith("```", i) else "`", v2=False)
        elif ch in simple:
            end = text.find(ch, i + 1)
            if end == -1:
                raise _parse_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            b.start(simple[ch], i)
            b.add(text[i + 1 : end])
            b.close(simple[ch])
            i = end + 1
        elif ch == "[":
            close = text.find("](", i + 1)
            end = text.find(")", close + 2) if close != -1 else -1
            if close == -1 or end == -1:
                raise _parse_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            b.start("text_link", i, url=text[close + 2 : end])
            b.add(text[i + 1 : close])
            b.close("text_link")
            i = end + 1
        else:
            b.add(ch)
            i += 1
    return b.finish()


_TAG = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[A-Za-z-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*)\s*/?>"
)
_ATTR = re.compile(r"([A-Za-z-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")
_ENTITY = re.compile(r"&(#\d+|#x[0-9A-Fa-f]+|lt|gt|amp|quot);")


def _html(text: str) -> tuple[str, list[dict[str, object]]]:
    b = _Builder(text)
    tags: list[tuple[str, str]] = []  # (tag name, entity kind)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            m = _ENTITY.match(text, i)
            if m:
                b.add(html.unescape(m.group(0)))
                i = m.end()
                continue
            b.add(ch)
            i += 1
        elif ch == "<":
            m = _TAG.match(text, i)
            offset = _byte_offset(text, i)
            if not m:
                raise _parse_error(f'Unsupported start tag "" at byte offset {offset}')
            closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3) or ""
            if closing:
                if not tags:
                    raise _parse_error(f"Unexpected end tag at byte offset {offset}")
                open_name, kind = tags[-1]
                if open_name != name:
                    raise _parse_error(
                        f'Unmatched end tag at byte offset {offset}, expected "</{open_name}>", '
                        f'found "</{name}>"'
                    )
                tags.pop()
                b.close(kind)
            else:
                kind = HTML_TAGS.get(name, "")
                values = {a.lower(): v or w or x for a, v, w, x in _ATTR.findall(attrs)}
                if not kind or (name == "span" and values.get("class") != "tg-spoiler"):
                    raise _parse_error(f'Unsupported start tag "{name}" at byte offset {offset}')
                extra: dict[str, object] = {}
                if name == "a":
                    extra["url"] = values.get("href", "")
                if name == "code" and tags and tags[-1][0] == "pre":
                    language = values.get("class", "").removeprefix("language-")
                    if language:
                        _set_language(b, language)
                    kind = "code-in-pre"
                tags.append((name, kind))
                b.start(kind, i, **extra)
            i = m.end()
        else:
            b.add(ch)
            i += 1
    if tags:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{tags[-1][0]}"')
    plain, entities = b.finish()
    return plain, [e for e in entities if e["type"] != "code-in-pre"]


def _set_language(b: _Builder, language: str) -> None:
    for pos in range(len(b.open) - 1, -1, -1):
        if b.open[pos][0] == "pre":
            kind, offset, index, extra = b.open[pos]
            b.open[pos] = (kind, offset, index, {**extra, "language": language})
            return


_AUTO = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<url>\bhttps?://[^\s<>\"]+)"
    r"|(?P<mention>(?<!\w)@[A-Za-z0-9_]{4,32})"
    r"|(?P<hashtag>(?<!\w)#\w+)"
)


def detect_entities(text: str) -> list[dict[str, object]]:
    """Entities Telegram adds by itself: bot commands, URLs, mentions, hashtags."""
    found: list[dict[str, object]] = []
    for m in _AUTO.finditer(text):
        kind = m.lastgroup or ""
        start = utf16_len(text[: m.start()])
        found.append({"type": kind, "offset": start, "length": utf16_len(m.group(0))})
    return found
