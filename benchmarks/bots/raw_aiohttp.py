"""The ceiling: a bare aiohttp keep-alive loop (no framework, no ordering, offsets at once)."""

import asyncio
import os

import aiohttp
import gcwatch  # noqa: F401  (GC pauses, when benchmarks/latency.py asks)

BASE = f"{os.environ['API_URL']}/bot{os.environ['BOT_TOKEN']}"


async def main() -> None:
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:
        offset = 0

        async def reply(update: dict) -> None:
            message = update["message"]
            async with session.post(
                f"{BASE}/sendMessage",
                json={"chat_id": message["chat"]["id"], "text": message["text"]},
            ) as r:
                await r.read()

        while True:
            async with session.post(
                f"{BASE}/getUpdates", json={"offset": offset, "timeout": 10}
            ) as r:
                updates = (await r.json())["result"]
            if updates:
                offset = updates[-1]["update_id"] + 1
                await asyncio.gather(*(reply(u) for u in updates))


asyncio.run(main())
