"""Receiving updates by webhook: an ASGI app (run it under uvicorn or any ASGI server).

    app = WebhookApp(router, secret_token=os.environ["WEBHOOK_SECRET"])
    # uvicorn mymodule:app --port 8443 ; then once: await app.register("https://host/")

Requests must carry Telegram's ``X-Telegram-Bot-Api-Secret-Token`` header (compared in
constant time; 403 otherwise); a body that is not an Update gets 400. A valid update is
acknowledged at once and handled in the background, in order per chat. With
``ack_after_handling=True`` the reply waits for the handler instead, so an update whose
handling crashed the process is delivered again by Telegram.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import msgspec

from telewire.updates.dispatcher import Dispatcher

if TYPE_CHECKING:
    from telewire.client.async_bot import AsyncBot
    from telewire.routing.router import Router

log = logging.getLogger("telewire.webhook")
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
SECRET_HEADER = b"x-telegram-bot-api-secret-token"
MAX_BODY = 1024 * 1024


class WebhookApp:
    def __init__(
        self,
        router: Router,
        *,
        bot: AsyncBot | None = None,
        secret_token: str | None = None,
        concurrency: int = 64,
        ack_after_handling: bool = False,
        proxy: str | None = None,
        test_environment: bool = False,
    ) -> None:
        """``proxy`` and ``test_environment`` shape the bot made when none is given (it
        registers the webhook with :meth:`register`, in the test environment if asked)."""
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
        self._dispatcher: Dispatcher | None = None
        self._decoder: msgspec.json.Decoder[Any] | None = None

    @property
    def bot(self) -> AsyncBot:
        if self._bot is None:
            from telewire.client.async_bot import AsyncBot

            self._bot = AsyncBot(**self._bot_options)
        return self._bot

    async def register(self, url: str, **options: Any) -> bool:
        """Point the bot's webhook at ``url`` with this app's secret token."""
        return await self.bot.set_webhook(url=url, secret_token=self.secret_token, **options)  # type: ignore[no-any-return]

    async def unregister(self, *, drop_pending_updates: bool = False) -> bool:
        return await self.bot.delete_webhook(drop_pending_updates=drop_pending_updates)  # type: ignore[no-any-return]

    async def startup(self) -> None:
        if self._dispatcher is None:
            from telewire.api._generated.types import Update
            from telewire.core import typed

            self._decoder = typed.decoder(Update)
            self._dispatcher = Dispatcher(self.router, self.bot, concurrency=self.concurrency)
            await self._dispatcher.start()

    async def shutdown(self) -> None:
        if self._dispatcher is not None:
            await self._dispatcher.drain(10)
            await self._dispatcher.close()
            self._dispatcher = None
        if self._bot is not None and self._owns_bot:
            await self._bot.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            await _respond(send, 405, b"use POST")
            return
        given = dict(scope.get("headers") or []).get(SECRET_HEADER, b"")
        if not hmac.compare_digest(given, self._secret):
            await _respond(send, 403, b"wrong or missing secret token")
            return
        body = await _read_body(receive)
        if body is None:
            await _respond(send, 413, b"body too large")
            return
        await self.startup()
        assert self._decoder is not None and self._dispatcher is not None
        try:
            body.decode()  # Telegram sends UTF-8; msgspec would skip a bad unknown field unread
            update = self._decoder.decode(body)
        except (UnicodeDecodeError, msgspec.DecodeError, RecursionError) as exc:
            why = "too deeply nested" if isinstance(exc, RecursionError) else str(exc)
            log.warning("webhook: answered 400 to a body that is not a Telegram Update: %s", why)
            await _respond(send, 400, f"not a Telegram Update: {why}".encode())
            return
        if self.ack_after_handling:
            if await self._dispatcher.handle(update) == "retry":
                await _respond(send, 503, b"Telegram is unreachable; send it again later")
                return
        else:
            self._dispatcher.submit(update)
        await _respond(send, 200, b"")

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


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
