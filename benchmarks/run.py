"""Run telewire against its peers, side by side, and print (or write) a results table.

    make bench                       # installs the peers, then runs everything
    python benchmarks/run.py --runs 3 --updates 3000 --chats 100 --write-readme

Echo: a fresh fake server (benchmarks/fake_server.py) preloads N text updates from M
chats; each bot runs as its own process; we measure updates/s from its first getUpdates
to the last reply, its CPU time per 1,000 updates over that span, and its peak memory,
and check that every update got exactly one reply, in order per chat.
Start-up: ``import X`` and whole-process ``telewire send`` vs ``telegram-send`` and a
bare urllib request. Broadcast: the emulator with --telegram-limits and telewire's outbox.
Every figure is the median of --runs runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fake_server import Scenario, serve  # noqa: E402

TOKEN = "1234567:" + "A" * 35
BIN = Path(sys.executable).parent
BOTS: dict[str, list[str]] = {
    "telewire": ["bots/telewire_echo.py", "{tmp}/offset"],
    "telewire + SQLite read & write per update": [
        "bots/telewire_storage_echo.py",
        "{tmp}/offset",
        "sqlite://{tmp}/storage.sqlite3",
    ],
    "telewire + Redis read & write per update": [
        "bots/telewire_storage_echo.py",
        "{tmp}/offset",
        "{redis}",
    ],
    "aiogram 3": ["bots/aiogram_echo.py"],
    "python-telegram-bot 22": ["bots/ptb_echo.py"],
    "python-telegram-bot 22 (concurrent_updates)": ["bots/ptb_echo.py", "concurrent"],
    "pyTelegramBotAPI (sync)": ["bots/telebot_echo.py"],
    "pyTelegramBotAPI (async)": ["bots/telebot_async_echo.py"],
    "raw aiohttp keep-alive loop (ceiling)": ["bots/raw_aiohttp.py"],
    "raw requests loop (the workshop's)": ["bots/raw_requests.py"],
}
FRAMEWORKS = [name for name in BOTS if not name.startswith(("telewire", "raw"))]


# -- echo throughput --------------------------------------------------------------------


async def echo_once(
    argv: list[str], updates: int, chats: int, redis_url: str = ""
) -> dict[str, Any]:
    scenario = Scenario(updates, chats, bot_id=int(TOKEN.split(":")[0]))
    server = await serve(scenario)
    port = server.sockets[0].getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        args = [a.format(tmp=tmp, redis=redis_url) for a in argv]
        env = {**os.environ, "API_URL": f"http://127.0.0.1:{port}", "BOT_TOKEN": TOKEN}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(HERE / args[0]),
            *args[1:],
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        scenario.bot_pid = process.pid
        try:
            await asyncio.wait_for(scenario.done.wait(), 180)
            await asyncio.sleep(0.3)  # late duplicates would show up here
        except asyncio.TimeoutError:
            pass
        finally:
            process.kill()
            _, stderr = await process.communicate()
            server.close()
    if scenario.finished is None or scenario.started is None:
        raise RuntimeError(
            f"{argv[0]} did not finish: {scenario.reply_count}/{updates} replies\n"
            + stderr.decode(errors="replace")[-1500:]
        )
    seconds = scenario.finished - scenario.started
    return {
        "updates_per_s": updates / seconds,
        "cpu_ms_per_1000": (scenario.cpu_end - scenario.cpu_start) / updates * 1e6,
        "peak_mb": scenario.peak_mb,
        "problems": scenario.check(),
    }


def echo_suite(runs: int, updates: int, chats: int, only: list[str]) -> dict[str, dict[str, Any]]:
    results = {}
    redis = None
    for name, argv in BOTS.items():
        if only and not any(o.lower() in name.lower() for o in only):
            continue
        if "{redis}" in argv and redis is None:
            from telewire.testing.servers import RedisServer

            redis = RedisServer()  # its own redis-server on a free loopback port
        url = redis.url if redis is not None else ""
        try:
            samples = [asyncio.run(echo_once(argv, updates, chats, url)) for _ in range(runs)]
        except BaseException:
            if redis is not None:
                redis.stop()
            raise
        problems = sorted({p for s in samples for p in s["problems"]})
        results[name] = {
            key: statistics.median(s[key] for s in samples)
            for key in ("updates_per_s", "cpu_ms_per_1000", "peak_mb")
        }
        results[name]["problems"] = problems
        print(
            f"  {name}: {results[name]['updates_per_s']:.0f} updates/s, "
            f"{results[name]['cpu_ms_per_1000']:.0f} ms CPU/1000, {results[name]['peak_mb']:.0f} MB"
            + (f"  PROBLEMS: {problems[:3]}" if problems else ""),
            flush=True,
        )
    if redis is not None:
        redis.stop()
    return results


# -- start-up ---------------------------------------------------------------------------


def timed(argv: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env={**os.environ, **(env or {})})
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def startup_suite(runs: int) -> dict[str, float]:
    python = sys.executable
    results = {"python -c pass": timed([python, "-c", "pass"], runs)}
    for module in ("telewire", "telebot", "telegram", "aiogram"):
        results[f"import {module}"] = timed([python, "-c", f"import {module}"], runs)
    return results


async def _send_suite(runs: int) -> dict[str, float]:
    scenario = Scenario(1, 1)
    server = await serve(scenario)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "telegram-send.conf"
        config.write_text(f"[telegram]\ntoken = {TOKEN}\nchat_id = 42\n")
        urllib_code = (
            "import json, urllib.request; urllib.request.urlopen(urllib.request.Request("
            f"'{url}/bot{TOKEN}/sendMessage', data=json.dumps({{'chat_id': 42, 'text': 'hello'}}).encode(), "
            "headers={'Content-Type': 'application/json'})).read()"
        )
        env = {
            "TELEGRAM_API_URL": url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_CHAT_ID": "42",
            "XDG_CONFIG_HOME": tmp,
        }
        commands = {
            "telewire send": ([str(BIN / "telewire"), "send", "hello"], env),
            "telegram-send": (
                [
                    sys.executable,
                    str(HERE / "peers" / "telegram_send_local.py"),
                    "--config",
                    str(config),
                    "hello",
                ],
                {"BENCH_API_URL": url},
            ),
            "bare urllib request": ([sys.executable, "-c", urllib_code], {}),
        }
        results = {}
        for name, (argv, extra) in commands.items():
            results[name] = await loop.run_in_executor(None, timed, argv, runs, extra)
    server.close()
    return results


# -- broadcast --------------------------------------------------------------------------


def broadcast_suite() -> dict[str, Any]:
    from telewire.emulator import Emulator
    from telewire.features.outbox import Outbox
    from telewire.testing import EmulatorHandle

    with Emulator(telegram_limits=True) as server, tempfile.TemporaryDirectory() as tmp:
        handle = EmulatorHandle(server.base_url, server.token)
        users = [handle.user(f"B{i}", id=80_000 + i) for i in range(100)]
        for user in users:
            handle.send(user, "/start")
        with Outbox(Path(tmp) / "o.db", token=server.token, base_url=server.base_url) as outbox:
            started = time.monotonic()
            for round_ in range(3):
                for user in users:
                    outbox.notify(f"news {round_}", chat_id=user.id)
            outbox.flush(120)
            elapsed = time.monotonic() - started
        with urllib.request.urlopen(f"{server.base_url}/emulator/stats") as reply:
            stats = json.loads(reply.read())
    allowed = 30 * (elapsed + 1.0)  # sliding one-second windows: 30 per window
    return {
        "messages": 300,
        "seconds": elapsed,
        "rate": 300 / elapsed,
        "share_of_allowed": 300 / allowed,
        "429s": stats["429"],
    }


# -- report -----------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def table(results: dict[str, Any], runs: int, updates: int, chats: int) -> str:
    lines = [
        f"Machine: {machine()}. Medians of {runs} runs; {updates} updates over {chats} chats.",
        "",
    ]
    echo = results.get("echo", {})
    if echo:
        peers = {n: r for n, r in echo.items() if n in FRAMEWORKS}
        fastest = max(peers, key=lambda n: peers[n]["updates_per_s"]) if peers else None
        leanest = min(peers, key=lambda n: peers[n]["peak_mb"]) if peers else None
        lines += [
            "| echo bot | updates/s | × fastest peer | CPU ms / 1000 updates | × fastest peer | "
            "peak MB | × leanest peer | lost, duplicated, out of order |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for name, r in echo.items():
            best = echo[fastest] if fastest else r
            lean = echo[leanest] if leanest else r
            lines.append(
                f"| {name} | {r['updates_per_s']:.0f} | {r['updates_per_s'] / best['updates_per_s']:.2f} | "
                f"{r['cpu_ms_per_1000']:.0f} | {r['cpu_ms_per_1000'] / best['cpu_ms_per_1000']:.2f} | "
                f"{r['peak_mb']:.0f} | {r['peak_mb'] / lean['peak_mb']:.2f} | "
                f"{'none' if not r['problems'] else '; '.join(r['problems'][:2])} |"
            )
        lines.append(f"\nFastest peer: {fastest}; leanest peer: {leanest}.")
    startup = results.get("startup", {})
    if startup:
        base = startup["python -c pass"]
        lines += [
            "",
            "| start-up | ms (whole process) | ms minus bare Python | × `import telebot` |",
            "|---|---:|---:|---:|",
        ]
        for name, ms in startup.items():
            ratio = (
                (ms - base) / (startup["import telebot"] - base)
                if name.startswith("import")
                else float("nan")
            )
            lines.append(f"| `{name}` | {ms:.0f} | {ms - base:.0f} | {ratio:.2f} |")
    send = results.get("send", {})
    if send:
        lines += [
            "",
            "| one message from the shell | ms | × telegram-send | × bare urllib |",
            "|---|---:|---:|---:|",
        ]
        for name, ms in send.items():
            lines.append(
                f"| `{name}` | {ms:.0f} | {ms / send['telegram-send']:.2f} | "
                f"{ms / send['bare urllib request']:.2f} |"
            )
    broadcast = results.get("broadcast")
    if broadcast:
        lines += [
            "",
            f"Broadcast under `--telegram-limits` (telewire outbox): {broadcast['messages']} messages "
            f"over 100 chats in {broadcast['seconds']:.2f} s = {broadcast['rate']:.1f}/s; "
            f"{broadcast['share_of_allowed']:.1%} of what the limits allow in that time; "
            f"{broadcast['429s']} responses were 429.",
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument(
        "--only", action="append", default=[], help="run only bots whose name contains this"
    )
    parser.add_argument(
        "--skip", action="append", default=[], choices=["echo", "startup", "send", "broadcast"]
    )
    parser.add_argument(
        "--write-readme", action="store_true", help="put the table into benchmarks/README.md"
    )
    args = parser.parse_args()
    results: dict[str, Any] = {}
    if "echo" not in args.skip:
        print("echo throughput:", flush=True)
        results["echo"] = echo_suite(args.runs, args.updates, args.chats, args.only)
    if "startup" not in args.skip:
        results["startup"] = startup_suite(max(5, args.runs * 3))
    if "send" not in args.skip:
        results["send"] = asyncio.run(_send_suite(max(5, args.runs * 3)))
    if "broadcast" not in args.skip:
        results["broadcast"] = broadcast_suite()
    report = table(results, args.runs, args.updates, args.chats)
    print("\n" + report)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"results-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(results, indent=2)
    )
    if args.write_readme:
        readme = HERE / "README.md"
        text = readme.read_text()
        start, end = "<!-- results:start -->", "<!-- results:end -->"
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        readme.write_text(f"{head}{start}\n{report}\n{end}{tail}")
    own = results.get("echo", {}).get("telewire", {})
    return 1 if own.get("problems") else 0  # peers' reordering is reported, not ours to fail on


if __name__ == "__main__":
    sys.exit(main())
