"""Long polling that loses nothing: confirm an update only after it was handled.

The offset sent to Telegram is the :class:`~telewire.updates.watermark.Watermark`: every
update below it has finished. It is saved (see :mod:`telewire.updates.offsets`) as it
advances, so a restart, even after ``kill -9``, replays at most the updates that were in
flight. On SIGINT/SIGTERM polling stops fetching, lets in-flight handlers finish (for
``drain_timeout`` seconds at most), saves and confirms.

Pauses: :func:`run_polling` owns its process, so once the bot is ready it moves every
object alive then (modules, the Bot API types, the router) out of the garbage collector's
reach with :func:`gc.freeze`. Measured (benchmarks/latency.py): under a backlog, full
collections that walked that start-up heap took 8.6 ms of CPU in the middle of the
handling; frozen, a full collection only walks what was made since.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telewire.core.errors import Conflict, RetryAfter
from telewire.core.retry import RetryPolicy, backoff, is_transient
from telewire.deadlines import wait_event
from telewire.updates.dispatcher import RERUNS, Dispatcher
from telewire.updates.offsets import OffsetStore, open_offsets
from telewire.updates.parked import ParkedStore, open_parked, parked_path
from telewire.updates.watermark import Watermark

if TYPE_CHECKING:
    from telewire.client.async_bot import AsyncBot
    from telewire.jobs import Scheduler
    from telewire.routing.router import Router

log = logging.getLogger("telewire.polling")
SETTLE = 0.02
"""Seconds to let a batch just handed out start finishing before the next getUpdates.

Telegram answers at once while any update at or above the offset is unconfirmed, so a
getUpdates sent right after a batch only brings that batch back: measured at a steady
load (benchmarks/latency.py), that was 2.3 requests per update; this way, 1.4. Waiting for
the first handler of the batch to finish (usually one round trip), at most this long for
slow handlers, lets the next request confirm it and wait for news instead."""


class Polling:
    """Fetch updates and hand them to a dispatcher until :meth:`stop` is called."""

    def __init__(
        self,
        router: Router,
        bot: AsyncBot,
        *,
        offsets: str | Path | OffsetStore | None = None,
        concurrency: int = 64,
        timeout: int = 25,
        limit: int = 100,
        allowed_updates: list[str] | None = None,
        drain_timeout: float = 10.0,
        reruns: RetryPolicy = RERUNS,
        parked: str | Path | ParkedStore | None = None,
        freeze_gc: bool = False,
    ) -> None:
        """``parked``: where updates that cannot be handled are kept; by default beside
        ``offsets`` (the same SQLite file, or ``<offsets>.parked.db``), else in memory.

        ``freeze_gc``: once ready, :func:`gc.freeze` what is alive (see the module's
        docstring); for the owner of the process only, as it affects the whole process."""
        self.freeze_gc = freeze_gc
        self.bot = bot
        self.store = open_offsets(offsets, bot.token.bot_id)
        self.watermark = Watermark(self.store.load())
        if parked is None and isinstance(offsets, (str, Path)):
            parked = parked_path(offsets)
        self.parked = open_parked(parked, bot.token.bot_id)
        self.dispatcher = Dispatcher(
            router,
            bot,
            concurrency=concurrency,
            on_finished=self._finished,
            reruns=reruns,
            parked=self.parked,
        )
        self.timeout = timeout
        self.limit = limit
        self.allowed_updates = allowed_updates
        self.drain_timeout = drain_timeout
        self._stopping = asyncio.Event()
        self._progress = asyncio.Event()
        self._save_scheduled = False
        self._save_lock = asyncio.Lock()
        self._saving: asyncio.Task[None] | None = None
        self._poll: asyncio.Task[Any] | None = None
        self._last_failure = ""

    # -- bookkeeping ------------------------------------------------------------------

    def _finished(self, update_id: int) -> None:
        self.watermark.finished(update_id)
        self._progress.set()
        if not self._save_scheduled:
            self._save_scheduled = True
            self._saving = asyncio.get_running_loop().create_task(self._save())

    async def _save(self) -> None:
        """Save the confirmed offset: one save at a time, the newest offset each time.

        A store that may wait on the disk (SQLite) saves from a worker thread, so a slow
        commit never stalls the handlers of other chats.
        """
        async with self._save_lock:
            self._save_scheduled = False
            offset = self.watermark.confirmed
            if offset is None:
                return
            if getattr(self.store, "blocking", True):
                await asyncio.to_thread(self.store.save, offset)
            else:
                self.store.save(offset)

    # -- running ----------------------------------------------------------------------

    def stop(self) -> None:
        """Stop fetching; :meth:`run` then drains, saves, confirms and returns."""
        self._stopping.set()
        if self._poll is not None:
            self._poll.cancel()

    async def run(self) -> None:
        await self.dispatcher.start()
        if self.freeze_gc:
            gc.collect()  # start-up garbage goes now, not into the frozen heap
            gc.freeze()
        where = getattr(self.store, "path", None)
        log.info(
            "polling for @%s (%s) at %s; confirmed offset %s kept %s",
            self.dispatcher.runtime.bot_username,
            self.bot.token.masked,
            self.bot.base_url,
            self.watermark.confirmed,
            f"in {where}" if where else "in memory only (pass offsets= to keep it)",
        )
        failures = 0
        try:
            while not self._stopping.is_set():
                if self.watermark.in_flight >= self.limit // 2:
                    self._progress.clear()
                    await self._wait_for_progress()
                    continue
                try:
                    updates = await self._fetch()
                except asyncio.CancelledError:
                    if self._stopping.is_set():
                        break
                    raise
                except Exception as exc:
                    if not (is_transient(exc) or isinstance(exc, Conflict)):
                        raise
                    failures += 1
                    await self._sleep(self._after_failed_fetch(exc, failures))
                    continue
                failures = 0
                self._replay_parked()
                fresh = [u for u in updates if self.watermark.is_new(u.update_id)]
                for update in fresh:
                    self.watermark.received(update.update_id)
                    self.dispatcher.submit(update)
                if fresh:
                    await self._wait_for_progress(SETTLE)
                elif updates:
                    await self._wait_for_progress()
        finally:
            await self._shutdown()

    def _after_failed_fetch(self, error: Exception, failures: int) -> float:
        """Log why getUpdates failed (WARNING once per outage and cause); the seconds to wait."""
        wait = error.retry_after if isinstance(error, RetryAfter) else backoff(failures)
        if isinstance(error, Conflict):
            cause = (
                "a webhook is set for this bot (delete it, or receive updates by webhook)"
                if "webhook" in error.description
                else "another process is polling this bot (a second instance, `telewire "
                "listen` or `telewire approve`); only one poller gets updates at a time"
            )
            message = f"getUpdates refused: {cause}; trying again in %.1fs"
        else:
            message = f"getUpdates failed ({error}); trying again in %.1fs"
        news = failures == 1 or message != self._last_failure
        self._last_failure = message
        log.log(logging.WARNING if news else logging.DEBUG, message, wait)
        return wait

    def _replay_parked(self) -> None:
        """Hand parked updates marked for replay (``telewire parked replay``) to the router."""
        from telewire.api._generated.types import Update
        from telewire.core import typed

        try:
            bodies = self.parked.take_replays()
        except Exception as exc:
            log.warning("could not read parked updates to replay: %s", exc)
            return
        for body in bodies:
            update = typed.decode(body, Update)
            log.info("replaying parked update %s", update.update_id)
            self.dispatcher.submit(update, replay=True)

    async def _fetch(self) -> list[Any]:
        await self._save()
        self._progress.clear()  # progress from here on lets a repeated batch go on at once
        self._poll = asyncio.ensure_future(
            self.bot.get_updates(
                offset=self.watermark.confirmed,
                limit=self.limit,
                timeout=self.timeout,
                allowed_updates=self.allowed_updates,
            )
        )
        try:
            updates: list[Any] = await self._poll
            return updates
        finally:
            self._poll = None

    async def _wait_for_progress(self, timeout: float = 1.0) -> None:
        if self._progress.is_set():
            return
        waiters = [
            asyncio.ensure_future(self._progress.wait()),
            asyncio.ensure_future(self._stopping.wait()),
        ]
        _, pending = await asyncio.wait(
            waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        for waiter in pending:
            waiter.cancel()

    async def _sleep(self, seconds: float) -> None:
        await wait_event(self._stopping, seconds)

    async def _shutdown(self) -> None:
        drained = await self.dispatcher.drain(self.drain_timeout)
        if not drained:
            log.warning(
                "stopping with %d updates unfinished; they will be delivered again",
                self.watermark.in_flight,
            )
        await self._save()
        offset = self.watermark.confirmed
        if offset is not None:
            try:  # tell Telegram what is done, so another instance starts after it
                await self.bot.request("getUpdates", {"offset": offset, "limit": 1, "timeout": 0})
            except Exception as exc:  # the saved offset covers it on our next start
                log.info("could not confirm offset %s on shutdown: %s", offset, exc)
        self.store.close()
        self.parked.close()
        await self.dispatcher.close()


def run_polling(
    router: Router,
    *,
    token: str | None = None,
    base_url: str | None = None,
    offsets: str | Path | OffsetStore | None = None,
    concurrency: int = 64,
    allowed_updates: list[str] | None = None,
    retry: RetryPolicy | None = None,
    proxy: str | None = None,
    tls: Any = None,
    local_mode: bool = False,
    test_environment: bool = False,
    jobs: Scheduler | None = None,
) -> None:
    """Run ``router`` by long polling until SIGINT/SIGTERM (a blocking call).

    ``offsets`` (a file path, ``*.db`` for SQLite) keeps the confirmed offset across
    restarts; without it a restart may see handled updates again. In a program that
    already runs an event loop, ``await start_polling(...)`` instead. ``proxy``, ``tls``,
    ``local_mode`` and ``test_environment`` are as on :class:`~telewire.AsyncBot`.
    """
    from telewire.client.config import MissingToken, resolve_token
    from telewire.core.token import InvalidToken

    try:  # before the event loop starts, so a missing token is one short, clear error
        token = resolve_token(token)
    except (MissingToken, InvalidToken) as exc:
        raise exc.with_traceback(None) from None
    asyncio.run(
        start_polling(
            router,
            token=token,
            base_url=base_url,
            offsets=offsets,
            concurrency=concurrency,
            allowed_updates=allowed_updates,
            retry=retry,
            proxy=proxy,
            tls=tls,
            local_mode=local_mode,
            test_environment=test_environment,
            freeze_gc=True,
            jobs=jobs,
        )
    )


async def start_polling(
    router: Router,
    *,
    bot: AsyncBot | None = None,
    token: str | None = None,
    base_url: str | None = None,
    offsets: str | Path | OffsetStore | None = None,
    concurrency: int = 64,
    allowed_updates: list[str] | None = None,
    retry: RetryPolicy | None = None,
    handle_signals: bool = True,
    proxy: str | None = None,
    tls: Any = None,
    local_mode: bool = False,
    test_environment: bool = False,
    freeze_gc: bool = False,
    jobs: Scheduler | None = None,
) -> None:
    """:func:`run_polling` for a running event loop: returns after SIGINT/SIGTERM (when
    ``handle_signals``) or when the task is cancelled, having drained and confirmed.

    A ``bot`` given is used and left open (it is yours); otherwise one is made and closed.
    ``freeze_gc=True`` (what :func:`run_polling` does) calls :func:`gc.freeze` once the
    bot is ready, for shorter collector pauses; pass it only if this process is yours.
    ``jobs`` (a :class:`~telewire.jobs.Scheduler`) runs beside the poller and stops with it,
    letting running jobs finish; it gets this bot unless it has one.
    """
    from telewire.client.async_bot import AsyncBot

    own = bot is None
    if bot is None:
        bot = AsyncBot(
            token,
            base_url=base_url,
            retry=retry,
            proxy=proxy,
            tls=tls,
            local_mode=local_mode,
            test_environment=test_environment,
        )
    polling = Polling(
        router,
        bot,
        offsets=offsets,
        concurrency=concurrency,
        allowed_updates=allowed_updates,
        freeze_gc=freeze_gc,
    )
    loop = asyncio.get_running_loop()
    signals: list[signal.Signals] = []
    if handle_signals:
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, polling.stop)
                signals.append(sig)
            except (NotImplementedError, RuntimeError):  # not the main thread / Windows
                pass
    try:
        async with jobs.beside(bot) if jobs is not None else contextlib.nullcontext():
            await polling.run()
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
        if own:
            await bot.close()
