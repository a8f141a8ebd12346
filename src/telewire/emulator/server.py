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
from pathlib import Path
from typing import Any, NamedTuple

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
from telewire.emulator.uploads import MAX_LOCAL_UPLOAD, MAX_UPLOAD
from telewire.emulator.world import BotState

log = logging.getLogger("telewire.emulator")
TOKEN_PATH = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,128}$")
_encoder = msgspec.json.Encoder()


def failure(code: int, description: str) -> web.Response:
    """An error in Telegram's shape, as an aiohttp response (for aiohttp's own refusals)."""
    answer = Answer.of_failure(code, description)
    return web.Response(status=code, body=answer.body, content_type="application/json")


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


class Answer(NamedTuple):
    """A Bot API answer before any HTTP library sees it.

    ``fate``: "" to send it, "lost" to send half of it and break the connection (the call
    took effect, its reply is lost), "drop" to break the connection without a word.
    """

    status: int
    body: bytes
    fate: str = ""

    @classmethod
    def of_failure(
        cls, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> Answer:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return cls(code, _encoder.encode(body))


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
        local_dir: Path | None = None,
    ) -> None:
        """``local_dir``: behave as ``telegram-bot-api --local`` keeping files there."""
        self.engine = engine or Engine()
        self.engine.local_dir = local_dir
        self.state = state
        self.faults = faults or Faults()
        self.telegram_limits = telegram_limits
        self.limiters: dict[int, FloodLimiter] = {}
        self.pollers: dict[str, Poller] = {}
        self.closing = False
        self.stats: dict[str, Any] = {"requests": 0, "429": 0, "bot_messages": 0, "faults": {}}
        self.stats["test_environment"] = 0  # requests by /bot<token>/test/<method>
        self.version = 0
        """Counts changes a test may wait for (every event, every fault that struck)."""
        self._watchers: list[asyncio.Future[None]] = []
        self._save_pending = False
        self.on_close: list[Callable[[], None]] = []
        self.quick: dict[bytes, Callable[[bytes], Answer]] = {}
        """Control API paths the fast path may answer: a JSON POST body in, an answer out."""
        self.engine.listeners.append(self._wake_pollers)
        largest = MAX_LOCAL_UPLOAD if local_dir is not None else MAX_UPLOAD
        self.app = web.Application(
            client_max_size=largest + 1024 * 1024, middlewares=[json_http_errors]
        )
        self.app.router.add_route("*", "/bot{token}/{method}", self.api)
        # Telegram's test environment: the same API under /test/ (one world serves both).
        self.app.router.add_route("*", "/bot{token}/test/{method}", self.api)
        self.app.router.add_get("/file/bot{token}/test/{path:.+}", self.download)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self.download)
        from telewire.emulator import control_http, webhooks

        self.webhooks = webhooks.WebhookDelivery(self)
        control_http.install(self)

    # -- Bot API -------------------------------------------------------------------

    async def api(self, request: web.Request) -> web.StreamResponse:
        token, name = request.match_info["token"], request.match_info["method"]
        fault, delay, outcome = self.begin(token, "/test/" in request.path)
        if outcome is None:
            try:
                params = await read_params(request)
            except ApiFailure as f:
                outcome = self.refusal(f)
            except ConnectionResetError:  # the client left before sending its whole request
                return web.Response(status=400)
            except Exception:
                log.exception("emulator error reading %s", name)
                outcome = Answer.of_failure(500, "Internal Server Error")
            else:
                outcome = await self.respond(token, name, params, fault, delay)
        if outcome.fate == "drop":
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        answer = web.Response(
            status=outcome.status, body=outcome.body, content_type="application/json"
        )
        if outcome.fate == "lost":
            return await self._lose_reply(request, answer)
        return answer

    # The Bot API call in steps any HTTP front can drive (aiohttp above, fast_path.py):
    # begin() before the body is read, then respond() -- or answer_now() when nothing
    # needs waiting for (not getUpdates, no injected delay).

    def begin(self, token: str, test: bool) -> tuple[str | None, float, Answer | None]:
        """Count the request and pick its fault; an :class:`Answer` when the call ends here."""
        if not TOKEN_PATH.match(token):
            return None, 0.0, Answer.of_failure(404, "Not Found")
        self.stats["requests"] += 1
        if test:
            self.stats["test_environment"] += 1
        fault, delay = self.faults.pick()
        if fault is not None:
            struck = self.stats["faults"]
            struck[fault] = struck.get(fault, 0) + 1
            self.bump()
        if fault == "drop":
            return fault, delay, Answer(500, b"", "drop")
        if fault == "429":
            self.stats["429"] += 1
            f = too_many_requests(self.faults.retry_after)
            return fault, delay, Answer.of_failure(f.code, f.description, f.parameters)
        if fault in ("500", "502"):
            text = "Internal Server Error" if fault == "500" else "Bad Gateway"
            return fault, delay, Answer.of_failure(int(fault), text)
        return fault, delay, None

    @staticmethod
    def waits(name: str, delay: float) -> bool:
        """Whether answering needs the event loop (a long poll, an injected delay)."""
        return bool(delay) or name.lower() == "getupdates"

    async def respond(
        self, token: str, name: str, raw: dict[str, Any], fault: str | None, delay: float
    ) -> Answer:
        if not self.waits(name, delay):
            return self.answer_now(token, name, raw, fault)
        try:
            params = coerce(name, raw)
            bot = self.engine.bot(token)
            if name.lower() == "getupdates":
                result = await self.long_poll(bot, params)
            else:
                result = self._perform(bot, token, name, params)
            if delay:  # the call happened; only its answer is late, as with a slow network
                await asyncio.sleep(delay)
        except ApiFailure as f:
            return self.refusal(f)
        except Exception:
            log.exception("emulator error in %s", name)
            return Answer.of_failure(500, "Internal Server Error")
        return self._outcome(result, fault)

    def answer_now(self, token: str, name: str, raw: dict[str, Any], fault: str | None) -> Answer:
        """Carry out a call that waits for nothing (see :meth:`waits`) and answer it."""
        try:
            params = coerce(name, raw)
            result = self._perform(self.engine.bot(token), token, name, params)
        except ApiFailure as f:
            return self.refusal(f)
        except Exception:
            log.exception("emulator error in %s", name)
            return Answer.of_failure(500, "Internal Server Error")
        return self._outcome(result, fault)

    def _perform(self, bot: BotState, token: str, name: str, params: dict[str, Any]) -> Any:
        if self.telegram_limits and is_sending(name):
            self._admit(bot, params)
        result = self.engine.call(token, name, params)
        self.changed()
        self.bump()  # any method may change what a test waits for (a pin, a title)
        return result

    @staticmethod
    def _outcome(result: Any, fault: str | None) -> Answer:
        if fault == "gateway":  # the call happened; a proxy in front timed out on it
            return Answer.of_failure(502, "Bad Gateway")
        body = _encoder.encode({"ok": True, "result": result})
        return Answer(200, body, "lost" if fault == "lost" else "")

    def refusal(self, f: ApiFailure) -> Answer:
        if f.code == 429:
            self.stats["429"] += 1
        return Answer.of_failure(f.code, f.description, f.parameters)

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
