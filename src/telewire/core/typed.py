"""The one place where wire data becomes typed objects (msgspec with a ``type=``).

Why one place: msgspec (seen with 0.22) builds a Struct class's decoding information
lazily, the first time any decoder or ``convert`` meets the class, and two threads doing
that at once for the same classes can crash the process (SIGSEGV). telewire runs threads
beside the event loop (sync handlers, the outbox sender, the pytest plugin, users' own),
so every typed decode goes through here: the first use builds the information of every
generated Bot API type under a lock (about 15 ms, once per process), and a type seen for
the first time (a user's Struct, ``list[Message]``) is prepared under the same lock.
Once built, the information is read-only, and decoding runs without any lock.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar, overload

import msgspec

T = TypeVar("T")

_lock = threading.RLock()
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}
_prepared: set[Any] = set()
_generated_ready = False


def _prepare_generated() -> None:
    """Build the decoding information of every generated Struct (caller holds the lock)."""
    global _generated_ready
    from telewire.api._generated import types
    from telewire.core.unions import decode_hook

    for name in types.__all__:
        member = getattr(types, name)
        if isinstance(member, type) and issubclass(member, msgspec.Struct):
            msgspec.json.Decoder(member, dec_hook=decode_hook)
    _generated_ready = True


def decoder(tp: Any) -> msgspec.json.Decoder[Any]:
    """A JSON decoder for ``tp`` (cached), safe to build from any thread."""
    found = _decoders.get(tp)
    if found is not None:
        return found
    from telewire.core.unions import decode_hook

    with _lock:
        found = _decoders.get(tp)
        if found is None:
            if not _generated_ready:
                _prepare_generated()
            found = msgspec.json.Decoder(tp, dec_hook=decode_hook)
            _decoders[tp] = found
            _prepared.add(tp)
    return found


@overload
def decode(body: bytes | str, tp: type[T]) -> T: ...
@overload
def decode(body: bytes | str, tp: Any) -> Any: ...
def decode(body: bytes | str, tp: Any) -> Any:
    """Decode JSON ``body`` into ``tp`` (raises ``msgspec.DecodeError`` when it does not fit)."""
    return decoder(tp).decode(body)


@overload
def convert(obj: Any, tp: type[T], *, strict: bool = True) -> T: ...
@overload
def convert(obj: Any, tp: Any, *, strict: bool = True) -> Any: ...
def convert(obj: Any, tp: Any, *, strict: bool = True) -> Any:
    """Turn already-parsed JSON values into ``tp`` (raises ``msgspec.ValidationError``).

    ``strict=False`` also accepts strings for numbers and booleans (text that came from
    callback data or a form)."""
    from telewire.core.unions import decode_hook

    if tp not in _prepared:
        decoder(tp)
    return msgspec.convert(obj, tp, dec_hook=decode_hook, strict=strict)
