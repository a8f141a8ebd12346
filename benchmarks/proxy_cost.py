"""What a proxy costs telewire's client: CPU per request on the send path, and per connection.

telewire speaks to proxies itself (``core/tunnel.py``, no SOCKS library): the handshake
runs once per connection, and on a kept-alive connection a request through a SOCKS5
proxy is the same bytes as a direct one (through an HTTP proxy, the absolute-form target
and one ``Proxy-Authorization`` header). This measures the client process's CPU time,
which is what a bot pays, with the server and the proxies in another process so their
work is not counted. Run: ``.venv/bin/python benchmarks/proxy_cost.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVERS = """
import sys, time
sys.path.insert(0, {root!r})
from tests.transports.standin import BotApiStandIn
from tests.transports.proxyservers import ProxyServer
server, http, socks = BotApiStandIn(), ProxyServer("http"), ProxyServer("socks5")
print(server.base_url, http.url(), socks.url(), flush=True)
sys.stdin.read()
"""


def cpu_per_call(make: Any, calls: int) -> tuple[float, float]:
    """Client CPU microseconds per sendMessage on one kept-alive connection: (user, system).

    User time is telewire's Python; system time is the kernel's, which on loopback also
    carries the receiving side of each packet the client sends (one more hop, more of it).
    """
    with make() as bot:
        bot.call("getMe")  # the connection (and any tunnel) is opened here, not timed
        start = os.times()
        for _ in range(calls):
            bot.call("sendMessage", chat_id=1, text="x")
        end = os.times()
        return (
            (end.user - start.user) / calls * 1e6,
            (end.system - start.system) / calls * 1e6,
        )


def cpu_per_connection(make: Any, rounds: int) -> float:
    """Client CPU microseconds to open a connection (and its tunnel) and make one call."""
    samples = []
    for _ in range(rounds):
        with make() as bot:
            start = time.process_time()
            bot.call("getMe")
            samples.append(time.process_time() - start)
    return statistics.median(samples) * 1e6


def main() -> None:
    from telewire import Bot
    from tests.transports.standin import TOKEN

    servers = subprocess.Popen(
        [sys.executable, "-c", SERVERS.format(root=str(ROOT))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert servers.stdout is not None
    base_url, http_proxy, socks_proxy = servers.stdout.readline().split()
    try:
        rows = []
        for label, proxy in [
            ("direct", None),
            ("http:// proxy, Basic credentials", http_proxy),
            ("socks5:// proxy, username/password", socks_proxy),
        ]:

            def make(proxy: str | None = proxy) -> Bot:
                return Bot(TOKEN, base_url=base_url, proxy=proxy)

            runs = [cpu_per_call(make, 2000) for _ in range(3)]
            user = statistics.median(run[0] for run in runs)
            system = statistics.median(run[1] for run in runs)
            rows.append((label, user, system, cpu_per_connection(make, 50)))
    finally:
        servers.kill()
    direct_user = rows[0][1]
    print(
        "| client | user CPU µs / request (kept alive) | × direct | system CPU µs / request "
        "| CPU µs / new connection + call |"
    )
    print("|---|---:|---:|---:|---:|")
    for label, user, system, per_connection in rows:
        print(
            f"| {label} | {user:.0f} | {user / direct_user:.2f} | {system:.0f} "
            f"| {per_connection:.0f} |"
        )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
