"""What a registered dialog is: its function, scope, timeout, messages and fingerprint."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from telewire.dialogs.dialog import Dialog
from telewire.dialogs.state import SCOPES, Scope, fingerprint

DialogFunction = Callable[[Dialog], Awaitable[Any]]


class Definition(msgspec.Struct, kw_only=True):
    name: str
    function: DialogFunction
    scope: Scope
    timeout: float | None
    command: str | None
    fingerprint: str
    timed_out: str
    restarted: str


def define(
    function: DialogFunction,
    command: str | None,
    name: str | None,
    scope: Scope,
    timeout: float | None,
    version: str | None,
    timed_out: str | None,
    restarted: str,
) -> Definition:
    """Check what ``Dialogs.dialog(...)`` was given; fill in the defaults."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds or None: {timeout!r}")
    if not asyncio.iscoroutinefunction(function):
        raise TypeError(f"a dialog must be an async function: {function!r}")
    restart = f" Send /{command} to start again." if command else ""
    return Definition(
        name=name or function.__name__,
        function=function,
        scope=scope,
        timeout=timeout,
        command=command,
        fingerprint=version if version is not None else fingerprint(function),
        timed_out=timed_out or f"This conversation timed out.{restart}",
        restarted=restarted,
    )
