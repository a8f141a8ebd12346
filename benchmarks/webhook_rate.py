"""Webhook requests/s: telewire's WebhookApp under uvicorn against aiogram's webhook handler.

    python benchmarks/webhook_rate.py [--seconds 10] [--runs 3] [--connections 8] [--write-readme]

Each server runs in its own process and handles every update with a handler that only
counts (no Bot API call). ``wrk`` (``webhook.lua``: a fresh update_id per request, 100
chats) POSTs updates over keep-alive connections as fast as they are answered; without
wrk, ``benchmarks/load.py`` does the same in Python (slower: it shares the cores). Rows:
telewire as shipped (the durable inbox on), with ``fsync=True``, without the inbox
(``inbox=False``), with the reply in the response; aiogram's ``SimpleRequestHandler``
(handling in the background, its default) and with the reply returned in the response.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load

HERE = Path(__file__).resolve().parent
SERVERS: dict[str, list[str]] = {
    "telewire (durable inbox, the default)": ["telewire_webhook.py", "inbox"],
    "telewire (inbox with fsync=True)": ["telewire_webhook.py", "fsync"],
    "telewire (inbox=False, memory only)": ["telewire_webhook.py", "memory"],
    "telewire (reply_in_response=True)": ["telewire_webhook.py", "reply"],
    "aiogram 3 (SimpleRequestHandler)": ["aiogram_webhook.py"],
    "aiogram 3 (reply in the response)": ["aiogram_webhook.py", "reply"],
}
PEER = "aiogram 3 (SimpleRequestHandler)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(argv: list[str], port: int) -> subprocess.Popen[bytes]:
    script, *rest = argv
    command = [sys.executable, str(HERE / "bots" / script), str(port), *rest]
    if script.startswith("telewire") and rest and rest[0] in ("inbox", "fsync"):
        command.append(str(Path(tempfile.mkdtemp()) / "inbox.db"))
    server = subprocess.Popen(command)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server
        if server.poll() is not None:
            break
        time.sleep(0.05)
    server.kill()
    raise SystemExit(f"{argv} did not start")


def measure(argv: list[str], seconds: float, connections: int) -> tuple[float, float, int]:
    port = free_port()
    server = start(argv, port)
    try:
        if shutil.which("wrk"):
            wrk(port, 1.0, connections, first_id=10_000_000)  # warm-up
            return wrk(port, seconds, connections, first_id=1)
        asyncio.run(load.run(port, seconds=1.0, connections=connections, first_id=10_000_000))
        tally = asyncio.run(load.run(port, seconds=seconds, connections=connections))
    finally:
        server.terminate()
        server.wait(30)
    return tally.ok / seconds, load.percentile(tally.latencies, 0.99) * 1000, tally.failed


def wrk(port: int, seconds: float, connections: int, first_id: int) -> tuple[float, float, int]:
    threads = min(2, connections)
    env = {**os.environ, "WRK_THREADS": str(threads), "WRK_FIRST_ID": str(first_id)}
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    command += ["-s", str(HERE / "webhook.lua"), f"http://127.0.0.1:{port}/"]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    assert p99 is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, float(p99.group(1)) * scale, int(bad.group(1)) if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    results: dict[str, tuple[float, float, int]] = {}
    for name, argv in SERVERS.items():
        if args.only and not any(word in name for word in args.only):
            continue
        runs = [measure(argv, args.seconds, args.connections) for _ in range(args.runs)]
        rate = statistics.median(r[0] for r in runs)
        p99 = statistics.median(r[1] for r in runs)
        failed = sum(r[2] for r in runs)
        results[name] = (rate, p99, failed)
        print(f"{name}: {rate:.0f} requests/s, p99 {p99:.1f} ms, {failed} failed", flush=True)
    text = report(results, args)
    print(text)
    if args.write_readme:
        readme = HERE / "README.md"
        body = readme.read_text()
        block = f"<!-- webhook:start -->\n{text}\n<!-- webhook:end -->"
        body = re.sub(r"<!-- webhook:start -->.*<!-- webhook:end -->", block, body, flags=re.S)
        readme.write_text(body)
    return 0


def report(results: dict[str, tuple[float, float, int]], args: argparse.Namespace) -> str:
    peer = results.get(PEER, (float("nan"), 0.0, 0))[0]
    lines = [
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; {args.connections} keep-alive "
        f"connections, {args.seconds:.0f} s per run, medians of {args.runs} runs.",
        "",
        "| webhook server | requests/s | × aiogram | p99 ms | non-2xx |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, (rate, p99, failed) in results.items():
        lines.append(f"| {name} | {rate:.0f} | {rate / peer:.2f} | {p99:.1f} | {failed} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
