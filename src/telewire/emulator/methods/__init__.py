"""Implementations of the emulated Bot API methods, grouped by what they touch.

Each module marks its functions with :func:`telewire.emulator.engine.method`;
:func:`registry` collects them from the modules listed here, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import import_module
from types import MappingProxyType, ModuleType

from telewire.emulator.engine import NAMES, Handler

FAMILIES = (
    "bot_info",
    "chats",
    "editing",
    "ephemeral",
    "forum",
    "games",
    "gifts",
    "inline",
    "invites",
    "media",
    "members",
    "messages",
    "moderation",
    "payments",
    "polls",
    "profile",
    "reactions",
    "stars",
    "stickers",
    "updates",
)
"""The modules of this package that hold method implementations: the only list of them."""

MODULES: tuple[ModuleType, ...] = tuple(import_module(f"{__name__}.{name}") for name in FAMILIES)


@cache
def registry() -> Mapping[str, Handler]:
    """Every emulated method by lower-case name; a name claimed twice is a bug, said at once."""
    found: dict[str, Handler] = {}
    for module in MODULES:
        for value in vars(module).values():  # functions, and tuples of those made in a loop
            for handler in value if isinstance(value, tuple) else (value,):
                for name in getattr(handler, NAMES, ()) if callable(handler) else ():
                    if found.setdefault(name, handler) is not handler:
                        raise RuntimeError(f"emulator method {name} is implemented twice")
    return MappingProxyType(found)
