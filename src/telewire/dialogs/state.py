"""What a dialog in progress leaves in storage: its answers so far, and little else.

A dialog is not saved as a position in code (which a deploy would invalidate) but as the
answers it received. To continue, the dialog function runs again from the top and every
recorded answer is fed back in order (see :mod:`telewire.dialogs.dialog`). So the state is
a few hundred bytes of JSON, and a new version of the code can tell that it no longer fits:
the definition's fingerprint differs, or a replayed step asks for a different kind of
answer than was recorded.
"""

from __future__ import annotations

import hashlib
import secrets
import types
from typing import Any, Literal

import msgspec

FORMAT = 1
"""The layout of :class:`DialogState`; a state of another layout is restarted, not read."""

Scope = Literal["user_in_chat", "user", "chat"]
SCOPES: tuple[Scope, ...] = ("user_in_chat", "user", "chat")


class Step(msgspec.Struct, array_like=True):
    """One recorded step: ``["text", "tea"]``, ``["choice", [1, "Yes"]]``, ``["media", {...}]``,
    or ``["once", value]`` for a result of :meth:`Dialog.once`."""

    kind: str
    value: Any


class DialogState(msgspec.Struct, kw_only=True, omit_defaults=True):
    name: str
    fingerprint: str
    instance: str
    """A random id for this run of the dialog, carried by its buttons: a press of a button
    from an earlier run (or another dialog) is recognised and refused."""
    chat_id: int
    """Where the dialog talks (also for a user-scoped dialog: where it was started)."""
    args: list[str] = []
    steps: list[Step] = []
    update_id: int = 0
    """The last update this dialog consumed: a redelivered one (the process died before
    confirming it) is handled again from the state before it, never taken as a new answer."""
    before: int = -1
    """How many steps there were before that update; -1: that update started the dialog."""
    sent: bool = False
    """Whether what that update's step sends went out: a redelivered update whose step
    was sent is only acknowledged (the step's messages are sent once, unless the process
    dies in the instant between sending them and storing this)."""
    deadline: float | None = None
    ended: bool = False
    """Kept briefly after the end, so a redelivered last answer repeats the ending."""
    format: int = FORMAT


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(DialogState)


def encode(state: DialogState) -> bytes:
    return _encoder.encode(state)


def decode(raw: bytes) -> DialogState | None:
    """The state in ``raw``, or None when it is unreadable or of another layout."""
    try:
        state = _decoder.decode(raw)
    except msgspec.DecodeError:
        return None
    return state if state.format == FORMAT else None


def before_update(state: DialogState) -> DialogState:
    """The state as it was before its last update (to handle that update again)."""
    steps = state.steps[: max(state.before, 0)]
    return msgspec.structs.replace(state, steps=steps, ended=False, sent=False)


def new_instance() -> str:
    return secrets.token_hex(4)


def scope_part(scope: Scope, chat_id: int | None, user_id: int | None) -> str | None:
    """The part of a storage key that tells dialogs of one scope apart (None: no scope)."""
    if scope == "user_in_chat":
        return None if chat_id is None or user_id is None else f"c{chat_id}:u{user_id}"
    if scope == "user":
        return None if user_id is None else f"u{user_id}"
    return None if chat_id is None else f"c{chat_id}"


def fingerprint(function: Any) -> str:
    """A digest of ``function``'s bytecode, names and constants (nested functions too).

    Stable across processes and restarts (no hash-seeded orderings), blind to comments and
    line numbers, changed by any edit that changes what the code does or says.
    """
    digest = hashlib.sha256()

    def feed(code: types.CodeType) -> None:
        digest.update(code.co_code)
        digest.update(repr((code.co_names, code.co_varnames, code.co_freevars)).encode())
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                feed(const)
            elif isinstance(const, frozenset):
                digest.update(repr(sorted(repr(item) for item in const)).encode())
            else:
                digest.update(repr(const).encode())

    feed(function.__code__)
    return digest.hexdigest()[:16]
