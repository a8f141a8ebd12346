"""A small HTTP load generator for the webhook and soak benchmarks (keep-alive, raw asyncio).

Each connection POSTs Telegram-shaped updates (new update_id every time, chats in turn) and
reads the answer before sending the next, like Telegram's webhook delivery. Two shapes:
as fast as possible (``closed``), or a steady total rate (``rate``), where latencies are
measured from the moment a request was due, so a server that falls behind shows it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field

SECRET = "bench"


@dataclass
class Tally:
    ok: int = 0
    refused: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    stamps: list[float] = field(default_factory=list)
    """When each answer came, in seconds since the run began (to split runs into windows)."""


def update_body(update_id: int, chats: int) -> bytes:
    chat = 10_000 + update_id % chats
    message = {
        "message_id": update_id,
        "date": 1_700_000_000,
        "chat": {"id": chat, "type": "private", "first_name": "Load"},
        "from": {"id": chat, "is_bot": False, "first_name": "Load"},
        "text": f"message {update_id}",
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def request(port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, data: bytes) -> int:
    writer.write(data)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def run(
    port: int,
    *,
    seconds: float,
    connections: int = 8,
    chats: int = 100,
    rate: float | None = None,
    path: str = "/",
    first_id: int = 1,
) -> Tally:
    """POST updates for ``seconds``; ``rate``: requests per second in all, else flat out."""
    tally = Tally()
    ids = itertools.count(first_id)
    started = time.perf_counter()
    end = started + seconds
    interval = connections / rate if rate else 0.0

    async def connection(n: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        due = started + n * interval / connections
        try:
            while True:
                if interval:
                    pause = due - time.perf_counter()
                    if pause > 0:
                        await asyncio.sleep(pause)
                if time.perf_counter() >= end:
                    return
                data = request(port, path, update_body(next(ids), chats))
                begun = due if interval else time.perf_counter()
                status = await _exchange(reader, writer, data)
                if 200 <= status < 300:
                    tally.ok += 1
                elif status in (429, 503):
                    tally.refused += 1
                else:
                    tally.failed += 1
                answered = time.perf_counter()
                tally.latencies.append(answered - begun)
                tally.stamps.append(answered - started)
                due += interval
        finally:
            writer.close()

    await asyncio.gather(*(connection(n) for n in range(connections)))
    return tally


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
