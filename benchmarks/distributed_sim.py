"""Checks the sizing in docs/how-to/distributed.md: many partitions, many simulated workers.

    python benchmarks/distributed_sim.py [--rate 10000] [--chats 1000000] [--seconds 5]

A discrete-event simulation of the worker side at a given update rate: chats drawn with a
Zipf-like skew from a million, hashed to partitions exactly as telewire does (CRC-32 of
the chat id), partitions shared out to workers exactly as workers do (ceil(P / W) each).
Each worker is one CPU core that spends ``cpu`` seconds per update (measured in
benchmarks/distributed.py), then the update waits ``io`` seconds for Telegram's answer
with the core free for others. Printed per configuration: the busiest worker's CPU
utilisation, the partition imbalance (busiest partition / mean), the time from arrival
to finish (p50, p99), and how busy the hottest chat keeps its own strict order (a chat's
updates run one after another: above 100 % that chat alone falls behind).
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import zlib
from collections import Counter


def simulate(rate: float, chats: int, seconds: float, partitions: int, workers: int,
             cpu: float, io: float, seed: int = 1) -> dict[str, float]:  # fmt: skip
    rng = random.Random(seed)
    count = int(rate * seconds)
    tiers = 10_000  # activity tiers: half the traffic skewed (Zipf 0.8), half uniform
    tier_size = chats // tiers
    cumulative = list(itertools.accumulate(1 / (rank**0.8) for rank in range(1, tiers + 1)))
    skewed = rng.choices(range(tiers), cum_weights=cumulative, k=count)
    share = math.ceil(partitions / workers)
    owner = [min(p // share, workers - 1) for p in range(partitions)]
    cpu_free = [0.0] * workers  # when each worker's core is next free (FIFO)
    busy_time = [0.0] * workers
    per_partition = [0] * partitions
    per_chat: Counter[int] = Counter()
    delays: list[float] = []
    now = 0.0
    for n in range(count):
        now += rng.expovariate(rate)
        hot = n % 2  # every other update from the skewed half
        chat = skewed[n] * tier_size + rng.randrange(tier_size) if hot else rng.randrange(chats)
        per_chat[chat] += 1
        partition = zlib.crc32(f"k{chat}".encode()) % partitions
        per_partition[partition] += 1
        worker = owner[partition]
        start = max(now, cpu_free[worker])
        cpu_free[worker] = start + cpu
        busy_time[worker] += cpu
        delays.append(start + cpu + io - now)
    delays.sort()
    hottest = max(per_chat.values()) / seconds
    return {
        "busiest_cpu": max(busy_time) / seconds,
        "imbalance": max(per_partition) / (count / partitions),
        "p50_ms": delays[len(delays) // 2] * 1000,
        "p99_ms": delays[int(len(delays) * 0.99)] * 1000,
        "hottest_chat_busy": hottest * (cpu + io),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=10_000)
    parser.add_argument("--chats", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--cpu", type=float, default=150e-6, help="worker CPU s per update")
    parser.add_argument("--io", type=float, default=0.05, help="Telegram round trip, s")
    args = parser.parse_args()
    print(f"{args.rate:.0f} updates/s over {args.chats:,} chats, {args.cpu * 1e6:.0f} µs CPU "
          f"and {args.io * 1000:.0f} ms I/O per update\n")  # fmt: skip
    print("| partitions | workers | busiest worker CPU | partition imbalance | p50 | p99 "
          "| hottest chat busy |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for partitions, workers in ((64, 1), (64, 2), (64, 3), (256, 3), (256, 4), (256, 6), (1024, 8)):
        r = simulate(args.rate, args.chats, args.seconds, partitions, workers, args.cpu, args.io)
        print(f"| {partitions} | {workers} | {r['busiest_cpu']:.0%} | {r['imbalance']:.2f} | "
              f"{r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['hottest_chat_busy']:.0%} |",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
