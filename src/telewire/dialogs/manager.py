"""Dialogs on a router: starting them, feeding them answers, ending them, timing them out.

State lives only in storage and every change is a compare-and-set on its version, so the
updates of one chat may be handled by different processes: the loser of a race reloads and
tries again, and sends nothing (a run's messages go out only after its state is stored).

Updates are given to a waiting dialog before any route of the router:

- a message in the dialog's scope is its answer;
- a press of one of its buttons is an answer; presses of other buttons route as usual;
- ``/cancel`` (configurable) ends it; any other command that a route handles ends it too
  and runs that route (a command no route takes is an answer like any other text);
- a dialog whose deadline passed is closed with a message: by a job at the deadline when
  ``jobs`` is given (any process, also after a restart), else by a timer in the process
  that handled its last step, or (after a restart) when its user next writes.

An update already consumed (the process died before confirming it, so Telegram sent it
again) is handled again from the state before it: what that step sent is sent again, and
nothing is taken twice as an answer. Once a step's messages went out, a mark in the state
says so and a redelivered update only acknowledges them; they are sent twice only when the
process dies in the instant between sending them and storing that mark: at least once,
never lost.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from telewire.core.errors import BadRequest
from telewire.core.retry import is_transient
from telewire.dialogs.definition import Definition, DialogFunction, define
from telewire.dialogs.dialog import BUTTON_PREFIX, ENDED, Dialog, Diverged, Send, run
from telewire.dialogs.machine import Machine
from telewire.dialogs.state import (
    SCOPES,
    DialogState,
    Scope,
    before_update,
    decode,
    encode,
    new_instance,
    scope_part,
)
from telewire.dialogs.timeouts import Timeouts
from telewire.storage import Storage, open_storage

if TYPE_CHECKING:
    from telewire.client.async_bot import AsyncBot
    from telewire.jobs import Scheduler
    from telewire.routing.context import Context
    from telewire.routing.router import Router

log = logging.getLogger("telewire.dialogs")
F = TypeVar("F", bound=DialogFunction)
CONFLICT_ATTEMPTS = 20
KEEP_ENDED = 86400.0
"""How long an ended dialog's last state stays, to repeat its ending if its last update is
delivered again (Telegram keeps undelivered updates for a day)."""


class DialogConflict(RuntimeError):
    """The dialog's state kept changing under us (far more concurrent updates than usual)."""


class _Conflict(Exception):
    """Another process changed the state first: reload and handle the update again."""


class Dialogs:
    """Dialogs written as straight-line async functions, kept in ``storage``.

        dialogs = Dialogs(router, "sqlite:///bot.db")

        @dialogs.dialog(command="order")
        async def order(d: Dialog) -> None:
            item = await d.ask("What item?")
            count = await d.ask("How many?", parse=int)
            if await d.confirm(f"{count} x {item}?"):
                await d.reply("Ordered.")

    The cancel commands belong to the dialogs: outside a dialog they answer
    ``nothing_to_cancel`` (pass None to let them route as usual).

    ``jobs``: a :class:`~telewire.jobs.Scheduler` on the same storage (run it with
    ``run_polling(router, jobs=jobs)``) closes timed-out dialogs at their deadline whichever
    process is running then, also after a restart; its clock is the dialogs' clock, so a
    test's ``FakeClock.advance`` times a dialog out at once. Without it, a timer in the
    process that handled the last step does, or the user's next message after a restart.

    Create it after the middlewares that must see every update (``owner_only``...): it
    takes a waiting dialog's answers before the router's routes and later middlewares.
    """

    def __init__(
        self,
        router: Router,
        storage: Storage | str | None = None,
        *,
        cancel: Sequence[str] = ("cancel",),
        cancelled: str = "Cancelled.",
        nothing_to_cancel: str | None = "There is nothing to cancel.",
        gone: str = "Sorry, that conversation is no longer available.",
        jobs: Scheduler | None = None,
    ) -> None:
        self._owns_storage = not isinstance(storage, Storage)
        self.storage: Storage = storage if isinstance(storage, Storage) else open_storage(storage)
        self.router = router
        self._cancel = frozenset(c.lower().lstrip("/") for c in cancel)
        self.cancelled, self.nothing_to_cancel, self.gone = cancelled, nothing_to_cancel, gone
        self._definitions: dict[str, Definition] = {}
        self._scopes: list[Scope] = []
        self._timeouts = Timeouts(self._expire, jobs)
        self._now = self._timeouts.now
        router.use(self._middleware)

    # -- defining and starting -----------------------------------------------------------

    def dialog(
        self,
        command: str | None = None,
        *,
        name: str | None = None,
        scope: Scope = "user_in_chat",
        timeout: float | None = 3600,
        version: str | None = None,
        timed_out: str | None = None,
        restarted: str = "Sorry, this bot was updated while we were talking; let's start again.",
    ) -> Callable[[F], F]:
        """Register a dialog function, started by ``/command`` (or :meth:`start`).

        ``scope``: whose dialog it is: one per user in each chat (default), one per user
        wherever they write, or one per chat shared by its members. ``timeout``: seconds
        of silence before it ends with ``timed_out`` (None: it waits for ever).
        ``version``: what tells a changed dialog apart; by default a fingerprint of the
        function's code, so a deploy that changes it restarts dialogs in progress (with
        ``restarted``) instead of feeding them answers to other questions. Helpers the
        function calls are not fingerprinted: a recorded answer the new code cannot use
        (another kind of question, a parse that now fails) restarts the dialog too, and
        ``version="2"`` restarts dialogs on purpose.
        """

        def register(function: F) -> F:
            definition = define(
                function, command, name, scope, timeout, version, timed_out, restarted
            )
            key = definition.name
            if key in self._definitions:
                raise ValueError(f"a dialog named {key!r} exists already; pass name=")
            self._definitions[key] = definition
            if scope not in self._scopes:
                self._scopes.append(scope)
                self._scopes.sort(key=SCOPES.index)
            if command is not None:

                async def starter(ctx: Context) -> None:
                    await self.start(ctx, key, args=ctx.args)

                starter.__qualname__ = f"dialog {key}"
                self.router.command(command)(starter)
            return function

        return register

    def machine(
        self,
        name: str,
        command: str | None = None,
        *,
        scope: Scope = "user_in_chat",
        timeout: float | None = 3600,
        timed_out: str | None = None,
        restarted: str = "Sorry, this bot was updated while we were talking; let's start again.",
    ) -> Machine:
        """A dialog made of named states (see :mod:`telewire.dialogs.machine`)."""
        machine = Machine(name)
        run = machine.run
        self.dialog(
            command,
            name=name,
            scope=scope,
            timeout=timeout,
            timed_out=timed_out,
            restarted=restarted,
        )(run)
        machine.definition = self._definitions[name]
        return machine

    async def start(
        self, ctx: Context, dialog: str | DialogFunction, *, args: Sequence[str] = ()
    ) -> None:
        """Start ``dialog`` for this update's user/chat, replacing one in progress there."""
        definition = self._definition(dialog)
        key = self._key(ctx, definition.scope)
        if key is None:
            raise RuntimeError(
                f"a {ctx.kind} update has no chat and user for a {definition.scope} dialog"
            )
        for _ in range(CONFLICT_ATTEMPTS):
            item = await self.storage.get(key)
            version = item.version if item is not None else None
            old = decode(item.value) if item is not None else None
            try:
                if old is not None and old.update_id == ctx.update.update_id and old.before < 0:
                    if old.sent:
                        return
                    await self._advance(ctx, key, version, before_update(old), definition, None)
                else:
                    await self._begin(ctx, key, version, definition, list(args))
                return
            except _Conflict:
                continue
        raise DialogConflict(f"could not start dialog {definition.name!r}: storage kept changing")

    async def close(self) -> None:
        """Stop timeout timers; close the storage if this object opened it."""
        self._timeouts.close()
        if self._owns_storage:
            await self.storage.close()

    # -- the middleware -----------------------------------------------------------------

    async def _middleware(self, ctx: Context, call_next: Callable[[], Awaitable[bool]]) -> Any:
        press = ctx.kind == "callback_query" and (ctx.callback_data or "").startswith(BUTTON_PREFIX)
        if not press and ctx.kind != "message":
            return await call_next()
        for _ in range(CONFLICT_ATTEMPTS):
            try:
                return await self._handle(ctx, call_next, press)
            except _Conflict:
                continue
        raise DialogConflict(f"update {ctx.update.update_id}: dialog state kept changing")

    async def _handle(
        self, ctx: Context, call_next: Callable[[], Awaitable[bool]], press: bool
    ) -> bool:
        found = await self._waiting(ctx)
        if found is None:
            if press:
                await _answer(ctx, "This question is closed.")
                return True
            if self.nothing_to_cancel and self._command(ctx) in self._cancel:
                await ctx.reply(self.nothing_to_cancel)
                return True
            return await call_next()
        key, version, state = found
        update_id = ctx.update.update_id
        if update_id < state.update_id:
            log.debug("update %s is older than dialog %s's last; ignored", update_id, key)
            if press:
                await _answer(ctx)
            return True
        definition = self._definitions.get(state.name)
        if definition is None:
            await self._end(ctx.bot, key, version, state.chat_id, self.gone)
            return True if press else await call_next()
        if update_id == state.update_id:  # delivered again: redo that step, unless sent
            if state.sent:
                if press:
                    await _answer(ctx)
                return True
            incoming = None if state.before < 0 else ctx
            await self._advance(ctx, key, version, before_update(state), definition, incoming)
            return True
        if state.deadline is not None and state.deadline <= self._now():
            await self._end(ctx.bot, key, version, state.chat_id, definition.timed_out)
            if press:
                await _answer(ctx)
                return True
            return await call_next()
        if press:
            instance, step = _button_target(ctx.callback_data or "")
            if instance != state.instance or step != len(state.steps):
                await _answer(ctx, "This question was answered already.")
                return True
        command = self._command(ctx)
        if command is not None:
            if command in self._cancel:
                await self._end(ctx.bot, key, version, state.chat_id, self.cancelled)
                return True
            if await call_next():  # another route took it: the dialog is over
                ended = await self.storage.compare_and_set(key, None, expected=version)
                if ended is not None:
                    self._timeouts.disarm(key)
                return True
        if state.fingerprint != definition.fingerprint:
            log.info("dialog %s changed since %s began; starting it again", state.name, key)
            await self._begin(ctx, key, version, definition, state.args, definition.restarted)
            return True
        await self._advance(ctx, key, version, state, definition, ctx)
        return True

    # -- state transitions ----------------------------------------------------------------

    async def _waiting(self, ctx: Context) -> tuple[str, int, DialogState] | None:
        """The dialog waiting for this update's answer, if any (an ended one only when this
        update was its last, delivered again)."""
        for scope in self._scopes:
            key = self._key(ctx, scope)
            if key is None:
                continue
            item = await self.storage.get(key)
            if item is None:
                continue
            state = decode(item.value)
            if state is None:
                log.warning("dialog state %s is unreadable (an older telewire?); dropped", key)
                await self.storage.compare_and_set(key, None, expected=item.version)
                continue
            if state.ended and state.update_id != ctx.update.update_id:
                continue
            return key, item.version, state
        return None

    async def _begin(
        self,
        ctx: Context,
        key: str,
        version: int | None,
        definition: Definition,
        args: list[str],
        notice: str | None = None,
    ) -> None:
        if ctx.chat_id is None:
            raise RuntimeError(f"a {ctx.kind} update has no chat to hold a dialog in")
        state = DialogState(
            name=definition.name,
            fingerprint=definition.fingerprint,
            instance=new_instance(),
            chat_id=ctx.chat_id,
            args=args,
        )
        await self._advance(ctx, key, version, state, definition, None, notice)

    async def _advance(
        self,
        ctx: Context,
        key: str,
        version: int | None,
        state: DialogState,
        definition: Definition,
        incoming: Context | None,
        notice: str | None = None,
    ) -> None:
        """Run the dialog over ``state`` (plus ``incoming``), store the result, then send."""
        dialog = Dialog(ctx, state, incoming)
        try:
            outcome = await run(definition.function, dialog)
        except Diverged as exc:
            if incoming is None and not state.steps:
                raise RuntimeError(f"dialog {definition.name!r} cannot run: {exc}") from None
            log.info("dialog %s no longer fits its answers (%s); starting it again", key, exc)
            await self._begin(ctx, key, version, definition, state.args, definition.restarted)
            return
        except Exception as exc:
            if not is_transient(exc):  # a bug: end the dialog, let the dispatcher park it
                await self.storage.compare_and_set(key, None, expected=version)
                self._timeouts.disarm(key)
            raise
        ended = outcome is ENDED
        deadline = None
        if not ended and definition.timeout is not None:
            deadline = self._now() + definition.timeout
        new = msgspec.structs.replace(
            state,
            steps=dialog.steps,
            chat_id=dialog.chat_id,
            update_id=ctx.update.update_id,
            before=len(state.steps) if incoming is not None else -1,
            deadline=deadline,
            ended=ended,
            sent=False,
        )
        if ended:
            ttl: float | None = KEEP_ENDED
        elif definition.timeout is not None:
            ttl = definition.timeout + KEEP_ENDED
        else:
            ttl = None
        stored = await self.storage.compare_and_set(key, encode(new), expected=version, ttl=ttl)
        if stored is None:
            raise _Conflict
        outbox: list[Send] = dialog.outbox
        if notice:
            outbox = [("send_message", {"chat_id": dialog.chat_id, "text": notice}), *outbox]
        await _send(ctx.bot, outbox)
        if outbox:
            sent = encode(msgspec.structs.replace(new, sent=True))
            marked = await self.storage.compare_and_set(key, sent, expected=stored, ttl=ttl)
            stored = marked if marked is not None else stored
        if deadline is None:
            self._timeouts.disarm(key)
        else:
            await self._timeouts.arm(ctx.bot, key, stored, deadline)

    async def _end(
        self, bot: AsyncBot, key: str, version: int, chat_id: int, message: str | None
    ) -> bool:
        """End the dialog at ``version`` and say ``message``; raises _Conflict if it moved."""
        if await self.storage.compare_and_set(key, None, expected=version) is None:
            raise _Conflict
        self._timeouts.disarm(key)
        if message:
            await bot.send_message(chat_id=chat_id, text=message)
        return True

    # -- timeouts ---------------------------------------------------------------------------

    async def _expire(self, bot: AsyncBot, key: str, version: int) -> None:
        """End the dialog at ``key`` if it is still at ``version`` and past its deadline."""
        item = await self.storage.get(key)
        if item is None or item.version != version:
            return  # answered, ended or taken over meanwhile (maybe by another process)
        state = decode(item.value)
        definition = self._definitions.get(state.name) if state is not None else None
        if state is None or definition is None or state.ended or state.deadline is None:
            return
        with contextlib.suppress(_Conflict):
            await self._end(bot, key, version, state.chat_id, definition.timed_out)

    # -- helpers ----------------------------------------------------------------------------

    def _definition(self, dialog: str | DialogFunction) -> Definition:
        if not isinstance(dialog, str):
            for definition in self._definitions.values():
                if definition.function is dialog:
                    return definition
            raise KeyError(f"{dialog!r} is not a registered dialog; decorate it with .dialog()")
        try:
            return self._definitions[dialog]
        except KeyError:
            known = ", ".join(sorted(self._definitions)) or "none"
            raise KeyError(f"no dialog named {dialog!r}; known: {known}") from None

    @staticmethod
    def _key(ctx: Context, scope: Scope) -> str | None:
        part = scope_part(scope, ctx.chat_id, ctx.user_id)
        return None if part is None else f"dialog:{ctx.bot.token.bot_id}:{part}"

    @staticmethod
    def _command(ctx: Context) -> str | None:
        text = ctx.text
        if ctx.kind != "message" or not text or text[0] != "/":
            return None
        return text[1:].partition(" ")[0].partition("@")[0].lower()


def _button_target(data: str) -> tuple[str, int]:
    instance, _, rest = data[len(BUTTON_PREFIX) :].partition(":")
    step = rest.partition(":")[0]
    return instance, int(step) if step.isdigit() else -1


COSMETIC = frozenset({"answer_callback_query", "edit_message_text"})
"""Calls whose failure loses nothing: stopping a button's spinner, showing the choice under
a question. Done again for a redelivered update they fail ("query is too old", "message is
not modified"); that must not stop the question after them."""


async def _send(bot: AsyncBot, outbox: list[Send]) -> None:
    for method, params in outbox:
        if method not in COSMETIC:
            await getattr(bot, method)(**params)
            continue
        try:
            await getattr(bot, method)(**params)
        except BadRequest as exc:
            log.debug("%s failed (%s); going on", method, exc)


async def _answer(ctx: Context, text: str | None = None) -> None:
    """Answer a press; a press answered before (a redelivered update) is too old to."""
    try:
        await ctx.answer(text)
    except BadRequest as exc:
        log.debug("could not answer a press (%s)", exc)
