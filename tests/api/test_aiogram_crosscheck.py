"""Cross-check with an independent generation of the same Bot API: aiogram's classes.

Every method's parameters and every type's fields (names and requiredness) must match
aiogram's, except for the short list of deliberate differences below. Parameters and
fields aiogram marks deprecated (kept for old bots, gone from the current spec, e.g.
``reply_to_message_id``, 10.2's top-level ``receiver_user_id``) are left out on its side.
"""

from __future__ import annotations

import inspect
from typing import Any

import aiogram
import aiogram.methods
import aiogram.types
import msgspec
import pytest

from telewire.api._generated import types as t
from telewire.api._generated.methods import METHODS

# (entity, field): why telewire differs on purpose. Anything else failing is a bug.
DELIBERATE = {
    # The spec marks these constant fields required; aiogram fills the constant in.
    ("ForceReply", "force_reply"): "aiogram defaults True",
    ("ReplyKeyboardRemove", "remove_keyboard"): "aiogram defaults True",
    ("RefundedPayment", "currency"): 'aiogram defaults "XTR"',
    ("InaccessibleMessage", "date"): "aiogram defaults 0",
    # aiogram models the MenuButton union as one base class carrying every member's fields.
    ("MenuButtonCommands", "text"): "inherited from aiogram's MenuButton base",
    ("MenuButtonCommands", "web_app"): "inherited from aiogram's MenuButton base",
    ("MenuButtonDefault", "text"): "inherited from aiogram's MenuButton base",
    ("MenuButtonDefault", "web_app"): "inherited from aiogram's MenuButton base",
}
# Types only aiogram has: its own base and error event, and types Telegram deprecated.
AIOGRAM_ONLY_TYPES = {"TelegramObject", "ErrorEvent", "KeyboardButtonRequestUser", "UserShared"}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2])


def test_aiogram_speaks_the_same_bot_api() -> None:
    assert _version(aiogram.__version__) >= (3, 31)
    assert aiogram.__api_version__ == "10.3"


def _fields(model: Any) -> dict[str, bool]:
    return {
        (info.alias or name): info.is_required()
        for name, info in model.model_fields.items()
        if not (info.json_schema_extra or {}).get("deprecated")
    }


def _differences(entity: str, ours: dict[str, bool], theirs: dict[str, bool]) -> list[str]:
    found = []
    for name in sorted(ours.keys() | theirs.keys()):
        if ours.get(name) != theirs.get(name) and (entity, name) not in DELIBERATE:
            found.append(f"{entity}.{name}: telewire {ours.get(name)}, aiogram {theirs.get(name)}")
    return found


AIOGRAM_METHODS = {
    cls.__api_method__: cls
    for cls in vars(aiogram.methods).values()
    if inspect.isclass(cls) and isinstance(getattr(cls, "__api_method__", None), str)
}
AIOGRAM_TYPES = {
    name: cls
    for name, cls in vars(aiogram.types).items()
    if inspect.isclass(cls) and hasattr(cls, "model_fields")
}


def test_the_same_methods_with_the_same_parameters() -> None:
    ours = {m.name: m for m in METHODS.values()}
    assert ours.keys() == AIOGRAM_METHODS.keys()
    differences = []
    for name, method in sorted(ours.items()):
        mine = {p.name: p.required for p in method.parameters}
        differences += _differences(name, mine, _fields(AIOGRAM_METHODS[name]))
    assert differences == []


def test_the_same_types_with_the_same_fields() -> None:
    assert set(AIOGRAM_TYPES) - set(t.__all__) == AIOGRAM_ONLY_TYPES
    assert set(t.__all__) - set(AIOGRAM_TYPES) == set()
    differences = []
    for name in t.__all__:
        ours = getattr(t, name)
        if not (inspect.isclass(ours) and issubclass(ours, msgspec.Struct)):
            continue  # a union: aiogram's is a base class, its members are compared
        mine = {f.encode_name: f.required for f in msgspec.structs.fields(ours)}
        tag_field = ours.__struct_config__.tag_field
        if tag_field:
            mine[tag_field] = False  # msgspec writes the tag itself; aiogram defaults it
        differences += _differences(name, mine, _fields(AIOGRAM_TYPES[name]))
    assert differences == []


@pytest.mark.parametrize(("entity", "field"), sorted(DELIBERATE))
def test_every_deliberate_difference_still_exists(entity: str, field: str) -> None:
    """A difference that went away must leave the list, so the list stays short and true."""
    ours = getattr(t, entity)
    mine = {f.encode_name: f.required for f in msgspec.structs.fields(ours)}
    assert mine.get(field) != _fields(AIOGRAM_TYPES[entity]).get(field)
