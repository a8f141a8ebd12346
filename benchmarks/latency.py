"""Response time at a steady load: telewire against a raw loop and its peers, side by side.

    python benchmarks/latency.py --runs 3 --rates 150,300,600,1200 --write-readme

A fake Bot API server (``fake_server.py``, with a release clock added here) makes update i
of N available at ``start + i / rate`` over M chats, starting at the bot's first
getUpdates, and times each echo from the moment its update became available to the
moment the reply arrived. Per bot and load: p50/p90/p99/max of those times (the first
``--warmup`` share of updates is left out: connections and caches are still filling), the
bot's CPU time per 1,000 updates, and for telewire and the raw loop the number and the
longest of the garbage collector's pauses in the bot process (``bots/gcwatch.py``).

Runs are interleaved (run 1: every load, every bot; then run 2 ...), so telewire and the
raw loop meet the same background noise; figures are medians over runs. A bot *falls
behind* at a load when its replies come slower than the updates (it finishes more than
``--behind`` seconds after the last release): the load is reported and higher loads are
not run for it.

``--webhook``: the same clock, but each released update is POSTed to the bot's webhook
server (telewire's WebhookApp under uvicorn with its durable inbox, aiogram's
SimpleRequestHandler) over 8 keep-alive connections, as Telegram would; the bot replies
through the fake Bot API, and the time is again from release to reply.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fake_server import FakeBotAPI, Scenario, cpu_seconds  # noqa: E402
from run import TOKEN, machine  # noqa: E402

BOTS: dict[str, list[str]] = {
    "telewire": ["bots/telewire_echo.py", "{tmp}/offset"],
    "raw aiohttp loop": ["bots/raw_aiohttp.py"],
    "aiogram 3": ["bots/aiogram_echo.py"],
    "pyTelegramBotAPI (async)": ["bots/telebot_async_echo.py"],
    "pyTelegramBotAPI (sync)": ["bots/telebot_echo.py"],
}
WEBHOOK_BOTS: dict[str, list[str]] = {
    "telewire webhook (durable inbox)": [
        "bots/telewire_webhook.py",
        "{port}",
        "echo",
        "{tmp}/inbox.db",
    ],
    "aiogram 3 webhook": ["bots/aiogram_webhook.py", "{port}", "echo"],
}
PERCENTILES = ("p50", "p90", "p99", "max")


class SteadyScenario(Scenario):
    """Updates released at a fixed rate; each reply timed from its update's release."""

    def __init__(self, updates: int, chats: int, rate: float, bot_id: int = 1) -> None:
        super().__init__(updates, chats, bot_id)
        self.chats = chats
        self.rate = rate
        self.released = 0
        self.released_at: list[float] = [0.0] * updates
        self.latency: list[float | None] = [None] * updates
        self.duplicates = 0
        self.last_release: float | None = None
        self.polls = 0  # getUpdates calls answered
        self.resent = 0  # updates handed out again (the bot had not confirmed them yet)
        self.handed_out = 0
        self.arrivals = asyncio.Event()
        self.pushed: asyncio.Queue[int] | None = None  # webhook mode: released updates to POST

    def on_first_poll(self) -> None:
        if self.started is None:
            super().on_first_poll()
            asyncio.get_running_loop().create_task(self._release())

    async def _release(self) -> None:
        """Make updates available on schedule; wake a waiting getUpdates at each step."""
        assert self.started is not None
        start = self.started + 0.05  # the bot's first long poll is waiting by then
        while self.released < self.total:
            now = time.perf_counter()
            due = min(self.total, int((now - start) * self.rate) + 1) if now >= start else 0
            if due > self.released:
                for i in range(self.released, due):
                    self.released_at[i] = now
                    if self.pushed is not None:
                        self.pushed.put_nowait(i)
                self.released = due
                self.arrivals.set()
                self.arrivals = asyncio.Event()
            await asyncio.sleep(max(0.0, start + self.released / self.rate - time.perf_counter()))
        self.last_release = time.perf_counter()

    def on_reply(self, chat: int, text: str) -> None:
        now = time.perf_counter()
        index = int(text.rsplit(":", 1)[1]) * self.chats + (chat - 10_000)
        if self.latency[index] is None:
            self.latency[index] = now - self.released_at[index]
        else:
            self.duplicates += 1
        super().on_reply(chat, text)


class SteadyFakeBotAPI(FakeBotAPI):
    scenario: SteadyScenario

    async def _get_updates(self, params: dict[str, Any]) -> bytes:
        """Like Telegram: unconfirmed released updates at once, else wait for the next."""
        scenario = self.scenario
        scenario.on_first_poll()
        offset = int(params.get("offset") or 0)
        if offset > 0:
            scenario.confirmed = max(scenario.confirmed, min(offset - 1, scenario.total))
        limit = min(100, max(1, int(params.get("limit") or 100)))
        timeout = float(params.get("timeout") or 0)
        if scenario.confirmed >= scenario.released and timeout > 0 and not scenario.done.is_set():
            arrivals = scenario.arrivals
            try:
                await asyncio.wait_for(arrivals.wait(), min(timeout, 1.0))
            except asyncio.TimeoutError:
                pass
        end = min(scenario.released, scenario.confirmed + limit)
        scenario.polls += 1
        scenario.resent += max(0, min(end, scenario.handed_out) - scenario.confirmed)
        scenario.handed_out = max(scenario.handed_out, end)
        return (
            b'{"ok":true,"result":[' + b",".join(scenario.encoded[scenario.confirmed : end]) + b"]}"
        )


async def push_updates(port: int, scenario: SteadyScenario, connections: int) -> None:
    """Telegram's side of a webhook: POST each released update over ``connections``
    keep-alive connections (Telegram uses up to 40); a 503 or 429 is sent again 10 ms later."""
    import load

    queue = scenario.pushed
    assert queue is not None

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                i = await queue.get()
                data = load.request(port, "/", scenario.encoded[i])
                if await load._exchange(reader, writer, data) in (429, 503):
                    asyncio.get_running_loop().call_later(0.01, queue.put_nowait, i)
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))


async def wait_for_port(port: int, process: asyncio.subprocess.Process) -> None:
    for _ in range(1200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if process.returncode is not None:
                break
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise RuntimeError("the webhook server did not start")


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    rank = max(0, min(len(sorted_values) - 1, math.ceil(share * len(sorted_values)) - 1))
    return sorted_values[rank]


async def steady_once(
    argv: list[str], updates: int, chats: int, rate: float, warmup: float, behind: float
) -> dict[str, Any]:
    scenario = SteadyScenario(updates, chats, rate, bot_id=int(TOKEN.split(":")[0]))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SteadyFakeBotAPI(scenario), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    webhook_port = 0
    if "{port}" in argv:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            webhook_port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        args = [a.format(tmp=tmp, port=webhook_port) for a in argv]
        gc_log = Path(tmp) / "gc.json"
        env = {
            **os.environ,
            "API_URL": f"http://127.0.0.1:{port}",
            "BOT_TOKEN": TOKEN,
            "BENCH_GC_LOG": str(gc_log),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / args[0]),
            *args[1:],
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        scenario.bot_pid = process.pid
        pushing = None
        if webhook_port:
            await wait_for_port(webhook_port, process)
            scenario.pushed = asyncio.Queue()
            scenario.on_first_poll()  # the release clock starts now
            pushing = loop.create_task(push_updates(webhook_port, scenario, 8))
        deadline = 60 + updates / rate + behind
        try:
            await asyncio.wait_for(scenario.done.wait(), deadline)
            await asyncio.sleep(0.2)  # late duplicates would show up here
        except asyncio.TimeoutError:
            pass
        if pushing is not None:
            pushing.cancel()
        cpu = cpu_seconds(process.pid) - scenario.cpu_start
        process.send_signal(signal.SIGTERM)  # lets gcwatch write its log
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), 10)
        except asyncio.TimeoutError:
            process.kill()
            _, stderr = await process.communicate()
        server.close()
        gc_pauses = json.loads(gc_log.read_text()) if gc_log.exists() else None
    if scenario.started is None:
        raise RuntimeError(f"{argv[0]} never polled:\n{stderr.decode(errors='replace')[-1500:]}")
    answered = [x for x in scenario.latency[int(updates * warmup) :] if x is not None]
    finished = scenario.finished or time.perf_counter()
    last = scenario.last_release or finished
    result: dict[str, Any] = {
        "behind": scenario.finished is None or finished - last > behind,
        "lost": sum(x is None for x in scenario.latency),
        "duplicates": scenario.duplicates,
        "problems": scenario.check(),
        "cpu_ms_per_1000": cpu / updates * 1e6,
        "polls_per_1000": scenario.polls / updates * 1000,
        "resent_per_update": scenario.resent / updates,
    }
    values = sorted(answered) or [float("nan")]
    for name, share in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
        result[name] = percentile(values, share) * 1000
    result["max"] = values[-1] * 1000
    if gc_pauses is not None:
        during = [p for p in gc_pauses if scenario.started <= p[0] <= finished]
        result["gc_pauses"] = len(during)
        result["gc_longest_ms"] = max((p[1] for p in during), default=0.0) * 1000
        result["gc_longest_cpu_ms"] = max((p[2] for p in during), default=0.0) * 1000
        result["gc_full"] = sum(p[3] == 2 for p in during)
    return result


def suite(
    bots: dict[str, list[str]],
    rates: list[float],
    runs: int,
    updates: int,
    chats: int,
    warmup: float,
    behind: float,
) -> dict[str, dict[str, Any]]:
    """Every (bot, rate) run ``runs`` times, interleaved; medians of each figure."""
    samples: dict[str, dict[float, list[dict[str, Any]]]] = {n: {} for n in bots}
    fell_behind: dict[str, float] = {}
    for run in range(runs):
        for rate in rates:
            for name, argv in bots.items():
                if name in fell_behind and rate > fell_behind[name]:
                    continue
                sample = asyncio.run(steady_once(argv, updates, chats, rate, warmup, behind))
                samples[name].setdefault(rate, []).append(sample)
                if sample["behind"] and run == 0:
                    fell_behind.setdefault(name, rate)
                gc = (
                    f", GC {sample['gc_pauses']} pauses ({sample['gc_full']} full), longest"
                    f" {sample['gc_longest_ms']:.1f} ms ({sample['gc_longest_cpu_ms']:.1f} ms CPU)"
                    if "gc_pauses" in sample
                    else ""
                )
                print(
                    f"  run {run + 1} {rate:g}/s {name}: "
                    + " / ".join(f"{sample[p]:.1f}" for p in PERCENTILES)
                    + f" ms, CPU {sample['cpu_ms_per_1000']:.0f} ms/1000{gc}"
                    + f", {sample['polls_per_1000']:.0f} polls/1000"
                    + f" ({sample['resent_per_update']:.1f} resent/update)"
                    + (" BEHIND" if sample["behind"] else ""),
                    flush=True,
                )
    results: dict[str, dict[str, Any]] = {}
    for name, by_rate in samples.items():
        results[name] = {}
        for rate, runs_at_rate in by_rate.items():
            keys = [k for k in runs_at_rate[0] if isinstance(runs_at_rate[0][k], (int, float))]
            merged: dict[str, Any] = {
                k: statistics.median(s[k] for s in runs_at_rate if k in s) for k in keys
            }
            merged["behind"] = sum(s["behind"] for s in runs_at_rate) * 2 > len(runs_at_rate)
            merged["runs"] = len(runs_at_rate)
            merged["problems"] = sorted({p for s in runs_at_rate for p in s["problems"]})
            merged["spread_p99"] = [round(s["p99"], 2) for s in runs_at_rate]
            merged["spread_max"] = [round(s["max"], 2) for s in runs_at_rate]
            results[name][str(rate)] = merged
    return results


def table(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        f"Machine: {machine()}. Medians of {args.runs} interleaved runs; {args.updates} updates "
        f"over {args.chats} chats per run, the first {args.warmup:.0%} left out. "
        "Milliseconds from an update's release to its reply.",
        "",
        "| offered load | "
        + " | ".join(f"{name} p50 / p90 / p99 / max" for name in results)
        + " |",
        "|---|" + "---:|" * len(results),
    ]
    rates = sorted({float(r) for by_rate in results.values() for r in by_rate})
    for rate in rates:
        cells = []
        for by_rate in results.values():
            r = by_rate.get(str(rate))
            if r is None:
                cells.append("(not run: behind at a lower load)")
                continue
            figures = " / ".join(_ms(r[p]) for p in PERCENTILES)
            cells.append(f"**falls behind** ({figures})" if r["behind"] else figures)
        lines.append(f"| {rate:g} updates/s | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| offered load | bot | CPU ms / 1000 updates | getUpdates / 1000 updates | "
        "GC pauses (full) | longest GC pause ms (its CPU ms) | p99 per run | max per run |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for rate in rates:
        for name, by_rate in results.items():
            r = by_rate.get(str(rate))
            if r is None:
                continue
            gc = (
                (
                    f"{r['gc_pauses']:.0f} ({r['gc_full']:.0f})",
                    f"{r['gc_longest_ms']:.1f} ({r['gc_longest_cpu_ms']:.1f})",
                )
                if "gc_pauses" in r
                else ("", "")
            )
            lines.append(
                f"| {rate:g}/s | {name} | {r['cpu_ms_per_1000']:.0f} | "
                f"{r['polls_per_1000']:.0f} | {gc[0]} | {gc[1]} | "
                f"{', '.join(_ms(x) for x in r['spread_p99'])} | "
                f"{', '.join(_ms(x) for x in r['spread_max'])} |"
            )
    problems = {n: r["problems"] for n, by in results.items() for r in by.values() if r["problems"]}
    if problems:
        lines.append("")
        lines += [f"{n}: {'; '.join(p[:2])}" for n, p in problems.items()]
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rates", default="150,300,600,1200", help="updates/s, comma-separated")
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--warmup", type=float, default=0.1, help="share of updates left out")
    parser.add_argument("--behind", type=float, default=1.0, help="seconds of lag = behind")
    parser.add_argument("--only", action="append", default=[], help="bots whose name has this")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run the server and the bots at this niceness (negative needs root): on a "
        "shared machine, -10 keeps other work from preempting them",
    )
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="run the server and the bots under SCHED_RR (root): on a shared machine it "
        "keeps other processes from preempting them (the kernel still caps them at 95%% CPU)",
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="the webhook servers (uvicorn / aiohttp) instead of long polling: updates are "
        "POSTed to them as they are released, over 8 keep-alive connections",
    )
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    if args.nice:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # the bots inherit it
    if args.realtime:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(1))  # inherited too
    candidates = WEBHOOK_BOTS if args.webhook else BOTS
    bots = {
        n: a
        for n, a in candidates.items()
        if not args.only or any(o in n.lower() for o in args.only)
    }
    rates = [float(r) for r in args.rates.split(",")]
    print("steady load:", flush=True)
    results = suite(bots, rates, args.runs, args.updates, args.chats, args.warmup, args.behind)
    report = table(results, args)
    print("\n" + report)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"latency-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(results, indent=2)
    )
    if args.write_readme:
        readme = HERE / "README.md"
        text = readme.read_text()
        marker = "latency-webhook" if args.webhook else "latency"
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        readme.write_text(f"{head}{start}\n{report}\n{end}{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
