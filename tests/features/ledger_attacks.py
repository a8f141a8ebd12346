"""What an insider with write access to the ledger file can do, for the tests to catch.

The insider knows the algorithm (telewire is open source), so they recompute every hash
after the entry they change, and put the triggers back: the file alone then looks whole.
Also: a Telegram Desktop chat export built from the emulator's copy of the owner's chat.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telewire.features.ledger.chain import GENESIS, TRIGGERS, canonical_data, entry_hash
from telewire.types import Message


def rewrite(path: Path, seq: int, edit: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """Change entry ``seq``'s data and recompute every hash from there on."""
    db = sqlite3.connect(path)
    db.execute("DROP TRIGGER ledger_no_update")
    rows = db.execute(
        "SELECT seq, time, kind, actor, data, prev_hash, hash, key FROM ledger ORDER BY seq"
    ).fetchall()
    prev = rows[seq - 2][6] if seq > 1 else GENESIS
    for number, when, kind, actor, data, _, _, key in rows[seq - 1 :]:
        if number == seq:
            data = canonical_data(edit(json.loads(data)))
        digest = entry_hash(number, when, kind, actor, data, prev, key)
        db.execute(
            "UPDATE ledger SET data = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (data, prev, digest, number),
        )
        prev = digest
    db.execute(TRIGGERS["ledger_no_update"])
    db.commit()
    db.close()


def desktop_export(path: Path, messages: list[Message], *, name: str = "Store bot") -> Path:
    """What Telegram Desktop's "Export chat history" (JSON) writes for these messages."""

    def text_of(message: Message) -> Any:
        text = message.text or ""
        entities = message.entities or []
        if not entities:
            return text
        parts: list[Any] = []
        cursor = 0
        units = text.encode("utf-16-le")
        for entity in entities:
            start, end = entity.offset * 2, (entity.offset + entity.length) * 2
            if start > cursor:
                parts.append(units[cursor:start].decode("utf-16-le"))
            parts.append({"type": entity.type, "text": units[start:end].decode("utf-16-le")})
            cursor = end
        if cursor < len(units):
            parts.append(units[cursor:].decode("utf-16-le"))
        return parts

    exported = []
    for message in messages:
        row: dict[str, Any] = {
            "id": message.message_id,
            "type": "message",
            "date": "2026-12-05T10:00:00",
            "date_unixtime": str(message.date),
            "from": name if message.from_user and message.from_user.is_bot else "Owner",
            "from_id": f"user{message.from_user.id if message.from_user else 0}",
            "text": text_of(message),
        }
        if message.edit_date:
            row["edited"] = "2026-12-05T10:05:00"
            row["edited_unixtime"] = str(message.edit_date)
        exported.append(row)
    path.write_text(
        json.dumps({"name": name, "type": "bot_chat", "id": 1, "messages": exported}),
        encoding="utf-8",
    )
    return path
