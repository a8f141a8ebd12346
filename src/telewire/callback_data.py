"""Typed callback data: declare a small Struct, build buttons with it, route its presses.

    class OrderAction(CallbackData):
        prefix = "order"
        action: str
        item_id: int

    InlineKeyboard().button("Buy", OrderAction(action="buy", item_id=42))   # "order:buy:42"

    @router.callback(OrderAction.filter(action="buy"))
    async def buy(ctx):
        order = OrderAction.of(ctx)            # OrderAction(action='buy', item_id=42)

Telegram gives a button 64 bytes of callback data. Values are packed in field order after
the prefix, separated by ``:`` (``str``, ``int``, ``bool``, ``float``, an ``Enum`` of
those, or ``None``); a value that would not fit, or a text containing ``:``, is refused
when the button is built, with a message that says so, not when Telegram answers 400.

Callback data is chosen by the client: anyone can send any data to a message's buttons.
Check who pressed (``ctx.user_id``) before acting, or sign what matters (approvals do).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import msgspec

from telewire.core import typed
from telewire.keyboards import MAX_CALLBACK_BYTES

if TYPE_CHECKING:
    from telewire.routing.context import BaseContext
    from telewire.routing.filters import Filter

SEPARATOR = ":"
D = TypeVar("D", bound="CallbackData")


class CallbackData(msgspec.Struct, frozen=True, kw_only=True):
    """Base of typed callback data; subclasses name a short ``prefix`` and their fields."""

    prefix: ClassVar[str] = ""

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        if not cls.prefix or SEPARATOR in cls.prefix:
            raise TypeError(
                f"{cls.__name__} needs a short prefix without {SEPARATOR!r}: "
                f'class {cls.__name__}(CallbackData): prefix = "order"'
            )

    def pack(self) -> str:
        """The callback data string; ValueError if it would not fit in 64 bytes."""
        parts = [self.prefix]
        for name in self.__struct_fields__:
            parts.append(_encode(type(self).__name__, name, getattr(self, name)))
        packed = SEPARATOR.join(parts)
        size = len(packed.encode("utf-8"))
        if size > MAX_CALLBACK_BYTES:
            raise ValueError(
                f"{type(self).__name__} packs to {size} bytes ({packed[:40]!r}...), over "
                f"Telegram's {MAX_CALLBACK_BYTES}-byte limit for callback data: shorten the "
                "prefix or the values, or keep the data server-side and pack its key"
            )
        return packed

    @classmethod
    def unpack(cls: type[D], data: str) -> D:
        """Read packed data back; ValueError if it is not this class's (wrong prefix, shape)."""
        found = cls.parse(data)
        if found is None:
            raise ValueError(f"{data!r} is not {cls.__name__} callback data")
        return found

    @classmethod
    def parse(cls: type[D], data: str | None) -> D | None:
        """Like :meth:`unpack`, but None for data that is not this class's."""
        if data is None:
            return None
        prefix, *values = data.split(SEPARATOR)
        names = cls.__struct_fields__
        if prefix != cls.prefix or len(values) != len(names):
            return None
        raw: dict[str, Any] = {}
        for field, value in zip(msgspec.structs.fields(cls), values, strict=True):
            raw[field.name] = None if value == "" and field.default is None else value
        try:
            return typed.convert(raw, cls, strict=False)
        except msgspec.ValidationError:
            return None

    @classmethod
    def of(cls: type[D], ctx: BaseContext) -> D:
        """The pressed button's data, as this class (for handlers routed by :meth:`filter`)."""
        return cls.unpack(ctx.callback_data or "")

    @classmethod
    def filter(cls, **equal: Any) -> Filter:
        """A filter for presses of this class's buttons whose fields equal ``equal``."""
        from telewire.routing.filters import Filter

        unknown = set(equal) - set(cls.__struct_fields__)
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")

        def matches(ctx: BaseContext) -> bool:
            found = cls.parse(ctx.callback_data)
            return found is not None and all(
                getattr(found, name) == value for name, value in equal.items()
            )

        shown = ", ".join(f"{k}={v!r}" for k, v in equal.items())
        return Filter(matches, f"{cls.__name__}.filter({shown})")


def _encode(owner: str, name: str, value: Any) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        if SEPARATOR in value:
            raise ValueError(f"{owner}.{name} cannot contain {SEPARATOR!r}: {value[:20]!r}")
        return value
    raise TypeError(
        f"{owner}.{name} is a {type(value).__name__}; callback data holds str, int, bool, "
        "float, an Enum of those, or None"
    )


__all__ = ["CallbackData"]
