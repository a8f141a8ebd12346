"""Turning request parameters, however they arrived, into typed Python values.

Telegram accepts the query string, urlencoded and multipart forms (where objects are
JSON strings) and JSON bodies. Values are coerced by the spec's parameter types, so
``chat_id=42`` in a query string and ``{"chat_id": 42}`` in JSON mean the same thing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import msgspec

from telewire.emulator.errors import bad_request

_INTEGER = re.compile(r"^[+-]?\d+$")
_TRUE = frozenset({"true", "1", "yes", "on"})


@lru_cache(maxsize=512)
def _spec_types(method: str) -> dict[str, tuple[str, ...]]:
    from telewire.api._generated.methods import METHODS

    spec = METHODS.get(method.lower())
    return {p.name: p.types for p in spec.parameters} if spec else {}


def coerce(method: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Return ``raw`` with each known parameter converted to its spec type."""
    kinds = _spec_types(method)
    params: dict[str, Any] = {}
    for name, value in raw.items():
        types = kinds.get(name)
        params[name] = _coerce(name, value, types) if types else value
    return params


def _coerce(name: str, value: Any, types: tuple[str, ...]) -> Any:
    if not isinstance(value, str):
        return value
    if "Integer" in types:
        if _INTEGER.match(value.strip()):
            return int(value)
        if "String" in types:
            return value
        raise bad_request(f"invalid {name} specified")
    if types == ("Boolean",) or types == ("True",):
        return value.strip().lower() in _TRUE
    if types == ("Float",):
        try:
            return float(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None
    if "String" in types or types == ("InputFile",):
        return value
    try:
        return msgspec.json.decode(value)
    except msgspec.DecodeError:
        what = "reply keyboard markup" if name == "reply_markup" else name
        raise bad_request(f"can't parse {what} JSON object") from None
