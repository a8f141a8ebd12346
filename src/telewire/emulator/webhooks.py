"""Webhook delivery: each pending update POSTed to the bot's URL until it answers 2xx.

Updates of one chat go one at a time, in order (the next waits until the previous was
acknowledged); different chats go concurrently, up to the webhook's ``max_connections``.
A failed delivery is retried with backoff (0.2 s doubling to 5 s) while the update stays
pending, as ``getWebhookInfo`` shows. A reply body holding ``{"method": ...}`` is
carried out, and its result is not reported back, as on Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
import msgspec

from telewire.core.retry import backoff
from telewire.core.updates import order_key
from telewire.deadlines import within
from telewire.emulator.errors import ApiFailure
from telewire.emulator.params import coerce, json_value
from telewire.emulator.world import BotState, Pending, Webhook, now

if TYPE_CHECKING:
    from telewire.emulator.server import EmulatorServer

log = logging.getLogger("telewire.emulator.webhooks")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


class WebhookDelivery:
    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.workers: dict[str, asyncio.Task[None]] = {}
        self.wakers: dict[str, asyncio.Event] = {}
        self.session: aiohttp.ClientSession | None = None
        server.engine.listeners.append(self._on_event)

    def _on_event(self, bot: BotState, event: str, payload: dict[str, Any]) -> None:
        if event == "webhook" and bot.webhook is not None:
            self.start(bot)
        waker = self.wakers.get(bot.token)
        if waker is not None:
            waker.set()

    def start(self, bot: BotState) -> None:
        task = self.workers.get(bot.token)
        if task is None or task.done():
            self.workers[bot.token] = asyncio.get_running_loop().create_task(self._work(bot))

    def resume_all(self) -> None:
        """Start delivery for bots whose webhook survived a restart (--state)."""
        for bot in self.server.engine.world.bots.values():
            if bot.webhook is not None:
                self.start(bot)

    async def _work(self, bot: BotState) -> None:
        if self.session is None:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        waker = self.wakers.setdefault(bot.token, asyncio.Event())
        busy: set[Any] = set()
        tasks: set[asyncio.Task[None]] = set()
        while bot.webhook is not None:
            hook = bot.webhook
            waker.clear()
            for pending in list(bot.pending):
                if len(tasks) >= hook.max_connections:
                    break
                key = order_key(pending.update, pending.kind)
                if key in busy:
                    continue
                busy.add(key)
                task = asyncio.get_running_loop().create_task(self._deliver(bot, hook, pending))
                tasks.add(task)
                task.add_done_callback(functools.partial(_release, busy, key, tasks, waker))
            with contextlib.suppress(asyncio.TimeoutError):
                await within(waker.wait(), 1.0)
        for task in tasks:
            task.cancel()

    async def _deliver(self, bot: BotState, hook: Webhook, pending: Pending) -> None:
        assert self.session is not None
        body = msgspec.json.encode(pending.update)
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        attempt = 0
        while bot.webhook is hook and pending in bot.pending:
            uid = pending.update.update_id
            bot.delivered(uid)
            try:
                async with self.session.post(hook.url, data=body, headers=headers) as response:
                    answer = await response.read()
                    if 200 <= response.status < 300:
                        bot.pending.remove(pending)
                        self._run_reply_method(bot, answer)
                        self.server.changed()
                        return
                    problem = (
                        f"Wrong response from the webhook: {response.status} {response.reason}"
                    )
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                problem = f"Connection failed: {type(exc).__name__}"
            hook.last_error_date, hook.last_error_message = now(), problem
            await asyncio.sleep(backoff(attempt + 1, first=0.2, cap=5.0))
            attempt += 1

    def _run_reply_method(self, bot: BotState, answer: bytes) -> None:
        if not answer.strip():
            return
        try:
            data = json_value(answer, "the webhook's reply")
        except ApiFailure:  # not JSON: an answer, not a method call
            return
        if not isinstance(data, dict) or not isinstance(data.get("method"), str):
            return
        name = data.pop("method")
        try:
            self.server.engine.call(bot.token, name, coerce(name, data))
        except ApiFailure as failure:
            log.info("method %s from a webhook reply failed: %s", name, failure.description)

    async def stop(self) -> None:
        for task in self.workers.values():
            task.cancel()
        for task in self.workers.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.session is not None:
            await self.session.close()


def _release(
    busy: set[Any],
    key: Any,
    tasks: set[asyncio.Task[None]],
    waker: asyncio.Event,
    task: asyncio.Task[None],
) -> None:
    """A delivery ended: its chat may take the next update."""
    busy.discard(key)
    tasks.discard(task)
    waker.set()
