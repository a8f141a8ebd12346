"""Running updates through a router: chats concurrently (bounded), each chat in order.

Every update is keyed by its chat (or by its user for chat-less updates). One task per
busy key works through that key's queue, so a chat's updates run strictly in arrival
order while different chats overlap, at most ``concurrency`` handlers at a time.

When a handler fails because Telegram could not be reached (a network error, a 5xx, a
429), the update is handled again after a pause (that chat's own pause; other chats go on),
in its place in the chat's order, but only if repeating cannot duplicate what the failed
call did (see :mod:`telewire.core.retry`): a ``sendMessage`` that timed out may have been
delivered, so its handler is not run again. A reply that did get through *before* the
failing call may be sent twice on a re-run: at least once, never zero times.

An update that cannot be handled (a bug in the handler, a call that must not be repeated,
or ``reruns`` attempts used up) is *parked* with its error (:mod:`telewire.updates.parked`)
and the chat moves on: one poison update cannot stall its chat or the confirmed offset.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from telewire.core.retry import RetryPolicy, is_transient
from telewire.core.updates import chat_id_of, order_key, update_kind
from telewire.deadlines import wait_event
from telewire.routing.context import Context, InResponse
from telewire.routing.router import Router, Runtime
from telewire.updates.parked import MemoryParked, ParkedStore

if TYPE_CHECKING:
    from telewire.api._generated.types import Update
    from telewire.client.async_bot import AsyncBot
    from telewire.client.bot import Bot

log = logging.getLogger("telewire.updates")
HANDLED, UNROUTED, RETRY, PARKED = "handled", "unrouted", "retry", "parked"
RERUNS = RetryPolicy(attempts=10, backoff=1.0, max_backoff=30.0, max_retry_after=3600.0)
"""Up to 10 runs of one update over about three minutes of trouble, then it is parked."""


class Dispatcher:
    def __init__(
        self,
        router: Router,
        bot: AsyncBot,
        *,
        concurrency: int = 64,
        on_finished: Callable[[int], None] | None = None,
        sync_workers: int = 8,
        reruns: RetryPolicy = RERUNS,
        parked: ParkedStore | None = None,
    ) -> None:
        self.router = router
        self.bot = bot
        self.on_finished = on_finished
        self.reruns = reruns
        self.parked: ParkedStore = parked if parked is not None else MemoryParked()
        self._slots = asyncio.Semaphore(concurrency)
        self._queues: dict[Any, deque[Update]] = {}
        self._replays: set[int] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        self._sync_workers = sync_workers
        self._executor: ThreadPoolExecutor | None = None
        self._sync_bot: Bot | None = None
        self.runtime = Runtime(None, self._get_sync_bot)
        self._username_wanted = False

    async def start(self, *, lazily: bool = False) -> None:
        """Learn the bot's username (for ``/command@username``).

        ``lazily``: not now but when the first ``/command@someone`` arrives, so a webhook
        app starts without reaching the Bot API (which may be down during a deploy).
        """
        if lazily:
            self._username_wanted = True
            return
        await self._learn_username()

    async def _learn_username(self) -> None:
        me = await self.bot.get_me()
        self.runtime.bot_username = (me.username or "").lower()
        self._username_wanted = False

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

    def submit(self, update: Update, *, replay: bool = False) -> None:
        """Queue ``update`` behind earlier updates of its chat.

        ``replay``: a parked update given another chance; it leaves the parked store once
        it was handled (a crash before then leaves it parked, not lost).
        """
        if replay:
            self._replays.add(update.update_id)
        kind = update_kind(update)
        key: Any = order_key(update, kind)
        if key is None:
            key = ("update", update.update_id)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = deque()
            self._idle.clear()
            asyncio.get_running_loop().create_task(self._work(key, queue))
        queue.append(update)

    async def _work(self, key: Any, queue: deque[Update]) -> None:
        attempt = 1
        try:
            while queue:
                update = queue[0]
                async with self._slots:
                    outcome, error = await self._attempt(update)
                if outcome is RETRY:
                    assert error is not None
                    method = getattr(error, "method", None)
                    wait = self.reruns.delay(method, attempt, error)
                    if wait is not None:
                        log.warning(
                            "update %s: %s; handling it again in %.1fs",
                            *(update.update_id, error, wait),
                        )
                        await asyncio.sleep(wait)
                        attempt += 1
                        continue
                    self._park(update, error, attempt)
                elif outcome is PARKED:
                    assert error is not None
                    self._park(update, error, attempt)
                elif update.update_id in self._replays:
                    self.parked.unpark(update.update_id)
                self._replays.discard(update.update_id)
                attempt = 1
                queue.popleft()
                if self.on_finished is not None:
                    self.on_finished(update.update_id)
        finally:
            del self._queues[key]
            if not self._queues:
                self._idle.set()

    def _park(self, update: Update, error: BaseException, attempts: int) -> None:
        kind = update_kind(update) or "unknown"
        reason = f"{type(error).__name__}: {error}"
        if is_transient(error) and attempts < self.reruns.attempts:
            reason += " (not run again: the failed call may already have taken effect)"
        log.error(
            "update %s (%s) parked after %d attempt(s): %s; see `telewire parked list`",
            update.update_id,
            kind,
            attempts,
            reason,
        )
        try:
            self.parked.park(update, kind, reason, attempts)
        except Exception:  # the log line above still has it; the chat must not stall
            log.exception("could not park update %s", update.update_id)

    async def handle(self, update: Update, in_response: InResponse | None = None) -> str:
        """Route one update now: HANDLED, UNROUTED, RETRY (Telegram trouble) or PARKED (a bug).

        ``in_response``: where the handler's first reply is kept instead of being sent.
        """
        outcome, error = await self._attempt(update, in_response)
        if outcome is PARKED and error is not None:
            self._park(update, error, 1)
        return outcome

    async def _attempt(
        self, update: Update, in_response: InResponse | None = None
    ) -> tuple[str, BaseException | None]:
        kind = update_kind(update)
        if kind is None:
            log.debug("update %s carries nothing telewire knows; skipped", update.update_id)
            return UNROUTED, None
        ctx = Context(update, kind, chat_id_of(update, kind), self.bot, in_response)
        ctx.data["runtime"] = self.runtime
        try:
            if self._username_wanted and _addressed(ctx.text):
                await self._learn_username()
            if await self.router.dispatch(ctx):
                return HANDLED, None
            log.debug("update %s (%s) matched no route; skipped", update.update_id, kind)
            return UNROUTED, None
        except Exception as error:
            if is_transient(error):
                return RETRY, error
            log.exception("a handler failed on update %s (%s)", update.update_id, kind)
            return PARKED, error

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait until every queued update was handled; False if ``timeout`` came first."""
        return await wait_event(self._idle, timeout)

    async def close(self) -> None:
        if self._executor is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown)
        if self._sync_bot is not None:
            self._sync_bot.close()


def _addressed(text: str | None) -> bool:
    """A ``/command@someone``: routing it needs the bot's own username."""
    return text is not None and text[:1] == "/" and "@" in text.partition(" ")[0]
