"""Real storage servers for tests: ``redis-server`` and a PostgreSQL cluster on free ports.

Each starts from the system's own binaries (Debian's ``redis-server``; ``initdb`` and
``pg_ctl`` from ``/usr/lib/postgresql/*/bin``), listens only on 127.0.0.1, keeps its files
in a fresh temporary folder and throws them away on :meth:`stop`. Both trade durability
for speed (no snapshots, ``fsync=off``): test data need not survive a power cut.

PostgreSQL refuses to run as root; as root the cluster runs as the ``postgres`` system
user (or ``nobody``) through ``runuser``, in a folder that user owns.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class ServerMissing(RuntimeError):
    """The server's program is not installed; the message says which package to install."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes] | None, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.02)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within 30 s")


class RedisServer:
    """A throwaway ``redis-server`` on 127.0.0.1; ``url`` is ready once constructed."""

    def __init__(self, executable: str | None = None, *, port: int | None = None) -> None:
        """``port``: a fixed one, e.g. to start a server again where a stopped one was."""
        program = executable or shutil.which("redis-server")
        if program is None:
            raise ServerMissing(
                "redis-server is not installed; install Debian's 'redis-server' package "
                "(scripts/ensure-redis does it for `make test`)"
            )
        self.port = port or free_port()
        self.folder = tempfile.mkdtemp(prefix="telewire-redis-")
        self.process = subprocess.Popen(
            [program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", self.folder, "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_for_port(self.port, self.process, "redis-server")
        except BaseException:
            self.stop()
            raise
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin folder (env ``TELEWIRE_PG_BIN`` overrides)."""
    if os.environ.get("TELEWIRE_PG_BIN"):
        return Path(os.environ["TELEWIRE_PG_BIN"])
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name.split(".")[0]),
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise ServerMissing("PostgreSQL's initdb is not installed; install Debian's 'postgresql'")


class PostgresServer:
    """A throwaway PostgreSQL cluster on 127.0.0.1 with trust auth for user ``telewire``."""

    def __init__(self, *, crash_safe: bool = False) -> None:
        """``crash_safe``: every commit survives :meth:`pause` (synchronous commits; still
        no fsync, since a killed server's writes stay in the OS's cache)."""
        binaries = postgres_bin()
        self.port = free_port()
        self.folder = tempfile.mkdtemp(prefix="telewire-pg-")
        self._as: list[str] = []
        if os.geteuid() == 0:
            user = "postgres" if _user_exists("postgres") else "nobody"
            shutil.chown(self.folder, user)
            self._as = ["runuser", "-u", user, "--"]
        self.data = os.path.join(self.folder, "data")
        self._pg_ctl = str(binaries / "pg_ctl")
        initdb = str(binaries / "initdb")
        self._run(initdb, "--pgdata", self.data, "--username", "telewire", "--auth", "trust",
                  "--no-sync", "--encoding", "UTF8", "--locale", "C")  # fmt: skip
        self._options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=200"
            + ("" if crash_safe else " -c synchronous_commit=off")
        )
        try:
            self.resume()
        except BaseException:
            self.stop()
            raise
        self.url = f"postgresql://telewire@127.0.0.1:{self.port}/postgres"

    def pause(self) -> None:
        """Stop the server as a crash would (sessions cut, nothing flushed), keeping its data.

        Unless the server is ``crash_safe``, its last fraction of a second of commits may be
        lost, as they would be on a real server with ``synchronous_commit=off``.
        """
        self._run(self._pg_ctl, "stop", "--pgdata", self.data, "--mode", "immediate", "--wait")

    def resume(self) -> None:
        """Start the server (again) on the same port, with the data it had."""
        log = os.path.join(self.folder, "server.log")
        self._run(self._pg_ctl, "start", "--pgdata", self.data, "--wait", "--timeout",
                  "60", "--log", log, "--options", self._options)  # fmt: skip
        _wait_for_port(self.port, None, "PostgreSQL")

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [*self._as, *command], capture_output=True, text=True, cwd=self.folder, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-500:]}")

    def stop(self) -> None:
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            with contextlib.suppress(RuntimeError):
                self._run(self._pg_ctl, "stop", "--pgdata", self.data, "--mode", "immediate",
                          "--wait")  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
