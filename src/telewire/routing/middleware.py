"""Middlewares people need first. A middleware is ``async def mw(ctx, call_next)``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from telewire.routing.context import Context

log = logging.getLogger("telewire.routing")


def owner_only(
    ids: Iterable[int], *, refusal: str | None = "Sorry, this bot only serves its owner."
) -> Callable[[Context, Callable[[], Awaitable[bool]]], Awaitable[Any]]:
    """Serve only updates from these chat or user ids; answer others with ``refusal``.

    Button presses from strangers get ``refusal`` as an alert; other updates from them
    (joins, edits) are dropped silently. Pass ``refusal=None`` to stay silent always.
    """
    allowed = frozenset(int(i) for i in ids)

    async def middleware(ctx: Context, call_next: Callable[[], Awaitable[bool]]) -> Any:
        user = ctx.user
        if ctx.chat_id in allowed or (user is not None and user.id in allowed):
            return await call_next()
        log.info("ignored a %s update from chat %s (not an owner)", ctx.kind, ctx.chat_id)
        if refusal is not None:
            if ctx.callback_query is not None:
                await ctx.answer(refusal, show_alert=True)
            elif ctx.kind == "message" and ctx.chat is not None and ctx.chat.type == "private":
                await ctx.reply(refusal)
        return True

    return middleware
