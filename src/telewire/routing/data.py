"""Per-user and per-chat data for handlers, kept in storage: ``ctx.user_data``, ``ctx.chat_data``.

    class Profile(msgspec.Struct):
        visits: int = 0
        name: str = ""

    router.use(Remember(storage, user=Profile))

    @router.command("visit")
    async def visit(ctx):
        ctx.user_data.visits += 1            # saved after the handler returns

Loaded before the handler (one read per kind), saved after it only if it changed, and not
at all if it raised. Isolated: each user and chat has its own key. Concurrent-safe without
locks: the save is a compare-and-set on the version read; when another handler (another
chat of the same user, another process) saved first, the two changes are merged field by
field, three-way against what both read: a field only one side changed takes that side's
value, numbers both changed add up both changes (two ``+= 1`` make ``+2``), lists both
appended to keep both appends, mappings merge key by key; only when both set the same
field to different non-numeric values does the later save win.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

import msgspec

from telewire.storage import Storage, open_storage

if TYPE_CHECKING:
    from telewire.routing.context import Context

log = logging.getLogger("telewire.routing")
U = TypeVar("U")
C = TypeVar("C")
USER_KEY, CHAT_KEY = "telewire.user_data", "telewire.chat_data"
SAVE_ATTEMPTS = 50


class DataDoesNotFit(ValueError):
    """Stored data no longer decodes as the declared type (a field changed its type)."""


class _Slot:
    """One loaded value: where it lives, what was read, and the object handlers change."""

    __slots__ = ("key", "kind", "raw", "value", "version")

    def __init__(self, key: str, kind: type[Any], raw: bytes | None, version: int | None):
        self.key, self.kind, self.raw, self.version = key, kind, raw, version
        self.value = _decode(raw, kind, key) if raw is not None else kind()


class Remember(Generic[U, C]):
    """A middleware that gives handlers ``ctx.user_data`` and ``ctx.chat_data``.

    ``user``/``chat``: the type of each (a ``msgspec.Struct`` whose fields all have
    defaults, or ``dict``); leave one out and it is not loaded. ``ttl``: forget data not
    written for that many seconds (None: keep it). Add it before ``Dialogs(router)`` for
    dialogs to see it (``d.ctx.user_data``); a dialog's code between questions runs again
    on every step, so change data after its last question or inside ``d.once``.
    """

    @overload
    def __init__(
        self: Remember[U, None],
        storage: Storage | str | None = ...,
        *,
        user: type[U],
        ttl: float | None = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Remember[None, C],
        storage: Storage | str | None = ...,
        *,
        chat: type[C],
        ttl: float | None = ...,
    ) -> None: ...
    @overload
    def __init__(
        self: Remember[U, C],
        storage: Storage | str | None = ...,
        *,
        user: type[U],
        chat: type[C],
        ttl: float | None = ...,
    ) -> None: ...
    def __init__(
        self,
        storage: Storage | str | None = None,
        *,
        user: type[U] | None = None,
        chat: type[C] | None = None,
        ttl: float | None = None,
    ) -> None:
        if user is None and chat is None:
            raise ValueError("Remember() needs user=<type> or chat=<type> (dict, or a Struct)")
        for kind in (user, chat):
            if kind is not None:
                _check_type(kind)
        self._owns_storage = not isinstance(storage, Storage)
        self.storage: Storage = storage if isinstance(storage, Storage) else open_storage(storage)
        self.user_type, self.chat_type, self.ttl = user, chat, ttl

    async def __call__(self, ctx: Context, call_next: Callable[[], Awaitable[bool]]) -> Any:
        slots: list[_Slot] = []
        bot = ctx.bot.token.bot_id
        if self.user_type is not None and ctx.user_id is not None:
            slot = await self._load(f"data:{bot}:user:{ctx.user_id}", self.user_type)
            ctx.data[USER_KEY] = slot.value
            slots.append(slot)
        if self.chat_type is not None and ctx.chat_id is not None:
            slot = await self._load(f"data:{bot}:chat:{ctx.chat_id}", self.chat_type)
            ctx.data[CHAT_KEY] = slot.value
            slots.append(slot)
        result = await call_next()
        for slot in slots:
            await self._save(slot)
        return result

    def user(self, ctx: Context) -> U:
        """This update's user data, typed as declared (``ctx.user_data`` is untyped)."""
        return ctx.user_data  # type: ignore[no-any-return]

    def chat(self, ctx: Context) -> C:
        return ctx.chat_data  # type: ignore[no-any-return]

    async def close(self) -> None:
        if self._owns_storage:
            await self.storage.close()

    async def _load(self, key: str, kind: type[Any]) -> _Slot:
        item = await self.storage.get(key)
        if item is None:
            return _Slot(key, kind, None, None)
        return _Slot(key, kind, item.value, item.version)

    async def _save(self, slot: _Slot) -> None:
        mine = msgspec.json.encode(slot.value)
        if mine == slot.raw or (slot.raw is None and mine == msgspec.json.encode(slot.kind())):
            return
        base = msgspec.json.decode(slot.raw) if slot.raw is not None else _empty(slot.kind)
        wanted, expected = mine, slot.version
        for _ in range(SAVE_ATTEMPTS):
            stored = await self.storage.compare_and_set(
                slot.key, wanted, expected=expected, ttl=self.ttl
            )
            if stored is not None:
                return
            item = await self.storage.get(slot.key)  # someone saved first: merge with theirs
            theirs = msgspec.json.decode(item.value) if item is not None else _empty(slot.kind)
            merged = merge(base, msgspec.json.decode(mine), theirs)
            wanted = msgspec.json.encode(msgspec.convert(merged, slot.kind))
            expected = item.version if item is not None else None
        raise RuntimeError(f"could not save {slot.key}: it kept changing ({SAVE_ATTEMPTS} tries)")


def merge(base: Any, mine: Any, theirs: Any) -> Any:
    """Three-way merge of JSON-like values: both sides' changes to what both started from."""
    if mine == base:
        return theirs
    if theirs == base:
        return mine
    if isinstance(base, dict) and isinstance(mine, dict) and isinstance(theirs, dict):
        merged = {}
        for key in {**base, **theirs, **mine}:
            missing = object()
            b, m, t = base.get(key, missing), mine.get(key, missing), theirs.get(key, missing)
            if m is missing and t is missing:
                continue
            if m is missing:  # I deleted it: keep the deletion unless they changed it
                if t != b:
                    merged[key] = t
                continue
            if t is missing:
                if m != b:
                    merged[key] = m
                continue
            merged[key] = merge(None if b is missing else b, m, t)
        return merged
    if all(_is_number(v) for v in (base, mine, theirs)):
        return theirs + (mine - base)
    if (
        isinstance(base, list)
        and isinstance(mine, list)
        and isinstance(theirs, list)
        and mine[: len(base)] == base
        and theirs[: len(base)] == base
    ):
        return theirs + mine[len(base) :]
    return mine  # both set it differently (or the same): the later save wins


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _empty(kind: type[Any]) -> Any:
    return msgspec.to_builtins(kind())


def _decode(raw: bytes, kind: type[Any], key: str) -> Any:
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as exc:
        raise DataDoesNotFit(
            f"the data at {key} does not fit {kind.__name__} ({exc}); give the changed "
            "field a new name, or convert the stored data"
        ) from None


def _check_type(kind: type[Any]) -> None:
    try:
        msgspec.json.encode(kind())
    except TypeError:
        raise TypeError(
            f"{kind.__name__} cannot be kept: give every field a default (or use dict)"
        ) from None
