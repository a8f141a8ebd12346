"""Webhook throughput: telewire's WebhookApp under uvicorn against aiogram's webhook handler.

    python benchmarks/webhook_rate.py [--seconds 10] [--runs 3] [--connections 8] [--write-readme]

Each server runs in its own process. ``wrk`` (``webhook.lua``: a fresh update_id per
request, 100 chats) POSTs updates over keep-alive connections as fast as they are
answered; without wrk, ``load.py`` does the same in Python (slower: it shares the cores).

Two kinds of rows:

* **count**: the handler only counts (no Bot API call), so the figure is the webhook path
  itself: acknowledged updates per second. telewire as shipped (the durable inbox on), with
  ``fsync=True``, without the inbox (``inbox=False``); aiogram's ``SimpleRequestHandler``
  (handling in the background, its default).
* **echo**: the handler replies to every update through a fast fake Bot API
  (``fake_server.py``, in this process), as a real bot does. The figure is replies per
  second, i.e. updates handled end to end. telewire's bounded queue answers 503 when
  handling falls behind (Telegram retries those later); aiogram acknowledges everything
  and lets its background tasks pile up, so its acknowledged rate says little.
  ``reply in the response`` rows put the reply in the 200 body instead (no request).
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
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fake_server
import load

HERE = Path(__file__).resolve().parent
SERVERS: dict[str, list[str]] = {
    "count: telewire (durable inbox, the default)": ["telewire_webhook.py", "inbox"],
    "count: telewire (inbox with fsync=True)": ["telewire_webhook.py", "fsync"],
    "count: telewire (inbox=False, memory only)": ["telewire_webhook.py", "memory"],
    "count: aiogram 3 (SimpleRequestHandler)": ["aiogram_webhook.py"],
    "echo: telewire (durable inbox, the default)": ["telewire_webhook.py", "echo"],
    "echo: telewire (reply_in_response=True)": ["telewire_webhook.py", "reply"],
    "echo: aiogram 3 (SimpleRequestHandler)": ["aiogram_webhook.py", "echo"],
    "echo: aiogram 3 (reply in the response)": ["aiogram_webhook.py", "reply"],
}
PEERS = {
    "count": "count: aiogram 3 (SimpleRequestHandler)",
    "echo": "echo: aiogram 3 (SimpleRequestHandler)",
}


class FakeAPI:
    """The fake Bot API in a thread of its own; counts the replies it receives."""

    def __init__(self) -> None:
        self.scenario: fake_server.Scenario | None = None
        self.port = 0
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self.scenario = fake_server.Scenario(0, 1)
            server = loop.run_until_complete(fake_server.serve(self.scenario))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def replies(self) -> int:
        return self.scenario.reply_count if self.scenario else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(argv: list[str], port: int, api: FakeAPI) -> subprocess.Popen[bytes]:
    script, *rest = argv
    command = [sys.executable, str(HERE / "bots" / script), str(port), *rest]
    if script.startswith("telewire") and rest and rest[0] in ("inbox", "fsync", "echo"):
        command.append(str(Path(tempfile.mkdtemp()) / "inbox.db"))
    server = subprocess.Popen(command, env={**os.environ, "API_URL": api.url})
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


def measure(argv: list[str], seconds: float, connections: int, api: FakeAPI) -> dict[str, float]:
    port = free_port()
    server = start(argv, port, api)
    try:
        if shutil.which("wrk"):
            wrk(port, 1.0, connections, first_id=10_000_000)  # warm-up
            before = api.replies
            result = wrk(port, seconds, connections, first_id=1)
        else:
            asyncio.run(load.run(port, seconds=1.0, connections=connections, first_id=10**7))
            before = api.replies
            tally = asyncio.run(load.run(port, seconds=seconds, connections=connections))
            result = {
                "acked": tally.ok / seconds,
                "p99": load.percentile(tally.latencies, 0.99) * 1000,
                "refused": tally.refused + tally.failed,
            }
        result["replies"] = (api.replies - before) / seconds
    finally:
        server.terminate()
        server.wait(30)
    return result


def wrk(port: int, seconds: float, connections: int, first_id: int) -> dict[str, float]:
    threads = min(2, connections)
    env = {**os.environ, "WRK_THREADS": str(threads), "WRK_FIRST_ID": str(first_id)}
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    command += ["-s", str(HERE / "webhook.lua"), f"http://127.0.0.1:{port}/"]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    assert total is not None, out
    elapsed = float(total.group(2)) / (1000 if total.group(3) == "ms" else 1)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    assert p99 is not None, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    refused = int(bad.group(1)) if bad else 0
    return {
        "acked": (int(total.group(1)) - refused) / elapsed,
        "p99": float(p99.group(1)) * scale,
        "refused": refused,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    api = FakeAPI()
    results: dict[str, dict[str, float]] = {}
    for name, argv in SERVERS.items():
        if args.only and not any(word in name for word in args.only):
            continue
        runs = [measure(argv, args.seconds, args.connections, api) for _ in range(args.runs)]
        results[name] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        print(name, {k: round(v, 1) for k, v in results[name].items()}, flush=True)
    text = report(results, args)
    print(text)
    if args.write_readme:
        readme = HERE / "README.md"
        body = readme.read_text()
        block = f"<!-- webhook:start -->\n{text}\n<!-- webhook:end -->"
        body = re.sub(r"<!-- webhook:start -->.*<!-- webhook:end -->", block, body, flags=re.S)
        readme.write_text(body)
    return 0


def report(results: dict[str, dict[str, float]], args: argparse.Namespace) -> str:
    lines = [
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}; wrk, {args.connections} "
        f"keep-alive connections, {args.seconds:g} s per run, medians of {args.runs} runs.",
        "",
        "| webhook server | handled/s | × aiogram | acknowledged/s | p99 ms | 503s (retried) |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def handled(name: str, r: dict[str, float]) -> float:
        # Replies travel as requests to the fake API, or in the 200 bodies themselves.
        by_request = name.startswith("echo") and "in the response" not in name
        by_request = by_request and "reply_in_response" not in name
        return r["replies"] if by_request else r["acked"]

    for name, r in results.items():
        peer_name = PEERS[name.split(":", 1)[0]]
        peer = results.get(peer_name)
        base = handled(peer_name, peer) if peer else float("nan")
        rate = handled(name, r)
        lines.append(
            f"| {name} | {rate:.0f} | {rate / base:.2f} | {r['acked']:.0f} | "
            f"{r['p99']:.1f} | {r['refused']:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
