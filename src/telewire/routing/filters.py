"""Filters: plain predicates over a context, combined with ``&``, ``|`` and ``~``.

from telewire import F
@router.message(F.private & F.from_users(OWNER_ID))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.routing.context import BaseContext

Predicate = Callable[["BaseContext"], Any]


class Filter:
    """A named predicate; ``&``, ``|`` and ``~`` build new filters."""

    __slots__ = ("name", "predicate")

    def __init__(self, predicate: Predicate, name: str | None = None) -> None:
        self.predicate = predicate
        self.name = name or getattr(predicate, "__name__", "filter")

    def __call__(self, ctx: BaseContext) -> bool:
        return bool(self.predicate(ctx))

    def __and__(self, other: Predicate) -> Filter:
        o = as_filter(other)
        return Filter(lambda ctx: self(ctx) and o(ctx), f"({self.name} & {o.name})")

    def __or__(self, other: Predicate) -> Filter:
        o = as_filter(other)
        return Filter(lambda ctx: self(ctx) or o(ctx), f"({self.name} | {o.name})")

    def __invert__(self) -> Filter:
        return Filter(lambda ctx: not self(ctx), f"~{self.name}")

    def __repr__(self) -> str:
        return f"Filter({self.name})"


def as_filter(predicate: Predicate) -> Filter:
    return predicate if isinstance(predicate, Filter) else Filter(predicate)


def _chat_type(ctx: BaseContext) -> str | None:
    chat = ctx.chat
    return chat.type if chat is not None else None


class F:
    """Ready-made filters. Each attribute is a :class:`Filter`; methods build one."""

    private = Filter(lambda ctx: _chat_type(ctx) == "private", "private")
    group = Filter(lambda ctx: _chat_type(ctx) in ("group", "supergroup"), "group")
    channel = Filter(lambda ctx: _chat_type(ctx) == "channel", "channel")
    text = Filter(lambda ctx: ctx.text is not None, "text")
    photo = Filter(lambda ctx: ctx.message is not None and ctx.message.photo is not None, "photo")
    document = Filter(
        lambda ctx: ctx.message is not None and ctx.message.document is not None, "document"
    )
    reply = Filter(
        lambda ctx: ctx.message is not None and ctx.message.reply_to_message is not None, "reply"
    )

    @staticmethod
    def from_users(*user_ids: int) -> Filter:
        allowed = frozenset(user_ids)
        return Filter(
            lambda ctx: ctx.user is not None and ctx.user.id in allowed,
            f"from_users{tuple(allowed)}",
        )

    @staticmethod
    def chats(*chat_ids: int) -> Filter:
        allowed = frozenset(chat_ids)
        return Filter(lambda ctx: ctx.chat_id in allowed, f"chats{tuple(allowed)}")

    @staticmethod
    def chat_type(*types: str) -> Filter:
        allowed = frozenset(types)
        return Filter(lambda ctx: _chat_type(ctx) in allowed, f"chat_type{tuple(allowed)}")

    @staticmethod
    def regex(pattern: str | re.Pattern[str], flags: int = 0) -> Filter:
        compiled = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        return Filter(
            lambda ctx: ctx.text is not None and compiled.search(ctx.text) is not None,
            f"regex({compiled.pattern!r})",
        )
