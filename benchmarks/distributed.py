"""The distributed path beside the in-process one, on the same fake Bot API server.

    python benchmarks/distributed.py [--updates 10000] [--chats 100] [--runs 3]

Throughput: the fake server (fake_server.py) preloads N updates; we time from the first
getUpdates to the last reply (every reply checked: once each, in order per chat) for
telewire's in-process echo bot (bots/telewire_echo.py) and for the same router run by
`telewire serve` as a pump plus 1 or 2 workers on a local redis-server, and the CPU
each process spent per update (from /proc). Latency: updates released at a steady 200/s,
the time from the getUpdates answer that carried an update to its reply, p50 and p99;
the distributed path's extra over the in-process one is its added latency.

Runs go round by round (in-process, 1 worker, 2 workers, then again), so a change in
the machine's load hits every path alike, and last 10,000 updates (3,000 took 0.3 s, where
start-up and /proc's 10 ms CPU ticks weighed). The fake server's own CPU per update is
reported (``server``; about a third of the bot's, so it is not what limits the rate), and
redis-server's (``redis``); the load average is printed before and after.
To compare two versions, run this script with ``PYTHONPATH=<other checkout>/src``.
``BENCH_PROFILE=DIR`` runs every bot process under cProfile (bots/profiled.py) and stops
it with SIGTERM, leaving ``DIR/<role>-<pid>.prof``; the figures are then not comparable.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fake_server import FakeBotAPI, Scenario, cpu_seconds  # noqa: E402

from telewire.testing.servers import RedisServer  # noqa: E402

TOKEN = "1234567:" + "A" * 35
PROFILE = os.environ.get("BENCH_PROFILE")


def own_cpu() -> float:
    """CPU seconds this process (the fake server) has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Timed(Scenario):
    """A scenario that releases updates at ``pace``/s (0: all at once) and times each."""

    def __init__(self, updates: int, chats: int, pace: float = 0.0) -> None:
        super().__init__(updates, chats, bot_id=int(TOKEN.split(":")[0]))
        self.pace = pace
        self.pids: list[int] = []
        self.cpu: dict[int, float] = {}
        self.served: dict[int, float] = {}
        self.latencies: list[float] = []
        self.index = {text: i for i, text in enumerate(self._texts(updates, chats))}

    @staticmethod
    def _texts(updates: int, chats: int) -> list[str]:
        return [f"c{10_000 + i % chats}:{i // chats}" for i in range(updates)]

    def on_first_poll(self) -> None:
        if self.started is None:
            self.cpu = {pid: cpu_seconds(pid) for pid in self.pids}
            self.cpu[0] = own_cpu()
        super().on_first_poll()

    def on_reply(self, chat: int, text: str) -> None:
        index = self.index.get(text)
        if index is not None and index in self.served:
            self.latencies.append(time.perf_counter() - self.served[index])
        if self.reply_count + 1 >= self.total:
            start, self.cpu = self.cpu, {0: own_cpu() - self.cpu.get(0, 0.0)}
            self.cpu.update({pid: cpu_seconds(pid) - start.get(pid, 0.0) for pid in self.pids})
        super().on_reply(chat, text)

    def available(self) -> int:
        if not self.pace or self.started is None:
            return self.total
        return min(self.total, int((time.perf_counter() - self.started) * self.pace) + 1)


class TimedAPI(FakeBotAPI):
    scenario: Timed

    async def _get_updates(self, params: dict[str, Any]) -> bytes:
        scenario = self.scenario
        scenario.on_first_poll()
        offset = int(params.get("offset") or 0)
        if offset > 0:
            scenario.confirmed = max(scenario.confirmed, min(offset - 1, scenario.total))
        limit = min(100, max(1, int(params.get("limit") or 100)))
        deadline = time.perf_counter() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            end = min(scenario.confirmed + limit, scenario.available())
            if end > scenario.confirmed or time.perf_counter() >= deadline:
                break
            await asyncio.sleep(0.001)
        now = time.perf_counter()
        for index in range(scenario.confirmed, end):
            scenario.served.setdefault(index, now)
        return (
            b'{"ok":true,"result":[' + b",".join(scenario.encoded[scenario.confirmed : end]) + b"]}"
        )


async def settled(url: str, workers: int) -> None:
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(url, decode_responses=True)
    namespace = f"telewire:{TOKEN.split(':')[0]}"
    for _ in range(300):
        holders = [await client.get(f"{namespace}:lease:{p}") for p in range(16)]
        counts = {h: holders.count(h) for h in holders}
        if None not in counts and len(counts) == workers and max(counts.values()) <= 16 // workers:
            break
        await asyncio.sleep(0.1)
    await client.aclose()


async def one_run(workers: int, updates: int, chats: int, pace: float) -> dict[str, Any]:
    """``workers`` 0: the in-process bot; else a pump and that many workers on Redis."""
    scenario = Timed(updates, chats, pace)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: TimedAPI(scenario), "127.0.0.1", 0)
    api = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    env = {**os.environ, "API_URL": api, "BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api,
           "TELEGRAM_BOT_TOKEN": TOKEN,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE / "bots"), os.environ.get("PYTHONPATH")]))}  # fmt: skip
    processes: list[subprocess.Popen[bytes]] = []
    commands: dict[str, float] = {}
    redis = RedisServer() if workers else None
    roles: dict[int, str] = {0: "server"}
    with tempfile.TemporaryDirectory() as tmp:
        try:

            def start(argv: list[str], role: str) -> None:
                if PROFILE:
                    argv = [sys.executable, str(HERE / "bots/profiled.py"), role, *argv[1:]]
                process = subprocess.Popen(argv, env=env, cwd=HERE / "bots",
                                           stdout=subprocess.DEVNULL, stderr=None if os.environ.get("BENCH_VERBOSE") else subprocess.DEVNULL)  # fmt: skip
                processes.append(process)
                roles[process.pid] = role
                scenario.pids.append(process.pid)

            if not workers:
                start([sys.executable, str(HERE / "bots/telewire_echo.py"), f"{tmp}/offset"], "bot")
            else:
                assert redis is not None
                roles[redis.process.pid] = "redis"
                scenario.pids.append(redis.process.pid)
                serve = [sys.executable, "-m", "telewire", "serve", "distributed_echo:router",
                         "--redis", redis.url, "--no-flood-limit"]  # fmt: skip
                for _ in range(workers):
                    start([*serve, "--role", "worker"], "worker")
                await settled(redis.url, workers)  # the workers share the partitions out
                before = await command_counts(redis.url)
                start([*serve, "--role", "pump"], "pump")
            await asyncio.wait_for(scenario.done.wait(), 300)
            if redis is not None:
                after = await command_counts(redis.url)
                commands = {name: (n - before.get(name, 0)) / updates
                            for name, n in after.items() if n > before.get(name, 0)}  # fmt: skip
            await asyncio.sleep(0.3)
        finally:
            for process in processes if PROFILE else ():
                process.terminate()  # drain, then write the profile
            for process in processes:
                if PROFILE:  # the fake server must go on answering meanwhile
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        await asyncio.to_thread(process.wait, 20)
                process.kill()
                process.wait()
            server.close()
            if redis is not None:
                redis.stop()
    assert scenario.started is not None and scenario.finished is not None
    problems = scenario.check()
    if problems:
        raise RuntimeError(f"{workers} workers: {problems[:3]}")
    cpu: dict[str, float] = {}
    for pid, seconds in scenario.cpu.items():
        cpu[roles[pid]] = cpu.get(roles[pid], 0.0) + seconds
    latencies = sorted(scenario.latencies)
    return {
        "updates_per_s": updates / (scenario.finished - scenario.started),
        "cpu_us_per_update": {role: s / updates * 1e6 for role, s in cpu.items()},
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
        "commands_per_update": commands,
    }


PATHS = (("in-process", 0), ("Redis, 1 worker", 1), ("Redis, 2 workers", 2))


async def command_counts(url: str) -> dict[str, int]:
    """Redis's count of each command it ran (INFO commandstats; a script's calls included)."""
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(url, decode_responses=True)
    stats = await client.info("commandstats")
    await client.aclose()
    return {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}


def median(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the runs (CPU per role too)."""
    roles = {role for r in results for role in r["cpu_us_per_update"]}
    return {
        **{key: statistics.median(r[key] for r in results)
           for key in ("updates_per_s", "p50_ms", "p99_ms")},
        "cpu_us_per_update": {role: statistics.median(r["cpu_us_per_update"].get(role, 0.0)
                                                      for r in results) for role in roles},
    }  # fmt: skip


def load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average before: {load()}", flush=True)
    rates: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in PATHS}
    paced: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in PATHS}
    # Round by round, every path once: a change in the machine's load hits them alike.
    for round_ in range(args.runs):
        for name, workers in PATHS:
            rate = asyncio.run(one_run(workers, args.updates, args.chats, 0.0))
            rates[name].append(rate)
            if round_ == 0:
                paced[name].append(asyncio.run(one_run(workers, 1000, args.chats, 200.0)))
            print(f"round {round_ + 1}, {name}: {rate['updates_per_s']:.0f} updates/s, CPU "
                  f"µs/update { {k: round(v) for k, v in sorted(rate['cpu_us_per_update'].items())} }",
                  flush=True)  # fmt: skip
    print(f"load average after: {load()}")
    for name, _ in PATHS[1:]:
        counts = rates[name][0]["commands_per_update"]
        print(f"{name}, Redis commands per update (round 1): "
              + ", ".join(f"{c} {n:.2f}" for c, n in sorted(counts.items(), key=lambda i: -i[1])))  # fmt: skip
    rows = [(name, median(rates[name]), median(paced[name])) for name, _ in PATHS]
    # Against the in-process run of the same round: steadier than a ratio of medians on a
    # machine whose load comes and goes.
    ratios = {name: statistics.median(r["updates_per_s"] / base["updates_per_s"]
                                      for r, base in zip(rates[name], rates[PATHS[0][0]]))
              for name, _ in PATHS}  # fmt: skip
    base = rows[0]
    print(
        "\n| path | updates/s | vs in-process (median of rounds) | CPU µs per update | p50 / p99 at 200/s | added p50 / p99 |"
    )
    print("|---|---:|---:|---|---:|---:|")
    for name, rate, latency in rows:
        cpu = ", ".join(f"{role} {v:.0f}" for role, v in sorted(rate["cpu_us_per_update"].items()))
        added = (f"{latency['p50_ms'] - base[2]['p50_ms']:+.1f} / "
                 f"{latency['p99_ms'] - base[2]['p99_ms']:+.1f} ms") if name != base[0] else "—"  # fmt: skip
        print(f"| {name} | {rate['updates_per_s']:.0f} | "
              f"{ratios[name]:.0%} | {cpu} | "
              f"{latency['p50_ms']:.1f} / {latency['p99_ms']:.1f} ms | {added} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
