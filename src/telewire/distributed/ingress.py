"""The webhook ingress: an ASGI app that appends each update to Redis, then answers 200.

    app = IngressApp(redis_client, Layout.for_bot(bot_id), secret_token=secret)
    # uvicorn mymodule:app   (any number of replicas behind a load balancer)

It handles nothing: Telegram gets its 200 only after the update is in its partition
stream (and, with ``replicas``, on that many replicas), so an answered update is never
lost. When Redis cannot take it the answer is 503 and Telegram sends it again later; its
second arrival, or a retry of one that did get in, is dropped by ``update_id``. The
request checks (POST only, secret token in constant time, body size) are the ones
:class:`~telewire.updates.webhook.WebhookApp` makes.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from telewire.distributed.appender import Appender, NotReplicated
from telewire.distributed.layout import Layout
from telewire.distributed.metrics import Metrics
from telewire.updates.webhook import Receive, Scope, Send, _respond, admitted_body

log = logging.getLogger("telewire.distributed")


class IngressApp:
    def __init__(
        self,
        client: Any,
        layout: Layout,
        *,
        secret_token: str | None = None,
        replicas: int = 0,
        dedup_window: float | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        options: dict[str, Any] = {"replicas": replicas}
        if dedup_window is not None:
            options["dedup_window"] = dedup_window
        self.appender = Appender(client, layout, **options)
        self.secret_token = secret_token or secrets.token_urlsafe(32)
        self._secret = self.secret_token.encode()
        self.metrics = metrics or Metrics()
        self._refusing = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        body = await admitted_body(scope, receive, send, self._secret)
        if body is None:
            return
        try:
            update = self.appender.decode(body)
        except ValueError as exc:
            log.warning("ingress: answered 400 to a body that is %s", exc)
            await _respond(send, 400, str(exc).encode())
            return
        status, text = await self._append(body, update)
        await _respond(send, status, text)

    async def _append(self, body: bytes, update: Any) -> tuple[int, bytes]:
        import redis.exceptions

        try:
            fresh = await self.appender.append(body, update)
        except (redis.exceptions.RedisError, OSError, NotReplicated) as exc:
            self.metrics.count("telewire_ingress_refused_total")
            if not self._refusing:  # one line per outage, not one per request
                log.error("ingress: Redis cannot take updates (%s); answering 503", exc)
                self._refusing = True
            return 503, b"cannot store the update now; send it again later"
        if self._refusing:
            log.warning("ingress: Redis takes updates again")
            self._refusing = False
        self.metrics.count(
            "telewire_updates_in_total" if fresh else "telewire_updates_duplicate_total"
        )
        return 200, b""
