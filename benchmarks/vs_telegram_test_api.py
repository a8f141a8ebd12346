"""telewire's emulator against the npm package telegram-test-api, on the same load.

    python benchmarks/vs_telegram_test_api.py [--seconds 5] [--clients 8] [--round-trips 1000]

Installs telegram-test-api (``npm install`` into a temporary folder; needs node and npm),
starts it and ``telewire emulator`` side by side on loopback ports, and drives both with
the same load generators:

* **sendMessage throughput**: ``wrk`` (C, one thread) posts sendMessage calls to 100 chats
  from ``--clients`` keep-alive connections for ``--seconds`` after a one-second warm-up.
  Without wrk, a Python aiohttp client sends ``--messages`` calls instead; it is slower
  than the telewire emulator, so it measures itself there (the table says which was used);
* **getUpdates round trip**: a user's message goes in through each emulator's own client
  API, and the bot's getUpdates loop (no waiting on either side) takes it out; one at a
  time, ``--round-trips`` times, timed from the user's request to the update's arrival,
  over one keep-alive connection spoken by a minimal blocking socket client (an HTTP
  library would add more time per request than the emulator takes).

Both keep everything in memory. telegram-test-api checks nothing (any chat, any text)
and its getUpdates scans every message it ever stored; telewire's emulator checks each
call as Telegram does and keeps offsets. Prints a table of rates and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

TOKEN = "7654321:" + "E" * 35
PACKAGE = "telegram-test-api@4.2.1"
CHATS = 100
SERVER_JS = """
const TelegramServer = require('telegram-test-api');
const server = new TelegramServer({port: Number(process.argv[2]), host: '127.0.0.1', storeTimeout: 600});
server.start().then(() => console.log('listening'));
process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));
"""
SEND_LUA = """
local counter = 0
function request()
  counter = counter + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"},
    string.format('{"chat_id":%d,"text":"message %d"}', 90000 + counter % 100, counter))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Connection:
    """One keep-alive HTTP/1.1 connection, spoken with as little work as possible."""

    def __init__(self, base_url: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.stream = self.sock.makefile("rb")

    def post(self, path: str, payload: dict[str, Any]) -> Any:
        body = json.dumps(payload).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.sock.sendall(head.encode() + body)
        status = self.stream.readline()
        length = 0
        while (line := self.stream.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        data = self.stream.read(length)
        if b" 200 " not in status:
            raise SystemExit(f"{path}: {status.decode().strip()} {data[:200]!r}")
        return json.loads(data) if data else None

    def close(self) -> None:
        self.stream.close()
        self.sock.close()


class Target:
    """One emulator under test: how to start it, and how a user writes to it."""

    name = ""
    base_url = ""
    process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def prepare(self, http: Connection) -> None:
        """Whatever must exist before the bot may write (users who started the bot)."""

    def user_writes(self, http: Connection, chat: int, text: str) -> None:
        raise NotImplementedError


class TelewireEmulator(Target):
    name = "telewire emulator"

    def start(self) -> None:
        command = [sys.executable, "-m", "telewire.cli.main", "emulator", "--port", "0"]
        self.process = subprocess.Popen(
            [*command, "--token", TOKEN], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        lines = [self.process.stdout.readline() for _ in range(2)]
        found = re.search(r"http://\S+", lines[1])
        if found is None:
            raise SystemExit(f"telewire emulator did not start: {lines}")
        self.base_url = found.group(0).rstrip("/")

    def prepare(self, http: Connection) -> None:
        for chat in range(CHATS):
            self.user_writes(http, 90_000 + chat, "/start")
        http.post(f"/bot{TOKEN}/getUpdates", {"offset": -1})

    def user_writes(self, http: Connection, chat: int, text: str) -> None:
        body = {"token": TOKEN, "user": {"id": chat, "first_name": f"U{chat}"}, "text": text}
        http.post("/emulator/send", body)


class TelegramTestApi(Target):
    name = "telegram-test-api " + PACKAGE.rsplit("@", 1)[1]

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def start(self) -> None:
        port = free_port()
        script = self.folder / "server.js"
        script.write_text(SERVER_JS)
        self.process = subprocess.Popen(
            ["node", str(script), str(port)], cwd=self.folder, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        if "listening" not in self.process.stdout.readline():
            raise SystemExit("telegram-test-api did not start")
        self.base_url = f"http://127.0.0.1:{port}"

    def user_writes(self, http: Connection, chat: int, text: str) -> None:
        user = {"id": chat, "first_name": f"U{chat}", "is_bot": False}
        body = {
            "botToken": TOKEN,
            "date": int(time.time()),
            "from": user,
            "chat": {"id": chat, "type": "private", "first_name": f"U{chat}"},
            "text": text,
        }
        http.post("/sendMessage", body)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (from /proc)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk_rate(target: Target, seconds: float, clients: int, folder: Path) -> tuple[float, float]:
    """sendMessage calls per second under wrk (after a one-second warm-up), and the
    server's CPU microseconds per call: the rate depends on what else the machine is doing,
    the CPU time per call much less."""
    assert target.process is not None
    script = folder / "send.lua"
    script.write_text(SEND_LUA)
    url = f"{target.base_url}/bot{TOKEN}/sendMessage"
    rate = cpu_per_call = 0.0
    for duration in (1.0, seconds):
        command = ["wrk", "-t1", f"-c{clients}", f"-d{duration:g}s", "-s", str(script), url]
        cpu_before = cpu_seconds(target.process.pid)
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        cpu = cpu_seconds(target.process.pid) - cpu_before
        if "Non-2xx" in out or "Socket errors" in out:
            raise SystemExit(f"{target.name}: sendMessage failed under wrk:\n{out}")
        found = re.search(r"(\d+) requests in .*\n(?s:.*)Requests/sec:\s+([\d.]+)", out)
        if found is None:
            raise SystemExit(f"wrk printed no rate:\n{out}")
        rate = float(found.group(2))
        cpu_per_call = cpu / int(found.group(1)) * 1e6
    return rate, cpu_per_call


async def python_rate(target: Target, messages: int, clients: int) -> float:
    """sendMessage calls per second from an aiohttp client (where wrk is missing)."""
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as http:
        url = f"{target.base_url}/bot{TOKEN}/sendMessage"
        numbers = iter(range(messages))

        async def worker() -> None:
            for i in numbers:
                body = {"chat_id": 90_000 + i % CHATS, "text": f"message {i}"}
                async with http.post(url, json=body) as reply:
                    data = await reply.json(content_type=None)
                    if not data.get("ok"):
                        raise SystemExit(f"{target.name}: sendMessage failed: {data}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return messages / (time.perf_counter() - started)


def round_trips(target: Target, count: int) -> tuple[float, float]:
    """Round trips per second and the median round trip in milliseconds."""
    http = Connection(target.base_url)
    try:
        target.prepare(http)
        path = f"/bot{TOKEN}/getUpdates"
        offset = 0
        times = []
        started = time.perf_counter()
        for i in range(count):
            sent = time.perf_counter()
            target.user_writes(http, 90_000 + i % CHATS, f"ping {i}")
            while True:
                updates = http.post(path, {"offset": offset, "timeout": 0})["result"]
                if updates:
                    offset = updates[-1]["update_id"] + 1
                    break
            times.append(time.perf_counter() - sent)
        return count / (time.perf_counter() - started), statistics.median(times) * 1000
    finally:
        http.close()


def install(folder: Path) -> None:
    if shutil.which("npm") is None or shutil.which("node") is None:
        raise SystemExit("node and npm are needed to install telegram-test-api")
    (folder / "package.json").write_text(json.dumps({"name": "bench", "private": True}))
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", PACKAGE],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"npm install {PACKAGE} failed: {done.stderr.strip()[-500:]}")


def measure(target: Target, args: argparse.Namespace, folder: Path) -> dict[str, float]:
    target.start()
    try:
        http = Connection(target.base_url)
        target.prepare(http)
        http.close()
        cpu_per_call = math.nan
        if args.generator == "wrk":
            rate, cpu_per_call = wrk_rate(target, args.seconds, args.clients, folder)
        else:
            rate = asyncio.run(python_rate(target, args.messages, args.clients))
    finally:
        target.stop()
    target.start()  # a fresh server: the first run's messages would slow the second
    try:
        trips, median_ms = round_trips(target, args.round_trips)
    finally:
        target.stop()
    return {"send": rate, "cpu_us": cpu_per_call, "trips": trips, "median_ms": median_ms}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk's measured run")
    parser.add_argument("--messages", type=int, default=5_000, help="without wrk")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--round-trips", type=int, default=1_000)
    args = parser.parse_args()
    args.generator = "wrk" if shutil.which("wrk") else "aiohttp"
    with tempfile.TemporaryDirectory(prefix="telegram-test-api-") as temp:
        folder = Path(temp)
        install(folder)
        results: dict[str, dict[str, Any]] = {}
        for target in (TelewireEmulator(), TelegramTestApi(folder)):
            results[target.name] = measure(target, args, folder)
    ours, theirs = results.values()
    sending = (
        f"wrk, {args.seconds:g} s" if args.generator == "wrk" else f"aiohttp, {args.messages} calls"
    )
    print(
        f"sendMessage over {args.clients} keep-alive connections ({sending}); "
        f"{args.round_trips} getUpdates round trips; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f}\n"
    )
    print(
        "| emulator | sendMessage/s | server CPU µs per sendMessage "
        "| getUpdates round trips/s | median round trip ms |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['send']:.0f} | {r['cpu_us']:.0f} | {r['trips']:.0f} "
            f"| {r['median_ms']:.2f} |"
        )
    print(
        f"| ratio (telewire / telegram-test-api; CPU: theirs / ours) "
        f"| {ours['send'] / theirs['send']:.2f}× | {theirs['cpu_us'] / ours['cpu_us']:.2f}× "
        f"| {ours['trips'] / theirs['trips']:.2f}× | {theirs['median_ms'] / ours['median_ms']:.2f}× |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
