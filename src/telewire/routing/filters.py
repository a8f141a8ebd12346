"""Filters: plain predicates over a context, combined with ``&``, ``|`` and ``~``.

from telewire import F
@router.message(F.private & F.from_users(OWNER_ID))
@router.message(F.text.startswith("order ") & ~F.forwarded)
@router.message(F.content("photo", "document") | F.entity("url"))
@router.message(F.field("from_user.language_code").in_({"de", "at"}))

Any callable taking the context is a filter too (``lambda ctx: ...``); ``F.user(pred)``
and ``F.message(pred)`` hand it the user or message instead, None-safe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from telewire.api._generated import types as t

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


class Value(Filter):
    """A value read from the update; as a filter, true when the value is there (not None).

    Its methods build filters on the value: ``F.text.startswith("/")``, ``F.text.in_({...})``,
    ``F.field("from_user.id") == 42``. Each is false, not an error, when the value is missing.
    """

    __slots__ = ("read",)

    def __init__(self, read: Callable[[BaseContext], Any], name: str) -> None:
        super().__init__(lambda ctx: read(ctx) is not None, name)
        self.read = read

    def test(self, check: Callable[[Any], Any], name: str) -> Filter:
        """A filter that is ``check(value)`` when the value is there."""
        read = self.read

        def passes(ctx: BaseContext) -> bool:
            value = read(ctx)
            return value is not None and bool(check(value))

        return Filter(passes, f"{self.name}.{name}")

    def __eq__(self, other: object) -> Filter:  # type: ignore[override]
        return self.test(lambda value: value == other, f"=={other!r}")

    def __ne__(self, other: object) -> Filter:  # type: ignore[override]
        return ~(self == other)

    __hash__ = Filter.__hash__

    def startswith(self, *prefixes: str, ignore_case: bool = False) -> Filter:
        wanted = tuple(p.casefold() for p in prefixes) if ignore_case else prefixes
        return self.test(
            lambda v: (v.casefold() if ignore_case else v).startswith(wanted),
            f"startswith{prefixes}",
        )

    def endswith(self, *suffixes: str, ignore_case: bool = False) -> Filter:
        wanted = tuple(p.casefold() for p in suffixes) if ignore_case else suffixes
        return self.test(
            lambda v: (v.casefold() if ignore_case else v).endswith(wanted),
            f"endswith{suffixes}",
        )

    def contains(self, part: Any, *, ignore_case: bool = False) -> Filter:
        if ignore_case:
            folded = str(part).casefold()
            return self.test(lambda v: folded in v.casefold(), f"contains({part!r}, i)")
        return self.test(lambda v: part in v, f"contains({part!r})")

    def in_(self, options: Collection[Any], *, ignore_case: bool = False) -> Filter:
        """The value is one of ``options`` (texts compared case-folded with ``ignore_case``)."""
        if ignore_case:
            folded = frozenset(str(o).casefold() for o in options)
            return self.test(lambda v: str(v).casefold() in folded, "in_(..., i)")
        allowed = frozenset(options)
        return self.test(lambda v: v in allowed, f"in_({sorted(map(str, allowed))})")

    def regex(self, pattern: str | re.Pattern[str], flags: int = 0) -> Filter:
        compiled = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        return self.test(
            lambda v: compiled.search(str(v)) is not None, f"regex({compiled.pattern!r})"
        )

    def func(self, check: Callable[[Any], Any]) -> Filter:
        """Any test of the value: ``F.text.func(str.isdigit)``."""
        return self.test(check, f"func({getattr(check, '__name__', 'check')})")

    def len(self, low: int = 0, high: int | None = None) -> Filter:
        """The value's length is within ``low``..``high`` (inclusive)."""
        return self.test(
            lambda v: low <= len(v) and (high is None or len(v) <= high), f"len({low}, {high})"
        )


def _own_message(ctx: BaseContext) -> t.Message | None:
    """The update's own message (not the one a pressed button is under)."""
    payload = getattr(ctx.update, ctx.kind, None)
    return payload if isinstance(payload, t.Message) else None


def _has(kind: str, name: str | None = None) -> Filter:
    return Filter(lambda ctx: getattr(_own_message(ctx), kind, None) is not None, name or kind)


def _replies_to_this_bot(ctx: BaseContext) -> bool:
    message = _own_message(ctx)
    replied = message.reply_to_message if message is not None else None
    author = replied.from_user if replied is not None else None
    if author is None or not author.is_bot:
        return False
    runtime = ctx.data.get("runtime")
    username = getattr(runtime, "bot_username", "")
    return not username or (author.username or "").lower() == username


def _chat_type(ctx: BaseContext) -> str | None:
    chat = ctx.chat
    return chat.type if chat is not None else None


class F:
    """Ready-made filters. Each attribute is a :class:`Filter`; methods build one."""

    private = Filter(lambda ctx: _chat_type(ctx) == "private", "private")
    group = Filter(lambda ctx: _chat_type(ctx) in ("group", "supergroup"), "group")
    channel = Filter(lambda ctx: _chat_type(ctx) == "channel", "channel")
    text = Value(lambda ctx: ctx.text, "text")
    caption = Value(lambda ctx: getattr(_own_message(ctx), "caption", None), "caption")
    data = Value(lambda ctx: ctx.callback_data, "data")
    """The pressed button's callback data (``F.data.startswith("vote:")``)."""
    photo = _has("photo")
    document = _has("document")
    location = _has("location")
    contact = _has("contact")
    sticker = _has("sticker")
    voice = _has("voice")
    video = _has("video")
    audio = _has("audio")
    animation = _has("animation")
    poll = _has("poll")
    reply = Filter(
        lambda ctx: ctx.message is not None and ctx.message.reply_to_message is not None, "reply"
    )
    forwarded = _has("forward_origin", "forwarded")
    reply_to_bot = Filter(lambda ctx: _replies_to_this_bot(ctx), "reply_to_bot")
    """A reply to one of this bot's own messages (by its username when known)."""
    topic = Filter(lambda ctx: bool(getattr(_own_message(ctx), "is_topic_message", None)), "topic")

    @staticmethod
    def content(*kinds: str) -> Filter:
        """A message carrying any of ``kinds`` (``"photo"``, ``"document"``, ``"location"``...)."""
        unknown = [k for k in kinds if k not in t.Message.__struct_fields__]
        if unknown or not kinds:
            raise ValueError(f"not message content: {unknown or 'nothing given'}")
        return Filter(
            lambda ctx: any(getattr(_own_message(ctx), k, None) is not None for k in kinds),
            f"content{kinds}",
        )

    @staticmethod
    def entity(*types: str) -> Filter:
        """Text or a caption with an entity of any of ``types`` (``"url"``, ``"mention"``...)."""
        wanted = frozenset(types)

        def has(ctx: BaseContext) -> bool:
            message = _own_message(ctx)
            if message is None:
                return False
            entities = [*(message.entities or ()), *(message.caption_entities or ())]
            return any(e.type in wanted for e in entities)

        return Filter(has, f"entity{tuple(types)}")

    @staticmethod
    def field(path: str) -> Value:
        """A value reached by attribute names from the update's payload (``"from_user.id"``).

        The path starts at the message, callback query, etc. the update carries; a missing
        link anywhere gives None instead of an error.
        """
        names = path.split(".")

        def read(ctx: BaseContext) -> Any:
            value: Any = getattr(ctx.update, ctx.kind, None)
            for name in names:
                value = getattr(value, name, None)
            return value

        return Value(read, path)

    @staticmethod
    def user(predicate: Callable[[t.User], Any]) -> Filter:
        """``predicate(user)`` for updates caused by a user (never called with None)."""
        return Filter(lambda ctx: ctx.user is not None and predicate(ctx.user), "user(...)")

    @staticmethod
    def message(predicate: Callable[[t.Message], Any]) -> Filter:
        """``predicate(message)`` for updates with a message (never called with None)."""
        return Filter(
            lambda ctx: ctx.message is not None and predicate(ctx.message), "message(...)"
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
