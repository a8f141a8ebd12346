"""Counters and gauges in Prometheus's text format, and a tiny server for them.

``GET /metrics`` answers the text format; ``GET /healthz`` answers 200 ``ok`` while the
role is healthy and 503 with the reason otherwise (e.g. Redis unreachable), so an
orchestrator can restart or drain it. A dependency-free asyncio server: a role that only
talks to Redis should not need an ASGI stack for two read-only pages.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from telewire.deadlines import within

HELP = {
    "telewire_updates_in_total": "Updates appended to the partition streams",
    "telewire_updates_duplicate_total": "Updates dropped as already appended (retries)",
    "telewire_ingress_refused_total": "Updates refused (503) because Redis could not take them",
    "telewire_updates_handled_total": "Updates whose handler finished and were acknowledged",
    "telewire_updates_retried_total": "Updates taken over from a worker that stopped or died",
    "telewire_flood_waits_total": "Sends that waited for the shared flood limit",
    "telewire_429_total": "429 answers seen (each pauses every worker)",
    "telewire_partition_lag": "Entries in a partition stream not yet acknowledged",
    "telewire_partitions_owned": "Partitions this worker holds",
}


class Metrics:
    def __init__(self) -> None:
        self.counters: dict[str, float] = {}
        self.gauges: dict[str, Callable[[], dict[str, float]]] = {}
        self.health: Callable[[], str | None] = lambda: None
        """Returns None when healthy, else why not."""

    def count(self, name: str, amount: float = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + amount

    def render(self) -> str:
        lines: list[str] = []
        for name, value in sorted(self.counters.items()):
            lines += _header(name, "counter")
            lines.append(f"{name} {value:g}")
        for name, read in sorted(self.gauges.items()):
            lines += _header(name, "gauge")
            for labels, value in sorted(read().items()):
                lines.append(f"{name}{labels} {value:g}")
        return "\n".join(lines) + "\n"

    async def serve(self, host: str, port: int) -> asyncio.Server:
        """Serve ``/metrics`` and ``/healthz`` on ``host:port`` until the server is closed."""
        return await asyncio.start_server(self._answer, host, port)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, ValueError):
            request = await within(reader.readuntil(b"\r\n\r\n"), 5)
            path = request.split(b" ", 2)[1] if request.count(b" ") >= 2 else b""
            if path == b"/metrics":
                status, body = "200 OK", self.render()
                kind = "text/plain; version=0.0.4; charset=utf-8"
            elif path == b"/healthz":
                problem = self.health()
                status, body = ("200 OK", "ok\n") if problem is None else (
                    "503 Service Unavailable", problem + "\n")  # fmt: skip
                kind = "text/plain; charset=utf-8"
            else:
                status, body, kind = "404 Not Found", "try /metrics or /healthz\n", "text/plain"
            data = body.encode()
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {len(data)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + data
            )
            await writer.drain()
        writer.close()


def _header(name: str, kind: str) -> list[str]:
    return [f"# HELP {name} {HELP.get(name, name)}", f"# TYPE {name} {kind}"]
