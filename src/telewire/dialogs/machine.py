"""Named states and transitions, for those who think of a dialog as a state machine.

    signup = dialogs.machine("signup", command="signup")

    @signup.state("name", "Your name?", first=True)
    async def name(step: Transition) -> str:
        step.data["name"] = step.answer
        return "age"                                  # the next state

    @signup.state("age", "Your age?", parse=int)
    async def age(step: Transition) -> str | None:
        await step.reply(f"Welcome, {step.data['name']} ({step.answer})")
        return None                                   # done

A machine is a dialog underneath (one question per state, then its handler picks the next
state), so it is kept, timed out, cancelled, scoped and restarted exactly as dialogs are,
in the same storage. As in a dialog, handlers run again when later steps replay: keep
``step.data`` derived from the answers, and send with ``step.reply``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from telewire.dialogs.state import fingerprint

if TYPE_CHECKING:
    from telewire.dialogs.definition import Definition
    from telewire.dialogs.dialog import Dialog

Handler = Callable[["Transition"], Awaitable["str | None"]]
H = TypeVar("H", bound=Handler)


class Transition:
    """What a state's handler gets: the answer to its question and the machine's data."""

    __slots__ = ("answer", "data", "dialog", "state")

    def __init__(self, dialog: Dialog, state: str, answer: Any, data: dict[str, Any]) -> None:
        self.dialog, self.state, self.answer, self.data = dialog, state, answer, data

    async def reply(self, text: str, **options: Any) -> None:
        await self.dialog.reply(text, **options)


class _State(msgspec.Struct):
    question: str
    handler: Handler
    parse: Callable[[str], Any] | None
    options: Sequence[str] | Mapping[str, Any] | None


class Machine:
    """States registered with :meth:`state`; made by ``Dialogs.machine(...)``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.first: str | None = None
        self.states: dict[str, _State] = {}
        self.definition: Definition | None = None

    def state(
        self,
        name: str,
        question: str,
        *,
        first: bool = False,
        parse: Callable[[str], Any] | None = None,
        options: Sequence[str] | Mapping[str, Any] | None = None,
    ) -> Callable[[H], H]:
        """Register state ``name``: it asks ``question`` (with button ``options``, or a
        text answer run through ``parse``), then its handler returns the next state's
        name, or None to end."""
        if name in self.states:
            raise ValueError(f"machine {self.name!r} has a state {name!r} already")
        if parse is not None and options is not None:
            raise ValueError("a state takes parse= (a typed answer) or options= (buttons)")

        def register(handler: H) -> H:
            self.states[name] = _State(question, handler, parse, options)
            if first or self.first is None:
                self.first = name
            self._refingerprint()
            return handler

        return register

    async def run(self, d: Dialog) -> None:
        """The dialog function: ask, hand the answer to the state's handler, go on."""
        current = self.first
        data: dict[str, Any] = {}
        while current is not None:
            spec = self.states.get(current)
            if spec is None:
                known = ", ".join(self.states)
                raise LookupError(f"machine {self.name!r} has no state {current!r}; {known}")
            if spec.options is not None:
                answer = await d.choose(spec.question, spec.options)
            elif spec.parse is not None:
                answer = await d.ask(spec.question, parse=spec.parse)
            else:
                answer = await d.ask(spec.question)
            current = await spec.handler(Transition(d, current, answer, data))

    def _refingerprint(self) -> None:
        """A change to any state (its question or its handler's code) is a new version."""
        if self.definition is None:
            return
        digest = hashlib.sha256(f"{self.first}".encode())
        for name, spec in sorted(self.states.items()):
            options = list(spec.options) if spec.options is not None else None
            digest.update(repr((name, spec.question, options)).encode())
            digest.update(fingerprint(spec.handler).encode())
        self.definition.fingerprint = digest.hexdigest()[:16]
