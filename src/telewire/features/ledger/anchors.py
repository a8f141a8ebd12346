"""Anchors: (sequence number, full hash) pairs the owner holds outside the machine.

Every mirrored message ends with an anchor line (``🔗 ledger #12 · <64 hex digits>``).
An insider who edits an entry can recompute every later hash, so the chain alone still
looks whole; but the hashes already delivered to the owner's chat cannot be recomputed.
Checking the ledger against them is what turns "consistent with itself" into "intact up
to the last anchor". Anchors come from the command line, from a Telegram Desktop chat
export, or from the message the owner replies ``/verify`` to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from telewire.features.ledger.chain import Problem

if TYPE_CHECKING:
    from telewire.types import Message

HASH_DIGITS = 64
_LINE = re.compile(r"🔗 ledger #(\d+) · ([0-9a-f]{64})(?![0-9a-f])")


class AnchorError(ValueError):
    """An anchor that cannot be used (malformed, or a short prefix)."""


class Anchor(NamedTuple):
    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


def anchor_line(seq: int, digest: str) -> str:
    """The line every mirrored message carries; :func:`anchors_in_text` reads it back."""
    return f"🔗 ledger #{seq} · {digest}"


def parse_anchor(text: str) -> Anchor:
    """``SEQ:HASH`` with the full 64-digit hash; a prefix is refused (prefixes can be forged)."""
    seq_text, sep, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not sep or not seq_text.isdigit() or int(seq_text) < 1:
        raise AnchorError(f"anchor {text!r} is not SEQ:HASH (e.g. 12:9f86d0…, 64 hex digits)")
    if not re.fullmatch(r"[0-9a-f]+", digest):
        raise AnchorError(f"anchor {text!r}: the hash must be hexadecimal digits")
    if len(digest) != HASH_DIGITS:
        raise AnchorError(
            f"anchor {text!r} has a {len(digest)}-digit hash; give the full {HASH_DIGITS}-digit "
            "hash from the owner's chat (a short prefix can be matched by a forged ledger)"
        )
    return Anchor(int(seq_text), digest)


def anchors_in_text(text: str) -> list[Anchor]:
    return [Anchor(int(seq), digest) for seq, digest in _LINE.findall(text)]


class ExportAnchors(NamedTuple):
    anchors: list[Anchor]
    edited: int
    """Messages that named an entry but were edited after sending: not used as anchors."""


def anchors_from_export(path: str | Path) -> ExportAnchors:
    """Anchors in a Telegram Desktop export (``result.json``, one chat or a whole account)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AnchorError(f"cannot read the chat export {path}: {exc}") from None
    anchors: list[Anchor] = []
    edited = 0
    found_messages = False
    for message in _messages(document):
        found_messages = True
        named = anchors_in_text(_plain_text(message.get("text", "")))
        if named and ("edited" in message or "edited_unixtime" in message):
            edited += len(named)
            continue
        anchors += named
    if not found_messages:
        raise AnchorError(
            f"{path} is not a Telegram Desktop chat export (no messages found); export the "
            "chat with the bot as JSON (Export chat history → Format: JSON)"
        )
    return ExportAnchors(anchors, edited)


def _messages(document: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(document, dict):
        return
    for message in document.get("messages") or []:
        if isinstance(message, dict) and message.get("type", "message") == "message":
            yield message
    chats = document.get("chats")
    for chat in (chats.get("list") if isinstance(chats, dict) else None) or []:
        yield from _messages(chat)


def _plain_text(text: Any) -> str:
    """Export text is a string, or a list of strings and ``{"type": ..., "text": ...}`` parts."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in text
            if isinstance(part, str | dict)
        )
    return ""


def check_anchors(chain: Iterable[tuple[int, str]], anchors: Iterable[Anchor]) -> list[Problem]:
    """Each anchor's entry must exist with exactly the hash the owner was sent."""
    hashes = dict(chain)
    last = max(hashes, default=0)
    problems: list[Problem] = []
    for anchor in sorted(set(anchors)):
        found = hashes.get(anchor.seq)
        if found is None:
            problems.append(
                Problem(
                    anchor.seq,
                    f"the owner was sent this entry but the ledger ends at entry {last}: "
                    "entries were removed"
                    if anchor.seq > last
                    else "the owner was sent this entry but it is missing from the ledger",
                )
            )
        elif found != anchor.hash:
            problems.append(
                Problem(
                    anchor.seq,
                    f"its hash is {found[:16]}…, but the owner was sent {anchor.hash[:16]}…: "
                    "the ledger was rewritten",
                )
            )
    return problems


def anchor_of_message(message: Message, bot_id: int | None = None) -> Anchor:
    """The anchor a mirrored message names, if it can serve as one.

    The owner replies ``/verify`` to one of the bot's messages; Telegram delivers that
    message with the update, edit date included. A message edited after sending (anyone
    with the bot token can edit it; the edit is visible) or forwarded is not an anchor.
    """
    sender = message.from_user
    if sender is None or not sender.is_bot or (bot_id is not None and sender.id != bot_id):
        raise AnchorError("that message is not one of mine, so it cannot serve as an anchor")
    if message.forward_origin is not None:
        raise AnchorError("that message was forwarded, so it cannot serve as an anchor")
    if message.edit_date:
        raise AnchorError(
            "that message was edited after it was sent, so it cannot serve as an anchor; "
            "reply to another ledger message or to the pinned digest"
        )
    named = anchors_in_text(message.text or message.caption or "")
    if len(named) != 1:
        raise AnchorError(
            "that message names no ledger entry; reply /verify to a message ending in "
            "'🔗 ledger #…' (every bill, every recorded action, the pinned digest)"
        )
    return named[0]
