"""Receiving updates by webhook: an ASGI app (run it under uvicorn or any ASGI server).

    app = WebhookApp(router, secret_token=os.environ["WEBHOOK_SECRET"])
    # uvicorn mymodule:app --port 8443 ; then once: await app.register("https://host/")

Requests must carry Telegram's ``X-Telegram-Bot-Api-Secret-Token`` header (compared in
constant time; 403 otherwise); a body that is not an Update gets 400.

Nothing acknowledged is lost. Telegram forgets an update once it got a 200, so a valid
update is first written to the *inbox* (:mod:`telewire.updates.inbox`, a SQLite file by
default, group-committed), then acknowledged, handled in the background in order per chat,
and marked done. A process killed in between finishes the inbox on its next start, in
order per chat; the only repeats are updates that were in flight.

At most ``max_queued`` updates wait in memory; beyond that the app answers 503 (and logs
it), and Telegram sends the update again later: a burst cannot grow memory without bound,
and nothing is dropped.

Two modes handle each update within its request instead (Telegram keeps the update until
the answer, so no inbox is needed, but a slow handler holds Telegram's connection):
``ack_after_handling=True``, and ``reply_in_response=True``, which also carries the
handler's first ``ctx.reply()`` in the 200 answer as ``{"method": "sendMessage", ...}``
(one request saved; the bot never learns that message's id, and a reply Telegram rejects
fails silently).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from telewire.updates.dispatcher import RETRY, Dispatcher
from telewire.updates.inbox import Inbox, MemoryInbox, SQLiteInbox

if TYPE_CHECKING:
    from telewire.client.async_bot import AsyncBot
    from telewire.core.files import InputFile
    from telewire.routing.router import Router

log = logging.getLogger("telewire.webhook")
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
SECRET_HEADER = b"x-telegram-bot-api-secret-token"
MAX_BODY = 1024 * 1024
TEXT = b"text/plain; charset=utf-8"
JSON = b"application/json"


def default_inbox(bot_id: int) -> Path:
    """Where a bot's webhook inbox lives unless told: the state directory."""
    from telewire.paths import state_dir

    return state_dir() / f"webhook-{bot_id}.inbox.db"


class WebhookApp:
    """An ASGI app that receives Telegram's webhook requests and routes them, losing none.

    Each update is kept in the inbox before the 200, handled in order per chat, then marked
    done; see the module's docstring for the guarantees and the opt-ins.
    """

    def __init__(
        self,
        router: Router,
        *,
        bot: AsyncBot | None = None,
        secret_token: str | None = None,
        concurrency: int = 64,
        inbox: str | Path | Inbox | bool = True,
        fsync: bool = False,
        max_queued: int = 1000,
        ack_after_handling: bool = False,
        reply_in_response: bool = False,
        proxy: str | None = None,
        test_environment: bool = False,
    ) -> None:
        """``inbox``: a file (SQLite), an :class:`~telewire.updates.inbox.Inbox`, True for
        ``<state dir>/webhook-<bot id>.inbox.db``, or False to keep updates in memory only
        (faster; a crash loses the acknowledged updates not yet handled). ``fsync``: make
        every inbox commit survive a power cut too (slower). ``max_queued``: updates that
        may wait in memory before the app answers 503 so Telegram retries later.
        ``ack_after_handling`` / ``reply_in_response``: handle within the request instead
        (no inbox; see the module's docstring for what each costs). ``proxy`` and
        ``test_environment`` shape the bot made when none is given (:meth:`register` then
        sets the webhook in the test environment)."""
        if max_queued < 1:
            raise ValueError(f"max_queued must be at least 1, not {max_queued}")
        self.router = router
        self._bot = bot
        self._bot_options: dict[str, Any] = {
            "proxy": proxy,
            "test_environment": test_environment,
        }
        self._owns_bot = bot is None  # a bot we were given is the caller's to close
        self.secret_token = secret_token or secrets.token_urlsafe(32)
        self._secret = self.secret_token.encode()
        self.concurrency = concurrency
        self.ack_after_handling = ack_after_handling
        self.reply_in_response = reply_in_response
        self.max_queued = max_queued
        self.fsync = fsync
        self._inbox_option = inbox
        self.inbox: Inbox | None = None
        self.queued = 0
        """Updates acknowledged (or being kept) and not yet handled."""
        self._refused = 0
        self._dispatcher: Dispatcher | None = None
        self._decoder: msgspec.json.Decoder[Any] | None = None
        self._starting: asyncio.Task[None] | None = None

    @property
    def bot(self) -> AsyncBot:
        if self._bot is None:
            from telewire.client.async_bot import AsyncBot

            self._bot = AsyncBot(**self._bot_options)
        return self._bot

    @property
    def in_request(self) -> bool:
        """Updates are handled within their request (no inbox, no queue)."""
        return self.ack_after_handling or self.reply_in_response

    async def register(
        self,
        url: str,
        *,
        certificate: InputFile | None = None,
        ip_address: str | None = None,
        max_connections: int | None = None,
        allowed_updates: list[str] | None = None,
        drop_pending_updates: bool | None = None,
    ) -> bool:
        """Point the bot's webhook at ``url`` with this app's secret token (setWebhook)."""
        return await self.bot.set_webhook(  # type: ignore[no-any-return]
            url=url,
            secret_token=self.secret_token,
            certificate=certificate,
            ip_address=ip_address,
            max_connections=max_connections,
            allowed_updates=allowed_updates,
            drop_pending_updates=drop_pending_updates,
        )

    async def unregister(self, *, drop_pending_updates: bool = False) -> bool:
        return await self.bot.delete_webhook(drop_pending_updates=drop_pending_updates)  # type: ignore[no-any-return]

    # -- starting and stopping ---------------------------------------------------------

    async def startup(self) -> None:
        """Open the inbox and handle what it still holds; the Bot API is not reached."""
        if self._dispatcher is not None:
            return
        if self._starting is None:
            self._starting = asyncio.get_running_loop().create_task(self._start())
        try:
            await asyncio.shield(self._starting)
        except BaseException:
            self._starting = None
            raise

    async def _start(self) -> None:
        from telewire.api._generated.types import Update
        from telewire.core import typed
        from telewire.updates.parked import open_parked, parked_path

        decoder = typed.decoder(Update)
        inbox = self._open_inbox()
        where = getattr(inbox, "path", None)
        parked = open_parked(parked_path(where) if where else None, self.bot.token.bot_id)
        dispatcher = Dispatcher(
            self.router,
            self.bot,
            concurrency=self.concurrency,
            on_finished=self._finished,
            parked=parked,
        )
        await dispatcher.start(lazily=True)
        leftovers = await inbox.unfinished()
        self.inbox, self._decoder, self._dispatcher = inbox, decoder, dispatcher
        for body in leftovers:
            dispatcher.submit(decoder.decode(body))
            self.queued += 1
        if leftovers:
            log.warning(
                "webhook: %d update(s) acknowledged before a restart but not handled; "
                "handling them now, in order per chat",
                len(leftovers),
            )

    def _open_inbox(self) -> Inbox:
        option = self._inbox_option
        if option is False or self.in_request:
            return MemoryInbox()
        if option is True:
            return SQLiteInbox(default_inbox(self.bot.token.bot_id), fsync=self.fsync)
        if isinstance(option, (str, Path)):
            return SQLiteInbox(option, fsync=self.fsync)
        return option

    async def shutdown(self) -> None:
        """Let handlers finish (10 s at most); what is left stays in the inbox for later."""
        dispatcher, inbox = self._dispatcher, self.inbox
        self._dispatcher, self._starting = None, None
        if dispatcher is not None:
            await dispatcher.drain(10)
            await dispatcher.close()
        self.inbox = None  # a handler still running past the drain is repeated next start
        if inbox is not None:
            await inbox.close()
        if self._bot is not None and self._owns_bot:
            await self._bot.close()

    def _finished(self, update_id: int) -> None:
        self.queued -= 1
        if self.inbox is not None:
            self.inbox.done(update_id)
        if self._refused and self.queued <= self.max_queued // 2:  # one line per episode
            log.info(
                "webhook: accepting updates again (%d request(s) were answered 503 meanwhile)",
                self._refused,
            )
            self._refused = 0

    # -- requests -------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await admitted_body(scope, receive, send, self._secret)
        if body is None:
            return
        await self.startup()
        decoder, dispatcher, inbox = self._decoder, self._dispatcher, self.inbox
        assert decoder is not None and dispatcher is not None and inbox is not None
        try:
            body.decode()  # Telegram sends UTF-8; msgspec would skip a bad unknown field unread
            update = decoder.decode(body)
        except (UnicodeDecodeError, msgspec.DecodeError, RecursionError) as exc:
            why = "too deeply nested" if isinstance(exc, RecursionError) else str(exc)
            log.warning("webhook: answered 400 to a body that is not a Telegram Update: %s", why)
            await _respond(send, 400, f"not a Telegram Update: {why}".encode())
            return
        if self.in_request:
            await self._handle_now(send, dispatcher, update)
            return
        if self.queued >= self.max_queued:
            if not self._refused:
                log.warning(
                    "webhook: %d updates wait to be handled (max_queued); answering 503 so "
                    "Telegram sends the next ones again later",
                    self.queued,
                )
            self._refused += 1
            await _respond(send, 503, b"too many updates waiting; send it again later")
            return
        self.queued += 1
        try:
            fresh = await inbox.keep(update.update_id, body)
        except Exception:  # logged by the inbox; Telegram keeps the update and retries
            self.queued -= 1
            await _respond(send, 503, b"cannot store the update now; send it again later")
            return
        if fresh:
            dispatcher.submit(update)
        else:  # a redelivery of an update already kept: acknowledge, do not repeat it
            self.queued -= 1
        await _respond(send, 200, b"")

    async def _handle_now(self, send: Send, dispatcher: Dispatcher, update: Any) -> None:
        from telewire.routing.context import InResponse

        slot = InResponse() if self.reply_in_response else None
        if await dispatcher.handle(update, slot) == RETRY:
            await _respond(send, 503, b"Telegram is unreachable; send it again later")
            return
        answer = slot.body() if slot is not None else b""
        await _respond(send, 200, answer, JSON if answer else TEXT)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def admitted_body(scope: Scope, receive: Receive, send: Send, secret: bytes) -> bytes | None:
    """The body of a request Telegram could have sent (a POST carrying the secret, of a
    sane size); None once anything else was answered (405, 403, 413). Shared by every
    ASGI app that receives updates: this one and the distributed ingress."""
    if scope["method"] != "POST":
        await _respond(send, 405, b"use POST")
        return None
    given = dict(scope.get("headers") or []).get(SECRET_HEADER, b"")
    if not hmac.compare_digest(given, secret):
        await _respond(send, 403, b"wrong or missing secret token")
        return None
    body = await _read_body(receive)
    if body is None:
        await _respond(send, 413, b"body too large")
    return body


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Send, status: int, body: bytes, content_type: bytes = TEXT) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
