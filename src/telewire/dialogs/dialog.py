"""The object a dialog function talks through, and one run of that function.

A run replays the recorded steps (each ``await d.ask(...)`` returns its recorded answer at
once, and nothing is sent), consumes the incoming update as the next answer, then goes on
*live* until the function awaits an answer it does not have: there the question is queued
and the run unwinds. What the run would send is only queued (:attr:`Dialog.outbox`); the
caller sends it once the new state is stored, so a run that loses a race with another
process sends nothing.

Code between questions runs again on every step. Sends made through ``d`` are not
repeated; for other side effects (a database write, an API call whose result you keep),
use :meth:`Dialog.once`, or put them after the last question.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, overload

import msgspec

from telewire.dialogs.state import DialogState, Step

if TYPE_CHECKING:
    from telewire.routing.context import Context

T = TypeVar("T")
Send = tuple[str, dict[str, Any]]
"""A queued Bot API call: method name and parameters."""
BUTTON_PREFIX = "~d"
"""Callback data of dialog buttons: ``~d<instance>:<step>:<option>`` (about 20 bytes)."""
MEDIA_KINDS = ("photo", "document", "video", "audio", "voice", "video_note", "animation")


class InvalidAnswer(ValueError):
    """Raise from a ``parse`` function to ask again; the message is shown to the user."""


class Media(msgspec.Struct, kw_only=True, omit_defaults=True, frozen=True):
    """A file sent as an answer (for a photo: its largest size)."""

    kind: str
    file_id: str
    file_unique_id: str
    caption: str | None = None
    file_name: str | None = None
    mime_type: str | None = None


class Diverged(BaseException):
    """The recorded answers no longer fit the dialog's code (it changed since they were
    given). A BaseException, so that ``except Exception`` in a dialog cannot swallow it."""


class _Waiting(BaseException):
    """Unwinds the dialog function where it awaits an answer it does not have yet."""


class Dialog:
    """What a dialog function gets: ``await d.ask(...)``, ``d.confirm``, ``d.choose``,
    ``d.ask_media``, ``d.reply``, ``d.once``, and the starting command's ``d.args``."""

    def __init__(self, ctx: Context, state: DialogState, incoming: Context | None) -> None:
        self.ctx = ctx
        """The update being handled now (on a replay: the latest one, not the one that
        answered an earlier question)."""
        self.args: list[str] = list(state.args)
        self.chat_id = ctx.chat_id if ctx.chat_id is not None else state.chat_id
        """Where the dialog talks: the chat of the update being handled (for a dialog
        scoped per user, the chat the user last answered in)."""
        self.steps: list[Step] = list(state.steps)
        self.outbox: list[Send] = []
        self._recorded = len(self.steps)
        self._cursor = 0
        self._incoming = incoming
        self._live = incoming is None
        self._waiting = False
        self._instance = state.instance

    @property
    def user_id(self) -> int | None:
        return self.ctx.user_id

    @property
    def replaying(self) -> bool:
        """True while earlier steps are fed back (what runs now already ran before)."""
        return not self._live

    # -- questions ------------------------------------------------------------------------

    @overload
    async def ask(
        self,
        question: str,
        *,
        parse: Callable[[str], T],
        invalid: str | None = ...,
        **options: Any,
    ) -> T: ...
    @overload
    async def ask(self, question: str, *, invalid: str | None = ..., **options: Any) -> str: ...
    async def ask(
        self,
        question: str,
        *,
        parse: Callable[[str], Any] | None = None,
        invalid: str | None = None,
        **options: Any,
    ) -> Any:
        """Ask for a text answer; ``parse`` turns it into a value or raises to ask again.

        ``parse`` raising :class:`InvalidAnswer` shows its message; ``ValueError`` or
        ``TypeError`` shows ``invalid`` (default: a polite generic line). ``options`` go
        to sendMessage (``parse_mode``...).
        """
        convert = parse if parse is not None else str

        def read(ctx: Context) -> Any:
            message = ctx.message
            if ctx.kind != "message" or message is None or message.text is None:
                raise InvalidAnswer(invalid or "Please answer with text.")
            return message.text

        return await self._step("text", self._question(question, options), read, convert, invalid)

    @overload
    async def choose(self, question: str, options: Sequence[str], *, columns: int = ...) -> str: ...
    @overload
    async def choose(self, question: str, options: Mapping[str, T], *, columns: int = ...) -> T: ...
    async def choose(
        self, question: str, options: Sequence[str] | Mapping[str, Any], *, columns: int = 1
    ) -> Any:
        """Ask to pick one option by button (typing its label works too).

        A list returns the chosen label; a mapping ``{label: value}`` returns the value.
        """
        labels = list(options)
        values = list(options.values()) if isinstance(options, Mapping) else labels
        if not labels:
            raise ValueError("choose() needs at least one option")
        keyboard = []
        for start in range(0, len(labels), max(columns, 1)):
            row = labels[start : start + max(columns, 1)]
            keyboard.append(
                [
                    {"text": label, "callback_data": self._button(start + i)}
                    for i, label in enumerate(row)
                ]
            )
        prompt = self._question(question, {"reply_markup": {"inline_keyboard": keyboard}})

        def read(ctx: Context) -> Any:
            query = ctx.callback_query
            if query is not None and query.data is not None:
                index = int(query.data.rsplit(":", 1)[1])
                if 0 <= index < len(labels):
                    self._close_buttons(ctx, labels[index])
                    return [index, labels[index]]
            elif ctx.text is not None:
                typed = ctx.text.strip().casefold()
                for index, label in enumerate(labels):
                    if label.casefold() == typed:
                        return [index, label]
            raise InvalidAnswer("Please choose one of the buttons.")

        def convert(raw: Any) -> Any:
            index, label = raw
            if not (0 <= index < len(labels)) or labels[index] != label:
                raise InvalidAnswer(f"option {label!r} is gone")
            return values[index]

        return await self._step("choice", prompt, read, convert, None)

    async def confirm(self, question: str, *, yes: str = "Yes", no: str = "No") -> bool:
        """Ask a yes/no question with two buttons."""
        answer: bool = await self.choose(question, {yes: True, no: False}, columns=2)
        return answer

    async def ask_media(
        self, question: str, *, kinds: Sequence[str] = MEDIA_KINDS, invalid: str | None = None
    ) -> Media:
        """Ask for a file (a photo, document...); returns its ids to download or resend."""
        wanted = tuple(kinds)

        def read(ctx: Context) -> Any:
            message = ctx.message
            if ctx.kind == "message" and message is not None:
                for kind in wanted:
                    found = getattr(message, kind, None)
                    if found:
                        file = found[-1] if isinstance(found, list) else found
                        return msgspec.to_builtins(
                            Media(
                                kind=kind,
                                file_id=file.file_id,
                                file_unique_id=file.file_unique_id,
                                caption=message.caption,
                                file_name=getattr(file, "file_name", None),
                                mime_type=getattr(file, "mime_type", None),
                            )
                        )
            names = " or ".join(k.replace("_", " ") for k in wanted)
            raise InvalidAnswer(invalid or f"Please send a {names}.")

        def convert(raw: Any) -> Media:
            return msgspec.convert(raw, Media)

        media: Media = await self._step("media", self._question(question, {}), read, convert, None)
        return media

    async def ask_photo(self, question: str, *, invalid: str | None = None) -> Media:
        return await self.ask_media(question, kinds=("photo",), invalid=invalid)

    # -- other steps ----------------------------------------------------------------------

    async def reply(self, text: str, **options: Any) -> None:
        """Send ``text`` to the dialog's chat (once: not again when the step is replayed)."""
        if self._live and not self._waiting:
            self.outbox.append(("send_message", {"chat_id": self.chat_id, "text": text, **options}))

    @overload
    async def once(self, action: Callable[[], Awaitable[T]]) -> T: ...
    @overload
    async def once(self, action: Callable[[], T]) -> T: ...
    async def once(self, action: Callable[[], Any]) -> Any:
        """Run ``action`` once for this dialog; replays return its recorded result.

        The result must be JSON-able (str, int, float, bool, None, lists, dicts); it is
        kept in the dialog's state. If the process dies before the step is stored, the
        action runs again: make it safe to repeat (at least once, never lost).
        """
        if self._cursor < self._recorded:
            step = self.steps[self._cursor]
            if step.kind != "once":
                raise Diverged(f"step {self._cursor} was a {step.kind} answer, now once()")
            self._cursor += 1
            return step.value
        if self._waiting or self._incoming is not None:
            raise Diverged(f"step {self._cursor} is once(), but a question was recorded there")
        result = action()
        if inspect.isawaitable(result):
            result = await result
        self.steps.append(Step("once", msgspec.to_builtins(result)))
        self._cursor += 1
        return result

    # -- machinery ------------------------------------------------------------------------

    def _question(self, text: str, options: dict[str, Any]) -> Send:
        return ("send_message", {"chat_id": self.chat_id, "text": text, **options})

    def _button(self, option: int) -> str:
        return f"{BUTTON_PREFIX}{self._instance}:{self._cursor}:{option}"

    def _close_buttons(self, ctx: Context, label: str) -> None:
        message = ctx.message
        if message is not None and message.text is not None:
            self.outbox.append(
                (
                    "edit_message_text",
                    {
                        "chat_id": message.chat.id,
                        "message_id": message.message_id,
                        "text": f"{message.text}\n» {label}",
                    },
                )
            )

    async def _step(
        self,
        kind: str,
        prompt: Send,
        read: Callable[[Context], Any],
        convert: Callable[[Any], Any],
        invalid: str | None,
    ) -> Any:
        if self._waiting:  # the function swallowed our unwinding; keep unwinding
            raise _Waiting
        if self._cursor < self._recorded:
            step = self.steps[self._cursor]
            if step.kind != kind:
                raise Diverged(f"step {self._cursor} was a {step.kind} answer, now {kind}")
            try:
                value = convert(step.value)
            except (ValueError, TypeError) as exc:
                raise Diverged(f"step {self._cursor}'s answer no longer parses: {exc}") from None
            self._cursor += 1
            return value
        incoming, self._incoming = self._incoming, None
        if incoming is not None:
            self._live = True
            if incoming.callback_query is not None:
                self.outbox.append(
                    ("answer_callback_query", {"callback_query_id": incoming.callback_query.id})
                )
            try:
                raw = read(incoming)
                value = convert(raw)
            except InvalidAnswer as exc:
                problem = str(exc)
            except (ValueError, TypeError):
                problem = invalid or "Sorry, I cannot use that answer."
            else:
                self.steps.append(Step(kind, raw))
                self._cursor += 1
                return value
            method, params = prompt
            self.outbox.append((method, {**params, "text": f"{problem}\n{params['text']}"}))
        elif self._live:
            self.outbox.append(prompt)
        self._waiting = True
        raise _Waiting


WAITING, ENDED = "waiting", "ended"


async def run(function: Callable[[Dialog], Awaitable[Any]], dialog: Dialog) -> str:
    """Run ``function`` until it waits for an answer (WAITING) or returns (ENDED).

    Raises :class:`Diverged` when the recorded answers do not fit the code.
    """
    try:
        await function(dialog)
    except _Waiting:
        return WAITING
    if dialog._waiting:
        return WAITING
    if dialog._cursor < dialog._recorded or dialog._incoming is not None:
        raise Diverged("the dialog ended before using every recorded answer")
    return ENDED
