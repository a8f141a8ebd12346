"""The daily digest: one pinned message a day naming the day's last entry and its hash.

The owner then holds one anchor per day without scrolling through every mirrored
message. :func:`post_digest` is what a scheduler (or ``telewire audit digest``, or the
store bot's ``/digest``) calls once a day; it reads the ledger read-only.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from telewire.features.ledger.anchors import Anchor, anchor_line
from telewire.features.ledger.reading import read_only
from telewire.storage.postgres_blocking import is_postgres_url


class Requester(Protocol):
    """A Bot API client (``BlockingClient``, ``Bot``): one method call, its result."""

    def request(self, method: str, params: dict[str, Any]) -> Any: ...


class AsyncRequester(Protocol):
    async def request(self, method: str, params: dict[str, Any]) -> Any: ...


class Digest(NamedTuple):
    day: str
    """YYYY-MM-DD in local time."""
    last: Anchor | None
    """The day's last entry (None if nothing was recorded that day or before)."""
    entries_today: int

    def text(self) -> str:
        if self.last is None:
            return f"📌 Ledger digest {self.day}: the ledger is empty."
        return (
            f"📌 Ledger digest {self.day}: {self.entries_today} entries that day; "
            f"the last is #{self.last.seq}.\n{anchor_line(self.last.seq, self.last.hash)}"
        )


def _day_bounds(day: str) -> tuple[float, float]:
    try:
        start = datetime.strptime(day, "%Y-%m-%d").astimezone()  # local midnight
    except ValueError:
        raise ValueError(f"the day must be YYYY-MM-DD, not {day!r}") from None
    end = datetime.fromtimestamp(start.timestamp() + 26 * 3600).astimezone()
    end = end.replace(hour=0, minute=0, second=0, microsecond=0)  # next local midnight (DST-proof)
    return start.timestamp(), end.timestamp()


def digest_of(path: str | Path, day: str | None = None) -> Digest:
    """The digest for ``day`` (today by default): the last entry written before it ended.

    ``path``: the ledger's file, or its ``postgresql://`` URL.
    """
    day = day or time.strftime("%Y-%m-%d")
    start, end = _day_bounds(day)
    if is_postgres_url(path):
        from telewire.features.ledger.postgres_store import day_in_postgres

        return Digest(day, *day_in_postgres(str(path), start, end))
    with read_only(path) as db:
        row = db.execute(
            "SELECT seq, hash FROM ledger WHERE time < ? ORDER BY seq DESC LIMIT 1", (end,)
        ).fetchone()
        count = db.execute(
            "SELECT COUNT(*) FROM ledger WHERE time >= ? AND time < ?", (start, end)
        ).fetchone()[0]
    return Digest(day, Anchor(int(row[0]), str(row[1])) if row else None, int(count))


def post_digest(
    path: str | Path, client: Requester, chat_id: int | str, day: str | None = None
) -> Digest:
    """Send the day's digest to ``chat_id`` and pin it (quietly); return what was sent."""
    digest = digest_of(path, day)
    message = client.request("sendMessage", {"chat_id": chat_id, "text": digest.text()})
    client.request("pinChatMessage", _pin(chat_id, message))
    return digest


async def post_digest_async(
    path: str | Path, bot: AsyncRequester, chat_id: int | str, day: str | None = None
) -> Digest:
    """:func:`post_digest` for asyncio code (a bot's handler, an async scheduler)."""
    digest = digest_of(path, day)
    message = await bot.request("sendMessage", {"chat_id": chat_id, "text": digest.text()})
    await bot.request("pinChatMessage", _pin(chat_id, message))
    return digest


def _pin(chat_id: int | str, message: Any) -> dict[str, Any]:
    message_id = message["message_id"] if isinstance(message, dict) else message.message_id
    return {"chat_id": chat_id, "message_id": int(message_id), "disable_notification": True}
