"""Starting and stopping an emulator: in the current event loop or in a thread of its own."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aiohttp import web

from telewire.core.token import Token
from telewire.emulator.control_http import new_token
from telewire.emulator.engine import Engine, Listener
from telewire.emulator.fast_path import FastSite
from telewire.emulator.faults import Faults
from telewire.emulator.persistence import StateFile
from telewire.emulator.server import EmulatorServer


class Emulator:
    """A running emulator: its URLs, its bots' tokens, and a handle to stop it."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tokens: Iterable[str] = (),
        state: str | Path | None = None,
        faults: str | None = None,
        telegram_limits: bool = False,
        local: bool = False,
        local_dir: str | Path | None = None,
        history: int | None = None,
    ) -> None:
        """``local``: behave as ``telegram-bot-api --local`` (getFile gives absolute paths
        under ``local_dir``, a new temporary folder by default; ``file://`` uploads; 2000 MB
        uploads and no download limit). ``history``: messages kept per chat (the oldest
        are forgotten beyond it)."""
        if history is not None and history < 1:
            raise ValueError(f"history must be at least 1 message per chat, not {history}")
        self.history = history
        self.host = host
        self.local_dir: Path | None = None
        if local or local_dir is not None:
            import tempfile

            self.local_dir = Path(local_dir or tempfile.mkdtemp(prefix="telewire-local-"))
        self.port = port
        self.tokens = [str(Token(t)) for t in tokens]
        self._state_path = state
        self._faults = Faults.parse(faults)
        self._limits = telegram_limits
        self._runner: web.AppRunner | None = None
        self.server: EmulatorServer | None = None
        self._engine: Engine | None = None  # kept across stop() and start(): the same world
        self._listeners: list[Listener] = []  # the running server's hooks into the engine
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def base_url(self) -> str:
        """The Bot API base URL (what ``TELEGRAM_API_URL`` should be)."""
        return f"http://{self.host}:{self.port}"

    @property
    def page_url(self) -> str:
        return f"{self.base_url}/"

    @property
    def token(self) -> str:
        return self.tokens[0]

    async def start(self) -> Emulator:
        """Serve; after :meth:`stop`, serve the same world again on the same port."""
        state = StateFile(self._state_path) if self._state_path else None
        engine = self._engine
        if engine is None:
            engine = self._engine = Engine(state.load() if state else None)
        if self.history is not None:
            engine.world.history = self.history
        if not self.tokens:
            self.tokens = [b.token for b in engine.world.bots.values()] or [new_token()]
        for token in self.tokens:
            engine.world.add_bot(token)
        outside = list(engine.listeners)
        self.server = EmulatorServer(
            engine,
            state=state,
            faults=self._faults,
            telegram_limits=self._limits,
            local_dir=self.local_dir.resolve() if self.local_dir else None,
        )
        self._listeners = [hook for hook in engine.listeners if hook not in outside]
        self._runner = web.AppRunner(
            self.server.app, access_log=None, handle_signals=False, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = FastSite(
            self._runner, self.server, host=self.host, port=self.port, reuse_address=True
        )
        try:
            await site.start()
        except OSError as exc:
            await self.stop()
            raise OSError(
                f"the emulator cannot listen on {self.host}:{self.port} ({exc.strerror}); "
                "another program took the port, choose another one"
            ) from None
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        self.server.webhooks.resume_all()
        return self

    async def stop(self) -> None:
        """Close the port and every connection; the world stays for :meth:`start`."""
        if self.server is not None:
            await self.server.close()
            await asyncio.sleep(0)  # let event streams see their end
            if self._engine is not None:
                for hook in self._listeners:
                    self._engine.listeners.remove(hook)
            self._listeners = []
            self.server = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- in a thread -------------------------------------------------------------------

    def in_thread(self) -> Emulator:
        """Start in a daemon thread with its own loop; returns once it accepts requests."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:  # e.g. a client's request cut off mid-way
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="telewire-emulator", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def halt(self) -> None:
        """Thread mode: go down (port closed, connections cut), keeping state and port."""
        self._in_loop(self.stop())

    def resume(self) -> None:
        """Thread mode: serve again on the same port, with everything that was there."""
        self._in_loop(self.start())

    def _in_loop(self, step: Any) -> None:
        if self._loop is None or self._thread is None:
            step.close()
            raise RuntimeError("the emulator is not running in a thread: use in_thread() first")
        asyncio.run_coroutine_threadsafe(step, self._loop).result(timeout=30)

    def call_soon(self, fn: Any, *args: Any) -> None:
        """Run ``fn(*args)`` in the emulator's loop (thread mode), for tests and tools."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(fn, *args)

    def close(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self if self._thread else self.in_thread()

    def __exit__(self, *exc: object) -> None:
        self.close()
