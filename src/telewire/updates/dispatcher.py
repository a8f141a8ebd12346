"""Running updates through a router: chats concurrently (bounded), each chat in order.

Every update is keyed by its chat (or by its user for chat-less updates). One task per
busy key works through that key's queue, so a chat's updates run strictly in arrival
order while different chats overlap, at most ``concurrency`` handlers at a time.

When a handler fails because Telegram could not be reached (a network error, a 5xx, a
429), the update is handled again after a pause, in its place in the chat's order, for
as long as the trouble lasts: nothing is lost to an outage (and a reply that did get
through before the failure may be sent twice: at least once, never zero times). Any other
exception is a bug in the handler: it is logged and the update counts as handled, so one
bad update cannot stall its chat forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from telewire.core.errors import NetworkError, RetryAfter, ServerError
from telewire.core.updates import chat_id_of, update_kind
from telewire.routing.context import Context
from telewire.routing.router import Router, Runtime

if TYPE_CHECKING:
    from telewire.api._generated.types import Update
    from telewire.client.async_bot import AsyncBot
    from telewire.client.bot import Bot

log = logging.getLogger("telewire.updates")
TRANSIENT = (NetworkError, ServerError, RetryAfter)
HANDLED, UNROUTED, RETRY = "handled", "unrouted", "retry"
MAX_PAUSE = 30.0


class Dispatcher:
    def __init__(
        self,
        router: Router,
        bot: AsyncBot,
        *,
        concurrency: int = 64,
        on_finished: Callable[[int], None] | None = None,
        sync_workers: int = 8,
    ) -> None:
        self.router = router
        self.bot = bot
        self.on_finished = on_finished
        self._slots = asyncio.Semaphore(concurrency)
        self._queues: dict[Any, deque[Update]] = {}
        self._pause = 1.0
        self._idle = asyncio.Event()
        self._idle.set()
        self._sync_workers = sync_workers
        self._executor: ThreadPoolExecutor | None = None
        self._sync_bot: Bot | None = None
        self.runtime = Runtime(None, self._get_sync_bot)

    async def start(self) -> None:
        """Learn the bot's username (for ``/command@username``) and prepare sync workers."""
        me = await self.bot.get_me()
        self.runtime.bot_username = (me.username or "").lower()

    def _get_sync_bot(self) -> Bot:
        if self._sync_bot is None:
            from telewire.client.bot import Bot

            self._sync_bot = Bot(
                self.bot.token,
                base_url=self.bot.base_url,
                timeout=self.bot.timeout,
                retry=self.bot.retry,
            )
            self._executor = ThreadPoolExecutor(
                self._sync_workers, thread_name_prefix="telewire-handler"
            )
            self.runtime.executor = self._executor
        return self._sync_bot

    @property
    def busy(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def submit(self, update: Update) -> None:
        """Queue ``update`` behind earlier updates of its chat."""
        kind = update_kind(update)
        key: Any = chat_id_of(update, kind)
        if key is None:
            key = ("update", update.update_id)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            self._idle.clear()
            asyncio.get_running_loop().create_task(self._work(key, queue))
        queue.append(update)

    async def _work(self, key: Any, queue: deque[Update]) -> None:
        failures = 0
        try:
            while queue:
                update = queue[0]
                async with self._slots:
                    outcome = await self.handle(update)
                if outcome is RETRY:
                    failures += 1
                    await asyncio.sleep(min(MAX_PAUSE, self._pause * failures))
                    continue
                failures = 0
                queue.popleft()
                if self.on_finished is not None:
                    self.on_finished(update.update_id)
        finally:
            del self._queues[key]
            if not self._queues:
                self._idle.set()

    async def handle(self, update: Update) -> str:
        """Route one update now: HANDLED, UNROUTED, or RETRY (Telegram was unreachable)."""
        kind = update_kind(update)
        if kind is None:
            log.debug("update %s carries nothing telewire knows; skipped", update.update_id)
            return UNROUTED
        ctx = Context(update, kind, chat_id_of(update, kind), self.bot)
        ctx.data["runtime"] = self.runtime
        try:
            if await self.router.dispatch(ctx):
                return HANDLED
            log.debug("update %s (%s) matched no route; skipped", update.update_id, kind)
            return UNROUTED
        except TRANSIENT as error:
            self._pause = error.retry_after if isinstance(error, RetryAfter) else 1.0
            log.warning("update %s: %s; handling it again shortly", update.update_id, error)
            return RETRY
        except Exception:
            log.exception("a handler failed on update %s (%s); moving on", update.update_id, kind)
            return HANDLED

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every queued update was handled; False if ``timeout`` came first."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return True

    async def close(self) -> None:
        if self._executor is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown)
        if self._sync_bot is not None:
            self._sync_bot.close()
