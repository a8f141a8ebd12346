"""Garbage-collector pauses of a bot process, for benchmarks/latency.py.

Imported by a bot, it does nothing unless ``BENCH_GC_LOG`` names a file; then it records
(start, wall seconds, CPU seconds of this thread, generation) of every
collection — the CPU time is what the collector itself cost, unaffected by other processes and writes them there as JSON when the process ends
(normally, or on SIGTERM for bots that do not handle it).
"""

import atexit
import gc
import json
import os
import signal
import sys
import time

_PATH = os.environ.get("BENCH_GC_LOG")
_pauses: list[tuple[float, float, float, int]] = []
_started = [0.0, 0.0]


def _watch(phase: str, info: dict) -> None:
    if phase == "start":
        _started[0], _started[1] = time.perf_counter(), time.thread_time()
    else:
        wall, cpu = time.perf_counter() - _started[0], time.thread_time() - _started[1]
        _pauses.append((_started[0], wall, cpu, info["generation"]))


def _write() -> None:
    if _PATH:
        with open(_PATH, "w") as handle:
            json.dump(_pauses, handle)


def _terminated(signum: int, frame: object) -> None:
    _write()
    sys.stdout.flush()
    os._exit(0)


if _PATH:
    gc.callbacks.append(_watch)
    atexit.register(_write)
    signal.signal(signal.SIGTERM, _terminated)
