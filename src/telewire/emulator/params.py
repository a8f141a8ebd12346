"""Turning request parameters, however they arrived, into typed Python values.

Telegram accepts the query string, urlencoded and multipart forms (where objects are
JSON strings) and JSON bodies. Values are coerced by the spec's parameter types, so
``chat_id=42`` in a query string and ``{"chat_id": 42}`` in JSON mean the same thing.

This is the one gate between a request and a method implementation: a value of the wrong
shape for its spec type (``message_id: [1]``, ``parse_mode: 123`` is fine, it is text to
Telegram) is answered here with a 400, so implementations may trust the top-level types
of every parameter the spec names. Nested objects are checked by the implementations'
typed conversion, whose ``ValidationError`` the engine answers with a 400 too.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any, NoReturn

import msgspec

from telewire.emulator.errors import bad_request
from telewire.emulator.uploads import Upload

_INTEGER = re.compile(r"^[+-]?\d{1,19}$")
_TRUE = frozenset({"true", "1", "yes", "on"})
_INT64 = 2**63
_STRING = ("String",)
_SCALARS = frozenset({"Integer", "String", "Boolean", "True", "Float", "InputFile"})


def json_value(body: bytes | str, what: str) -> Any:
    """Parse JSON text; anything that is not JSON (bad UTF-8, too deep) is a 400 naming ``what``."""
    try:
        return msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError):
        raise bad_request(f"can't parse {what}") from None


@lru_cache(maxsize=512)
def _spec_types(method: str) -> dict[str, tuple[str, ...]]:
    from telewire.api._generated.methods import METHODS

    spec = METHODS.get(method.lower())
    return {p.name: p.types for p in spec.parameters} if spec else {}


def coerce(method: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Return ``raw`` with each known parameter converted to its spec type (400 if it has none)."""
    kinds = _spec_types(method)
    params: dict[str, Any] = {}
    for name, value in raw.items():
        types = kinds.get(name)
        params[name] = _coerce(name, value, types) if types else value
    return params


@lru_cache(maxsize=256)
def _scalars(types: tuple[str, ...]) -> bool:
    return set(types) <= _SCALARS


def _coerce(name: str, value: Any, types: tuple[str, ...]) -> Any:
    if value is None:
        return None
    # The common cases of JSON bodies, already of their type (the general path agrees).
    if value.__class__ is str and types == _STRING:
        return value
    if value.__class__ is int and "Integer" in types and abs(value) < _INT64 and _scalars(types):
        return value
    if isinstance(value, Upload):
        return value if "InputFile" in types else _invalid(name)
    if not set(types) <= _SCALARS:
        return _object(name, value, types)
    if isinstance(value, (bool, int, float)):
        # Telegram reads every top-level value as text, so JSON numbers and booleans are
        # as good as their text form; objects and arrays never fit a scalar.
        text = msgspec.json.encode(value).decode()
    elif isinstance(value, str):
        text = value
    else:
        return _invalid(name)
    return _scalar(name, text, types)


def coerce_integer(name: str, text: str) -> int:
    """``text`` as a 64-bit integer, or a 400 saying ``name`` is invalid."""
    if _INTEGER.match(text.strip()) and abs(number := int(text)) < _INT64:
        return number
    _invalid(name)


def _scalar(name: str, text: str, types: tuple[str, ...]) -> Any:
    if "Integer" in types:
        if "String" in types and not _INTEGER.match(text.strip()):
            return text
        return coerce_integer(name, text)
    if types in (("Boolean",), ("True",)):
        return text.strip().lower() in _TRUE
    if types == ("Float",):
        try:
            number_f = float(text)
        except ValueError:
            return _invalid(name)
        return number_f if math.isfinite(number_f) else _invalid(name)
    return text


def _object(name: str, value: Any, types: tuple[str, ...]) -> Any:
    """An object or array parameter: JSON text in forms, the value itself in JSON bodies."""
    what = "reply keyboard markup" if name == "reply_markup" else name
    if isinstance(value, str):
        value = json_value(value, f"{what} JSON object")
    array = all(kind.startswith("Array of ") for kind in types)
    if not isinstance(value, list if array else dict):
        raise bad_request(f"can't parse {what} JSON object")
    if types == ("Array of Integer",) and not all(_is_int(item) for item in value):
        return _invalid(name)
    if types == ("Array of String",) and not all(isinstance(item, str) for item in value):
        return _invalid(name)
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < _INT64


def _invalid(name: str) -> NoReturn:
    raise bad_request(f"invalid {name} specified")
