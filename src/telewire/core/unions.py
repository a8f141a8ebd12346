"""Decoding the few Bot API unions that carry no tag msgspec could switch on.

Most unions (ChatMember by ``status``, ReactionType by ``type``...) are tagged and
msgspec decodes them natively. The rest (MaybeInaccessibleMessage, InputMessageContent,
InlineQueryResult, whose ``type`` values repeat) are typed at runtime as marker classes;
msgspec hands their raw objects to :func:`decode_hook`, which picks the member here.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec

from telewire.api._generated import types
from telewire.core import typed


@cache
def _required_fields(member: type) -> frozenset[str]:
    info = msgspec.structs.fields(member)
    return frozenset(f.encode_name for f in info if f.required)


def _choose(marker: type, obj: dict[str, Any]) -> type:
    members = types.HOOKED_UNIONS[marker]
    if members == (types.Message, types.InaccessibleMessage):
        # Telegram marks an inaccessible message by date 0.
        return types.Message if obj.get("date") else types.InaccessibleMessage
    candidates = []
    for member in members:
        config = getattr(member, "__struct_config__")  # noqa: B009 (Struct classes only)
        if config.tag_field is not None and obj.get(config.tag_field) != config.tag:
            continue
        required = _required_fields(member)
        if required <= obj.keys():
            candidates.append((len(required), member))
    if not candidates:
        names = ", ".join(m.__name__ for m in members)
        raise msgspec.ValidationError(f"object matches none of {names}")
    return max(candidates, key=lambda c: c[0])[1]


def decode_hook(tp: type, obj: Any) -> Any:
    """msgspec ``dec_hook``: turn a raw object into the right member of a marker union."""
    if tp in types.HOOKED_UNIONS:
        if not isinstance(obj, dict):
            raise msgspec.ValidationError(f"expected an object for {tp.__name__}")
        return typed.convert(obj, _choose(tp, obj))
    raise NotImplementedError(f"telewire cannot decode {tp!r}")
