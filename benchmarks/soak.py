"""Soak: each server under a steady load for a long while; does memory or p99 latency drift?

    python benchmarks/soak.py [--duration 600] [--only emulator webhook polling aiogram]

Servers, each in its own process, one after another:

* ``emulator``: ``telewire emulator`` answering sendMessage at ``--emulator-rate`` per second
  over 10 chats (so every chat's history reaches its bound of 1000 messages early on).
* ``webhook``: telewire's WebhookApp under uvicorn, durable inbox on (the default), fed
  ``--webhook-rate`` updates per second over keep-alive connections (``load.py``).
* ``aiogram``: aiogram's webhook handler (SimpleRequestHandler) under the same load.
* ``polling``: telewire's echo bot polling an emulator; users write ``--polling-rate``
  messages per second through the control API, latency is until the reply's event arrives
  on ``/emulator/events``. The bot's memory is measured.

RSS is sampled every second from ``/proc``. After ``--warm-up`` (default: a fifth of the
run) the rest is cut into five windows: RSS at the end of warm-up against the largest
after it, and p99 latency of the first window against the last.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load

HERE = Path(__file__).resolve().parent
TOKEN = "7654321:" + "S" * 35
WINDOWS = 5


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024  # type: ignore[union-attr]


class Samples:
    """(seconds since start, latency) pairs and an RSS sample per second."""

    def __init__(self) -> None:
        self.latencies: list[tuple[float, float]] = []
        self.rss: list[tuple[float, float]] = []
        self.started = time.perf_counter()

    async def watch(self, pid: int, until: float) -> None:
        while time.perf_counter() < until:
            self.rss.append((time.perf_counter() - self.started, rss_mb(pid)))
            await asyncio.sleep(1.0)

    def summary(self, warm_up: float, duration: float, sent: int) -> dict[str, Any]:
        rest = duration - warm_up
        edges = [warm_up + rest * k / WINDOWS for k in range(WINDOWS + 1)]

        def p99(lo: float, hi: float) -> float:
            window = [lat for at, lat in self.latencies if lo <= at < hi]
            return load.percentile(window, 0.99) * 1000

        warm = [mb for at, mb in self.rss if at <= warm_up]
        after = [mb for at, mb in self.rss if at > warm_up]
        base = warm[-1] if warm else float("nan")
        return {
            "rate": sent / duration,
            "rss_warm": base,
            "rss_max": max(after, default=float("nan")),
            "rss_end": after[-1] if after else float("nan"),
            "p99_first": p99(edges[0], edges[1]),
            "p99_last": p99(edges[-2], edges[-1] + 1),
            "p99_all": load.percentile([lat for _, lat in self.latencies], 0.99) * 1000,
        }


async def paced(
    samples: Samples,
    rate: float,
    duration: float,
    workers: int,
    call: Callable[[int], Awaitable[None]],
) -> int:
    """Call ``call(i)`` ``rate`` times a second; latency counts from when a call was due."""
    interval = workers / rate
    sent = 0

    async def worker(n: int) -> None:
        nonlocal sent
        due = samples.started + n * interval / workers
        i = n
        while True:
            pause = due - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            if time.perf_counter() - samples.started >= duration:
                return
            await call(i)
            samples.latencies.append((due - samples.started, time.perf_counter() - due))
            sent += 1
            due += interval
            i += workers

    await asyncio.gather(*(worker(n) for n in range(workers)))
    return sent


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "telewire.cli.main", "emulator", "--port", "0"]
    server = subprocess.Popen([*command, "--token", TOKEN], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    lines = [server.stdout.readline() for _ in range(2)]
    return server, re.search(r"http://\S+", lines[1]).group(0)  # type: ignore[union-attr]


def spawn(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env)


def stop(process: subprocess.Popen[Any]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


# -- the servers ------------------------------------------------------------------------


def start_telegram_test_api(folder: str) -> tuple[subprocess.Popen[str], str]:
    port = load_port()
    script = HERE / "peers" / "telegram_test_api.js"
    env = {**os.environ, "NODE_PATH": str(Path(folder) / "node_modules")}
    server = subprocess.Popen(
        ["node", str(script), str(port)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert server.stdout is not None
    server.stdout.readline()
    return server, f"http://127.0.0.1:{port}"


async def soak_emulator(args: argparse.Namespace, peer: bool = False) -> dict[str, Any]:
    from telewire import AsyncBot
    from telewire.testing import EmulatorHandle

    server, base_url = start_telegram_test_api(args.tta) if peer else start_emulator()
    try:
        if not peer:
            handle = EmulatorHandle(base_url, TOKEN)
            for chat in range(10):
                handle.send(handle.user(f"S{chat}", id=80_000 + chat), "/start")
        async with AsyncBot(TOKEN, base_url=base_url) as bot:

            async def send(i: int) -> None:  # untyped: the peer's replies lack some fields
                params = {"chat_id": 80_000 + i % 10, "text": f"soak message {i}"}
                await bot.request("sendMessage", params)

            samples = Samples()
            watcher = asyncio.create_task(
                samples.watch(server.pid, samples.started + args.duration)
            )
            sent = await paced(samples, args.emulator_rate, args.duration, 8, send)
            await watcher
    finally:
        stop(server)
    return samples.summary(args.warm_up, args.duration, sent)


async def soak_webhook(args: argparse.Namespace, script: str) -> dict[str, Any]:
    port = load_port()
    command = [sys.executable, str(HERE / "bots" / script), str(port)]
    if script.startswith("telewire"):
        command += ["inbox", str(Path(tempfile.mkdtemp()) / "inbox.db")]
    server = spawn(command)
    try:
        wait_for_port(port)
        samples = Samples()
        watcher = asyncio.create_task(samples.watch(server.pid, samples.started + args.duration))
        tally = await load.run(port, seconds=args.duration, rate=args.webhook_rate, chats=100)
        await watcher
        samples.latencies = list(zip(tally.stamps, tally.latencies, strict=True))
        result = samples.summary(args.warm_up, args.duration, tally.ok)
        result["refused"] = tally.refused + tally.failed
        return result
    finally:
        stop(server)


async def soak_polling(args: argparse.Namespace) -> dict[str, Any]:
    import aiohttp

    emulator, base_url = start_emulator()
    offsets = Path(tempfile.mkdtemp()) / "bot.offset"
    env = {**os.environ, "BOT_TOKEN": TOKEN, "API_URL": base_url}
    bot = spawn([sys.executable, str(HERE / "bots" / "telewire_echo.py"), str(offsets)], env)
    sent_at: dict[str, float] = {}
    samples = Samples()
    replies = 0
    try:
        async with aiohttp.ClientSession() as session:

            async def listen() -> None:
                nonlocal replies
                url = f"{base_url}/emulator/events?token={TOKEN}"
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=None)) as events:
                    async for line in events.content:
                        if not line.startswith(b"data: "):
                            continue
                        event = json.loads(line[6:])
                        message = event.get("message") or {}
                        begun = sent_at.pop(message.get("text", ""), None)
                        if event.get("type") == "message" and begun is not None:
                            if (message.get("from") or {}).get("is_bot"):
                                samples.latencies.append(
                                    (begun - samples.started, time.perf_counter() - begun)
                                )
                                replies += 1
                            else:
                                sent_at[message["text"]] = begun

            listener = asyncio.create_task(listen())
            await asyncio.sleep(1.0)  # the stream is open and the bot polls

            async def write(i: int) -> None:
                text = f"soak {i}"
                sent_at[text] = time.perf_counter()
                user = {"id": 70_000 + i % 10, "first_name": "Soak"}
                body = {"token": TOKEN, "user": user, "text": text}
                async with session.post(f"{base_url}/emulator/send", json=body) as response:
                    await response.read()

            samples.started = time.perf_counter()
            watcher = asyncio.create_task(samples.watch(bot.pid, samples.started + args.duration))
            sent = await paced(samples, args.polling_rate, args.duration, 4, write)
            await watcher
            await asyncio.sleep(2.0)
            listener.cancel()
    finally:
        stop(bot)
        stop(emulator)
    result = samples.summary(args.warm_up, args.duration, sent)
    result["unanswered"] = sent - replies
    return result


def load_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int) -> None:
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on port {port}")


# -- report -------------------------------------------------------------------------------


def row(name: str, load_text: str, r: dict[str, Any]) -> str:
    growth = (r["rss_max"] / r["rss_warm"] - 1) * 100
    drift = r["p99_last"] / r["p99_first"] if r["p99_first"] else float("nan")
    lost = r.get("unanswered", r.get("refused", 0))
    return (
        f"| {name} | {load_text} | {r['rate']:.0f} | {r['rss_warm']:.1f} | {r['rss_max']:.1f} | "
        f"{growth:+.1f}% | {r['p99_first']:.1f} | {r['p99_last']:.1f} | {drift:.2f} | {lost} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600.0, help="seconds per server")
    parser.add_argument("--warm-up", type=float, default=None, help="default: a fifth")
    parser.add_argument("--emulator-rate", type=float, default=500.0)
    parser.add_argument("--webhook-rate", type=float, default=1000.0)
    parser.add_argument("--polling-rate", type=float, default=200.0)
    parser.add_argument(
        "--tta",
        metavar="FOLDER",
        help="a folder where `npm install telegram-test-api` ran: soak it too, as the "
        "emulator's peer (needs node)",
    )
    parser.add_argument(
        "--only", nargs="*", default=["emulator", "tta", "webhook", "aiogram", "polling"]
    )
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="run the load, the servers and the bots under SCHED_RR (root), as latency.py "
        "does: on a shared machine it keeps other processes from preempting them",
    )
    args = parser.parse_args()
    if args.realtime:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(1))  # the servers inherit it
    if args.warm_up is None:
        args.warm_up = args.duration / 5
    lines = [
        f"Soak: {args.duration:.0f} s per server, warm-up {args.warm_up:.0f} s, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
        f"{', SCHED_RR' if args.realtime else ''}. RSS growth: the largest RSS "
        "after warm-up against RSS at its end; p99 drift: last fifth against first.",
        "",
        "| server | load | achieved /s | RSS MB after warm-up | RSS MB max | growth | "
        "p99 ms first | p99 ms last | drift × | lost or refused |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    runs: list[tuple[str, str, Callable[[], Awaitable[dict[str, Any]]]]] = [
        ("emulator", f"sendMessage {args.emulator_rate:.0f}/s", lambda: soak_emulator(args)),
        (
            "tta",
            f"sendMessage {args.emulator_rate:.0f}/s",
            lambda: soak_emulator(args, peer=True),
        ),
        (
            "webhook",
            f"updates {args.webhook_rate:.0f}/s",
            lambda: soak_webhook(args, "telewire_webhook.py"),
        ),
        (
            "aiogram",
            f"updates {args.webhook_rate:.0f}/s",
            lambda: soak_webhook(args, "aiogram_webhook.py"),
        ),
        ("polling", f"messages {args.polling_rate:.0f}/s", lambda: soak_polling(args)),
    ]
    names = {
        "emulator": "telewire emulator",
        "tta": "telegram-test-api 4 (npm)",
        "webhook": "telewire WebhookApp (inbox on)",
        "aiogram": "aiogram 3 webhook handler",
        "polling": "telewire polling echo bot",
    }
    for key, load_text, run in runs:
        if key not in args.only or (key == "tta" and not args.tta):
            continue
        result = asyncio.run(run())
        lines.append(row(names[key], load_text, result))
        print(lines[-1], flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
