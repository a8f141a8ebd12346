"""Ingress, pumps and workers as real `telewire serve` subprocesses, and what they answered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telewire.client.bot import Bot
from telewire.testing.handle import EmulatorHandle
from telewire.testing.servers import _wait_for_port, free_port

ROOT = Path(__file__).resolve().parents[2]
APP = "tests.distributed.echo_app:router"


class Cluster:
    def __init__(
        self,
        emulator: EmulatorHandle,
        redis_url: str,
        logs: Path,
        *,
        lease: float = 5.0,
        app: str = APP,
        env: dict[str, str] | None = None,
    ):
        self.emulator = emulator
        self.app = app
        self.env = env or {}
        self.redis_url = redis_url
        self.logs = logs
        self.lease = lease
        self.processes: list[subprocess.Popen[bytes]] = []
        self.secret = "s3cret-token"
        self.hung: list[subprocess.Popen[bytes]] = []
        """Processes that did not end within 20 s of SIGTERM (stop then aborts them)."""

    def _start(self, role: str, *extra: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": self.emulator.token,
               "TELEGRAM_API_URL": self.emulator.base_url, "PYTHONPATH": str(ROOT),
               "PYTHONFAULTHANDLER": "1", **self.env}  # fmt: skip
        log = open(self.logs / f"{role}-{len(self.processes)}.log", "wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "telewire", "serve", self.app, "--role", role,
             "--redis", self.redis_url, "--lease", str(self.lease), *extra],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def ingress(self) -> subprocess.Popen[bytes]:
        port = free_port()
        process = self._start("ingress", "--port", str(port), "--secret", self.secret)
        _wait_for_port(port, process, "the ingress")
        with Bot(self.emulator.token, base_url=self.emulator.base_url) as bot:
            bot.set_webhook(url=f"http://127.0.0.1:{port}/", secret_token=self.secret,
                            max_connections=40)  # fmt: skip
        return process

    def worker(self, *extra: str, flood_limit: bool = False) -> subprocess.Popen[bytes]:
        """A worker; without the shared flood limit unless asked (the emulator has none)."""
        return self._start("worker", *extra, *(() if flood_limit else ("--no-flood-limit",)))

    def pump(self, *extra: str) -> subprocess.Popen[bytes]:
        return self._start("pump", *extra)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:  # its log shows where it hung (faulthandler)
                self.hung.append(process)
                process.send_signal(signal.SIGABRT)
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def log_tail(self) -> str:
        return "\n".join(
            f"== {path.name}\n" + path.read_text(errors="replace")[-3000:]
            for path in sorted(self.logs.glob("*.log"))
        )


def send_all(
    emulator: EmulatorHandle, chats: int, total: int, pause: Callable[[int], None] | None = None
) -> dict[int, int]:
    """``total`` messages "m <n>" round-robin over ``chats`` users; returns user id -> count."""
    users = [emulator.user(f"U{n}") for n in range(chats)]
    sent: dict[int, int] = {user.id: 0 for user in users}
    for n in range(total):
        user = users[n % chats]
        emulator.send(user, f"m {sent[user.id]}")
        sent[user.id] += 1
        if pause is not None:
            pause(n)
    return sent


def answers(emulator: EmulatorHandle, chat_id: int) -> list[int]:
    return [int(m.text.split()[-1]) for m in emulator.bot_messages(chat_id) if m.text]


def wait_all_answered(
    emulator: EmulatorHandle, sent: dict[int, int], timeout: float, cluster: Cluster
) -> dict[int, list[int]]:
    """Every chat's answers once each has at least its count (a first occurrence of each)."""
    deadline = time.monotonic() + timeout
    pending = dict(sent)
    seen: dict[int, list[int]] = {}
    while pending and time.monotonic() < deadline:
        for chat_id in list(pending):
            got = answers(emulator, chat_id)
            seen[chat_id] = got
            if len(set(got)) >= pending[chat_id]:
                del pending[chat_id]
        if pending:
            time.sleep(0.5)
    assert not pending, f"{len(pending)} chats not fully answered\n{cluster.log_tail()}"
    time.sleep(1.0)  # anything answered twice late shows up too
    return {chat_id: answers(emulator, chat_id) for chat_id in sent}


def first_occurrences(numbers: list[int]) -> list[int]:
    seen: set[int] = set()
    return [n for n in numbers if not (n in seen or seen.add(n))]  # type: ignore[func-returns-value]


def delivered(emulator: EmulatorHandle) -> Any:
    return emulator.deliveries()


class DurableRedis:
    """A redis-server that keeps its data across a stop (AOF, fsync per write) and can be
    started again on the same port and folder: for the "Redis stopped" test."""

    def __init__(self, folder: Path) -> None:
        import shutil

        self.program = shutil.which("redis-server") or "redis-server"
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.folder),
             "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for_port(self.port, self.process, "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
