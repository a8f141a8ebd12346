"""The emulator's sustained sendMessage rate, with keep-alive clients, and where its time goes.

    python benchmarks/emulator_rate.py [--messages 20000] [--clients 8] [--profile]

The emulator runs in its own process (``telewire emulator``); telewire's AsyncBot sends
from this one over ``--clients`` concurrent keep-alive connections to 100 chats. With
``--profile`` the emulator runs under cProfile and the top functions are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import re
import signal
import subprocess
import sys
import tempfile
import time

from telewire import AsyncBot
from telewire.testing import EmulatorHandle

TOKEN = "7654321:" + "E" * 35


async def blast(base_url: str, messages: int, clients: int) -> float:
    async with AsyncBot(TOKEN, base_url=base_url) as bot:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(messages):
            queue.put_nowait(i)

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                await bot.send_message(chat_id=90_000 + i % 100, text=f"message {i}")

        await bot.get_me()
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return messages / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    profile = tempfile.mktemp(suffix=".prof")
    command = [
        sys.executable,
        *(["-m", "cProfile", "-o", profile] if args.profile else []),
        "-m",
        "telewire.cli.main",
        "emulator",
        "--port",
        "0",
        "--token",
        TOKEN,
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(2)]
        base_url = re.search(r"http://\S+", lines[1]).group(0)  # type: ignore[union-attr]
        handle = EmulatorHandle(base_url, TOKEN)
        for chat in range(100):
            handle.send(handle.user(f"R{chat}", id=90_000 + chat), "/start")
        rate = asyncio.run(blast(base_url, args.messages, args.clients))
        print(
            f"emulator: {rate:.0f} sendMessage/s sustained ({args.messages} messages, "
            f"{args.clients} keep-alive connections, {os.cpu_count()} cores)"
        )
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
    if args.profile:
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
