"""The emulator over HTTP: ``/bot<token>/<method>``, file downloads, long polling.

The control API, event stream and page are added by :mod:`telewire.emulator.control_http`,
webhook delivery by :mod:`telewire.emulator.webhooks`. This module owns the Bot API face
and the server's life cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import re
import time
from collections.abc import Callable
from typing import Any

import msgspec
from aiohttp import web

from telewire.core.flood import FloodLimiter, is_sending
from telewire.deadlines import wait_event, within
from telewire.emulator import errors as e
from telewire.emulator.bodies import read_params
from telewire.emulator.engine import Call, Engine
from telewire.emulator.errors import ApiFailure, too_many_requests
from telewire.emulator.faults import Faults
from telewire.emulator.methods.updates import get_updates, poll_limit, poll_timeout
from telewire.emulator.params import coerce
from telewire.emulator.persistence import StateFile
from telewire.emulator.uploads import MAX_UPLOAD
from telewire.emulator.world import BotState

log = logging.getLogger("telewire.emulator")
TOKEN_PATH = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,128}$")
_encoder = msgspec.json.Encoder()


def reply(result: Any) -> web.Response:
    return web.Response(
        body=_encoder.encode({"ok": True, "result": result}), content_type="application/json"
    )


def failure(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.Response(status=code, body=_encoder.encode(body), content_type="application/json")


@web.middleware
async def json_http_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """aiohttp's own refusals (no such route, wrong verb) in Telegram's JSON error shape."""
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return failure(exc.status, exc.reason)
    return response


class Poller:
    __slots__ = ("event", "superseded")

    def __init__(self) -> None:
        self.event = asyncio.Event()
        self.superseded = False


class EmulatorServer:
    """The emulator's aiohttp application and everything that runs beside it."""

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        state: StateFile | None = None,
        faults: Faults | None = None,
        telegram_limits: bool = False,
    ) -> None:
        self.engine = engine or Engine()
        self.state = state
        self.faults = faults or Faults()
        self.telegram_limits = telegram_limits
        self.limiters: dict[int, FloodLimiter] = {}
        self.pollers: dict[str, Poller] = {}
        self.closing = False
        self.stats: dict[str, Any] = {"requests": 0, "429": 0, "bot_messages": 0, "faults": {}}
        self.version = 0
        """Counts changes a test may wait for (every event, every fault that struck)."""
        self._watchers: list[asyncio.Future[None]] = []
        self._save_pending = False
        self.on_close: list[Callable[[], None]] = []
        self.engine.listeners.append(self._wake_pollers)
        self.app = web.Application(
            client_max_size=MAX_UPLOAD + 1024 * 1024, middlewares=[json_http_errors]
        )
        self.app.router.add_route("*", "/bot{token}/{method}", self.api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self.download)
        from telewire.emulator import control_http, webhooks

        self.webhooks = webhooks.WebhookDelivery(self)
        control_http.install(self)

    # -- Bot API -------------------------------------------------------------------

    async def api(self, request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        if not TOKEN_PATH.match(token):
            return failure(404, "Not Found")
        self.stats["requests"] += 1
        fault, delay = self.faults.pick()
        if fault is not None:
            struck = self.stats["faults"]
            struck[fault] = struck.get(fault, 0) + 1
            self.bump()
        if fault == "drop":
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        if fault == "429":
            self.stats["429"] += 1
            f = too_many_requests(self.faults.retry_after)
            return failure(f.code, f.description, f.parameters)
        if fault in ("500", "502"):
            text = "Internal Server Error" if fault == "500" else "Bad Gateway"
            return failure(int(fault), text)
        try:
            params = coerce(name, await read_params(request))
            bot = self.engine.bot(token)
            if self.telegram_limits and is_sending(name):
                self._admit(bot, params)
            if name.lower() == "getupdates":
                result = await self.long_poll(bot, params)
            else:
                result = self.engine.call(token, name, params)
                self.changed()
                self.bump()  # any method may change what a test waits for (a pin, a title)
            if delay:  # the call happened; only its answer is late, as with a slow network
                await asyncio.sleep(delay)
            if fault == "gateway":  # the call happened; a proxy in front timed out on it
                return failure(502, "Bad Gateway")
            if fault == "lost":
                return await self._lose_reply(request, reply(result))
            return reply(result)
        except ApiFailure as f:
            if f.code == 429:
                self.stats["429"] += 1
            return failure(f.code, f.description, f.parameters)
        except ConnectionResetError:  # the client left before sending its whole request
            return web.Response(status=400)
        except Exception:
            log.exception("emulator error in %s", name)
            return failure(500, "Internal Server Error")

    async def _lose_reply(self, request: web.Request, answer: web.Response) -> web.StreamResponse:
        """Send the head and half the body of ``answer``, then break the connection."""
        body = answer.body if isinstance(answer.body, bytes) else b""
        lost = web.StreamResponse(
            status=answer.status, headers={"Content-Type": "application/json"}
        )
        lost.content_length = len(body)
        await lost.prepare(request)
        await lost.write(body[: len(body) // 2])
        if request.transport is not None:
            request.transport.abort()
        return lost

    def _admit(self, bot: BotState, params: dict[str, Any]) -> None:
        limiter = self.limiters.setdefault(bot.id, FloodLimiter())
        chat_id = params.get("chat_id")
        chat = bot.chats.get(chat_id) if isinstance(chat_id, int) else None
        group = chat is not None and chat.chat.type != "private"
        wait = limiter.admit(chat_id, group)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))

    async def long_poll(self, bot: BotState, params: dict[str, Any]) -> list[Any]:
        """getUpdates: answer at once if anything is pending, else wait up to ``timeout``."""
        previous = self.pollers.get(bot.token)
        if previous is not None:
            previous.superseded = True
            previous.event.set()
        poller = self.pollers[bot.token] = Poller()
        try:
            call = Call(self.engine, bot, "getUpdates", params)
            batch = get_updates(call)
            self.changed()
            deadline = time.monotonic() + poll_timeout(call)
            while not batch:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                poller.event.clear()
                if not await wait_event(poller.event, remaining):
                    return []
                if self.closing:
                    return []
                if poller.superseded:
                    raise ApiFailure(409, e.CONFLICT_POLLING)
                if bot.webhook is not None:
                    raise ApiFailure(409, e.CONFLICT_WEBHOOK)
                batch = bot.take(poll_limit(call))
            return list(batch)
        finally:
            if self.pollers.get(bot.token) is poller:
                del self.pollers[bot.token]

    def bump(self) -> None:
        """Something changed: wake whoever waits in :meth:`changes`."""
        self.version += 1
        watchers, self._watchers = self._watchers, []
        for watcher in watchers:
            if not watcher.done():
                watcher.set_result(None)

    async def changes(self, since: int, timeout: float) -> int:
        """The version once it passes ``since``, or after ``timeout`` seconds: tests wait on
        this instead of asking again every few milliseconds."""
        if self.version <= since and not self.closing:
            watcher = asyncio.get_running_loop().create_future()
            self._watchers.append(watcher)
            with contextlib.suppress(asyncio.TimeoutError):
                await within(watcher, timeout)
        return self.version

    def _wake_pollers(self, bot: BotState, event: str, payload: dict[str, Any]) -> None:
        self.bump()
        if event == "message" and payload["message"].from_user is not None:
            self.stats["bot_messages"] += payload["message"].from_user.is_bot
        if event in ("update", "webhook"):
            poller = self.pollers.get(bot.token)
            if poller is not None:
                poller.event.set()

    async def download(self, request: web.Request) -> web.StreamResponse:
        token, path = request.match_info["token"], request.match_info["path"]
        bot = self.engine.world.bots.get(token)
        if bot is None:
            return failure(401, "Unauthorized")
        for record in bot.files.values():
            if record.file_path == path:
                return web.Response(body=record.data, content_type=record.mime_type)
        return failure(404, "Not Found")

    # -- persistence -----------------------------------------------------------------

    def changed(self) -> None:
        """Note a change of the world; with --state it is saved shortly after."""
        if self.state is None or self._save_pending:
            return
        self._save_pending = True
        asyncio.get_running_loop().call_later(0.2, self.save)

    def save(self) -> None:
        self._save_pending = False
        if self.state is not None:
            self.state.save(self.engine.world)

    async def close(self) -> None:
        self.closing = True
        self.bump()
        for hook in self.on_close:
            hook()
        for poller in self.pollers.values():
            poller.event.set()
        await self.webhooks.stop()
        if self.state is not None:
            self.save()
            self.state.close()
