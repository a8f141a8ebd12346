"""Routers: handlers registered with decorators, middlewares around them, nesting.

    router = Router()

    @router.command("start")
    async def start(ctx): await ctx.reply("Hi!")

    @router.text("hello", ignore_case=True)
    def hello(ctx): ctx.reply("Hey there!")          # sync handlers run in a thread pool

    @router.callback(prefix="vote:")
    async def vote(ctx): await ctx.answer("Thanks")

The first route that matches an update handles it; a router's own routes are tried
before the routers it includes. A middleware is ``async def mw(ctx, call_next)`` and
wraps everything its router handles (``return await call_next()`` to go on).

A route's matcher finds what it needs (``ctx.args``, ``ctx.match``) without touching the
context: what it found is committed only once every check of the route passed, so a route
whose extra filter fails leaves nothing behind for the next one.

Error handlers are chosen by exception type, the most specific first (as in starlette).
Transient trouble (network, 5xx, 429; see :mod:`telewire.core.retry`) is never given to
them: it goes on to the dispatcher, which runs the update again later, so an error handler
cannot turn an outage into updates confirmed as handled.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

from telewire.core.retry import TRANSIENT, is_transient
from telewire.routing.context import Context, SyncContext
from telewire.routing.filters import Filter, Predicate, as_filter

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from telewire.api._generated.types import BotCommand
    from telewire.client.bot import Bot

Handler = Callable[[Context], Awaitable[object]] | Callable[[SyncContext], object]
"""``async def h(ctx: Context)``, or a plain ``def h(ctx: SyncContext)`` (run in a thread)."""
H = TypeVar("H", bound=Handler)
OnError = (
    Callable[[Context, BaseException], Awaitable[object]]
    | Callable[[SyncContext, BaseException], object]
)
"""An error handler: ``(ctx, exc)``, async or plain like any handler."""
E = TypeVar("E", bound=OnError)
Found = dict[str, Any]
"""What a matcher found, to set on the context (``{"args": [...]}``); empty for nothing."""
Matcher = Callable[[Context], "Found | bool | None"]
"""Returns what it found, or None/False for no match (True: a match with nothing found)."""
Middleware = Callable[[Context, Callable[[], Awaitable[bool]]], Awaitable[Any]]
ErrorHandler = Callable[[Any, BaseException], Any]
Description = str | dict[str, str]
"""A command's menu text, or its texts by language code (``""`` for everyone else)."""


class Runtime:
    """What running handlers needs besides the update: threads for sync handlers, a sync bot."""

    def __init__(
        self, executor: Executor | None, sync_bot: Callable[[], Bot], bot_username: str = ""
    ) -> None:
        self.executor = executor
        self.sync_bot = sync_bot
        self.bot_username = bot_username.lower()


class Route:
    __slots__ = ("handler", "is_async", "matcher", "name")

    def __init__(self, handler: Callable[..., Any], matcher: Matcher) -> None:
        self.handler = handler
        self.is_async = inspect.iscoroutinefunction(handler)
        self.matcher = matcher
        self.name = getattr(handler, "__qualname__", repr(handler))


def _found(result: Found | bool | None) -> Found | None:
    if result is None or result is False:
        return None
    return {} if result is True else result


def _apply(ctx: Context, found: Found) -> None:
    for name, value in found.items():
        setattr(ctx, name, value)


def _with_filter(matcher: Matcher, predicate: Predicate | None) -> Matcher:
    """``matcher``, then ``predicate`` seeing what it found; the context is left as it was."""
    if predicate is None:
        return matcher
    extra = as_filter(predicate)

    def check(ctx: Context) -> Found | None:
        found = _found(matcher(ctx))
        if found is None:
            return None
        before = {name: getattr(ctx, name) for name in found}
        _apply(ctx, found)
        try:
            passed = extra(ctx)
        finally:
            _apply(ctx, before)
        return found if passed else None

    return check


class Router:
    """A set of routes, middlewares, error handlers and included routers."""

    def __init__(self, name: str = "router") -> None:
        self.name = name
        self._routes: dict[str, list[Route]] = {}
        self._children: list[Router] = []
        self._middlewares: list[Middleware] = []
        self._error_handlers: dict[type[BaseException], list[ErrorHandler]] = {}
        self._descriptions: dict[str, Description] = {}

    # -- building -------------------------------------------------------------------

    def add(self, kind: str, handler: Callable[..., Any], matcher: Matcher) -> None:
        self._routes.setdefault(kind, []).append(Route(handler, matcher))

    def on(self, kind: str, filter: Predicate | None = None) -> Callable[[H], H]:
        """Handle any update of ``kind`` ("message", "edited_message", "my_chat_member"...)."""

        def register(handler: H) -> H:
            self.add(kind, handler, _with_filter(lambda ctx: True, filter))
            return handler

        return register

    def message(self, filter: Predicate | None = None) -> Callable[[H], H]:
        """Handle messages (optionally only those passing ``filter``)."""
        return self.on("message", filter)

    def command(
        self,
        *names: str,
        filter: Predicate | None = None,
        description: Description | None = None,
    ) -> Callable[[H], H]:
        """Handle ``/name args`` (also ``/name@ThisBot``); ``ctx.args`` holds the words.

        With a ``description`` (text, or ``{language_code: text}`` with ``""`` for the
        default) the command is listed in the bot's menu: see :meth:`commands_menu`.
        """
        wanted = frozenset(n.lower().lstrip("/") for n in names)
        if description is not None:
            from telewire.routing.menu import checked_description

            for name in sorted(wanted):
                self._descriptions[name] = checked_description(name, description)

        def matcher(ctx: Context) -> Found | None:
            text = ctx.text
            if not text or text[0] != "/":
                return None
            head, _, rest = text[1:].partition(" ")
            command, _, addressee = head.partition("@")
            if command.lower() not in wanted:
                return None
            runtime: Runtime | None = ctx.data.get("runtime")
            if (
                addressee
                and runtime is not None
                and runtime.bot_username
                and addressee.lower() != runtime.bot_username
            ):
                return None
            return {"args": rest.split()}

        return self._register("message", _with_filter(matcher, filter))

    def text(
        self,
        exact: str | None = None,
        *,
        ignore_case: bool = False,
        pattern: str | re.Pattern[str] | None = None,
        contains: str | None = None,
        filter: Predicate | None = None,
    ) -> Callable[[H], H]:
        """Handle text messages: equal to ``exact``, matching ``pattern``, or containing text."""
        flags = re.IGNORECASE if ignore_case else 0
        regex = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        want = exact.strip().casefold() if (exact is not None and ignore_case) else exact
        part = contains.casefold() if (contains is not None and ignore_case) else contains

        def matcher(ctx: Context) -> Found | bool:
            text = ctx.text
            if text is None:
                return False
            if want is not None:
                return (text.strip().casefold() if ignore_case else text) == want
            if regex is not None:
                match = regex.search(text)
                return {"match": match} if match is not None else False
            if part is not None:
                return part in (text.casefold() if ignore_case else text)
            return True

        return self._register("message", _with_filter(matcher, filter))

    def callback(
        self,
        data: str | Filter | None = None,
        *,
        prefix: str | None = None,
        pattern: str | re.Pattern[str] | None = None,
        filter: Predicate | None = None,
    ) -> Callable[[H], H]:
        """Handle inline-button presses by exact ``data``, ``prefix`` or regex ``pattern``.

        ``data`` may be a filter instead, as typed callback data builds one:
        ``router.callback(OrderAction.filter(action="buy"))``.
        """
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        if isinstance(data, Filter):
            filter = data if filter is None else data & filter
            data = None

        def matcher(ctx: Context) -> Found | bool:
            value = ctx.callback_data
            if value is None:
                return False
            if data is not None:
                return value == data
            if prefix is not None:
                return value.startswith(prefix)
            if regex is not None:
                match = regex.search(value)
                return {"match": match} if match is not None else False
            return True

        return self._register("callback_query", _with_filter(matcher, filter))

    def _register(self, kind: str, matcher: Matcher) -> Callable[[H], H]:
        def register(handler: H) -> H:
            self.add(kind, handler, matcher)
            return handler

        return register

    def use(self, middleware: Middleware) -> Middleware:
        """Wrap everything this router handles in ``middleware`` (usable as a decorator)."""
        self._middlewares.append(middleware)
        return middleware

    @overload
    def error(self, handler: E, /) -> E: ...
    @overload
    def error(self, *types: type[Exception]) -> Callable[[E], E]: ...
    def error(self, *given: Any) -> Any:
        """Call ``handler(ctx, exc)`` when a handler of this router (or below) raises.

        ``@router.error`` takes every error except transient ones; ``@router.error(KeyError,
        ValueError)`` only those types. For an error, the handlers of its most specific
        registered type run; an error no handler takes goes on to the dispatcher, which logs
        and parks the update. Transient errors cannot be registered: the dispatcher retries
        them, and confirming their updates as handled would lose them.
        """
        if len(given) == 1 and not isinstance(given[0], type):
            return self._add_error_handler((Exception,), given[0])
        for kind in given:
            if not (isinstance(kind, type) and issubclass(kind, Exception)):
                raise TypeError(f"router.error() takes exception types, not {kind!r}")
            if issubclass(kind, TRANSIENT):
                raise ValueError(
                    f"{kind.__name__} is transient: the dispatcher handles the update again "
                    "later, so error handlers cannot take it (log it in a middleware instead)"
                )
        return lambda handler: self._add_error_handler(given or (Exception,), handler)

    def _add_error_handler(self, types: tuple[type[Exception], ...], handler: E) -> E:
        for kind in types:
            self._error_handlers.setdefault(kind, []).append(handler)
        return handler

    def _error_handlers_for(self, error: BaseException) -> list[ErrorHandler]:
        if is_transient(error):
            return []
        for kind in type(error).__mro__:
            handlers = self._error_handlers.get(kind)  # type: ignore[call-overload]
            if handlers:
                return handlers
        return []

    def commands_menu(self, language_code: str = "") -> list[BotCommand]:
        """The described commands of this router and those it includes, for setMyCommands.

        Texts for ``language_code`` where given, else the default (``""``) text; commands
        with neither are left out. See :func:`telewire.routing.menu.publish_commands`.
        """
        from telewire.routing.menu import menu_of

        return menu_of(self._all_descriptions(), language_code)

    def _all_descriptions(self) -> dict[str, Description]:
        found: dict[str, Description] = {}
        for child in reversed(self._children):
            found.update(child._all_descriptions())
        found.update(self._descriptions)  # a router's own beat those it includes
        return found

    def include(self, router: Router) -> Router:
        """Add a router whose routes are tried after this one's own."""
        if router is self:
            raise ValueError("a router cannot include itself")
        self._children.append(router)
        return router

    # -- dispatching ------------------------------------------------------------------

    async def dispatch(self, ctx: Context) -> bool:
        """Handle ``ctx`` with the first matching route; return whether one matched."""
        if not self._middlewares:
            return await self._guarded(ctx)
        chain: Callable[[], Awaitable[bool]] = lambda: self._guarded(ctx)  # noqa: E731
        for middleware in reversed(self._middlewares):
            chain = _link(middleware, ctx, chain)
        return await chain()

    async def _guarded(self, ctx: Context) -> bool:
        if not self._error_handlers:
            return await self._route(ctx)
        try:
            return await self._route(ctx)
        except Exception as exc:
            handlers = self._error_handlers_for(exc)
            if not handlers:
                raise
            for handler in handlers:
                result = handler(ctx, exc)
                if inspect.isawaitable(result):
                    await result
            return True

    async def _route(self, ctx: Context) -> bool:
        for route in self._routes.get(ctx.kind, ()):
            found = _found(route.matcher(ctx))
            if found is not None:
                _apply(ctx, found)
                await _call(route, ctx)
                return True
        for child in self._children:
            if await child.dispatch(ctx):
                return True
        return False

    def __repr__(self) -> str:
        count = sum(len(r) for r in self._routes.values())
        return f"Router({self.name!r}, routes={count}, children={len(self._children)})"


def _link(
    middleware: Middleware, ctx: Context, inner: Callable[[], Awaitable[bool]]
) -> Callable[[], Awaitable[bool]]:
    async def step() -> bool:
        called = False

        async def call_next() -> bool:
            nonlocal called
            called = True
            return await inner()

        result = await middleware(ctx, call_next)
        return bool(result) if isinstance(result, bool) else True

    return step


async def _call(route: Route, ctx: Context) -> None:
    if route.is_async:
        await route.handler(ctx)
        return
    runtime: Runtime = ctx.data["runtime"]
    sync_ctx = SyncContext(ctx.update, ctx.kind, ctx.chat_id, runtime.sync_bot())
    sync_ctx.args, sync_ctx.match, sync_ctx.data = ctx.args, ctx.match, ctx.data
    loop = asyncio.get_running_loop()
    # In the handler's thread, the context variables of the update (its language...) hold,
    # as with asyncio.to_thread.
    run_in_context = functools.partial(contextvars.copy_context().run, route.handler, sync_ctx)
    await loop.run_in_executor(runtime.executor, run_in_context)


__all__ = ["Filter", "Router", "Runtime"]
