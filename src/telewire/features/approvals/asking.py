"""Asking: send the question to the approvers, then learn the decision.

One way to ask, in two twins: :func:`ask` (blocking) and :func:`ask_async` (asyncio),
both exported from ``telewire``. Where the decision comes from:

* A bot that already polls this token includes :func:`approvals_router` (which announces
  its process in the book's file): the asker only watches the shared book, so the bot
  keeps every update and any process can ask. A second poller would take the bot's
  updates away from it, and Telegram answers one of the two with 409 Conflict.
* Otherwise the asker polls the bot itself until the request is decided or expires; other
  updates arriving meanwhile are consumed, so use a bot dedicated to approvals then.

``listen=True`` / ``listen=False`` forces one or the other.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec

from telewire.features.approvals.book import ApprovalBook, Decision
from telewire.features.approvals.presence import announce, answered_elsewhere
from telewire.features.approvals.shared import SharedApprovalBook
from telewire.features.protocols import AsyncRequester, Requester
from telewire.routing.context import Context
from telewire.routing.router import Router

if TYPE_CHECKING:
    from telewire.client.async_bot import AsyncBot
    from telewire.client.blocking import BlockingClient

WATCH = 0.2  # seconds between looks at the shared book
Call = tuple[str, dict[str, Any]]


def _book_for(book: ApprovalBook | None, approvers: Iterable[int] | None) -> ApprovalBook:
    """The book to ask in: the one given, or the state directory's for ``approvers``."""
    if book is not None:
        if approvers is not None:
            raise ValueError("give the approvers to the ApprovalBook, not to ask() as well")
        return book
    from telewire import settings
    from telewire.paths import state_dir

    if approvers is None:
        chat = settings.resolve().chat_id
        if not chat:
            raise ValueError(
                "no approver: pass approvers=[user id], set TELEGRAM_CHAT_ID, "
                "or run `telewire setup`"
            )
        approvers = [int(chat)]
    return ApprovalBook(state_dir() / "approvals.db", approvers=approvers)


def _question(book: ApprovalBook, request_id: str, chat_id: int) -> dict[str, Any]:
    return {
        "chat_id": chat_id,
        "text": book.question_text(request_id),
        "reply_markup": msgspec.to_builtins(book.buttons(request_id)),
    }


def _edits(book: ApprovalBook, request_id: str) -> list[Call]:
    text = book.outcome_text(request_id)
    return [
        ("editMessageText", {"chat_id": c, "message_id": m, "text": text})
        for c, m in book.messages(request_id)
    ]


def _answers(book: ApprovalBook, update: dict[str, Any]) -> list[Call]:
    """The calls that answer a press: the toast, then the edits a decision makes due."""
    query = update.get("callback_query")
    if not query:
        return []
    outcome = book.press(query.get("data") or "", query.get("from") or {})
    if outcome is None:
        return []
    answer = {"callback_query_id": query["id"], "text": outcome.answer, "show_alert": outcome.alert}
    calls: list[Call] = [("answerCallbackQuery", answer)]
    if outcome.decision is not None:
        calls += _edits(book, outcome.decision.request_id)
    return calls


def _listens(book: ApprovalBook, listen: bool | None) -> bool:
    return not answered_elsewhere(book.path) if listen is None else listen


def ask(
    question: str,
    *,
    note: str | None = None,
    timeout: float = 300.0,
    approvers: Iterable[int] | None = None,
    book: ApprovalBook | None = None,
    client: Requester | None = None,
    listen: bool | None = None,
    poll: float = WATCH,
) -> Decision:
    """Ask with ✅ Approve / ❌ Deny buttons; block until approved, denied or expired.

    ``question`` states the facts (the program writes it); ``note`` is free text someone
    else typed, shown quoted on one line. The timeout is wall-clock time. ``approvers``
    (user ids; default: the configured chat) use the state directory's book; pass
    ``book`` to share one with a running bot. ``client`` defaults to one from the
    settings. ``listen``: see the module docstring (None decides by itself);
    ``poll``: seconds between looks at the shared book when not listening.
    """
    if isinstance(book, SharedApprovalBook):
        raise ValueError(
            "a SharedApprovalBook is asked from async code: await ask_async(..., book=book)"
        )
    the_book = _book_for(book, approvers)
    own: BlockingClient | None = None
    if client is None:
        from telewire.client.blocking import BlockingClient

        client = own = BlockingClient(timeout=40)
    offset: int | None = None
    try:
        request_id = the_book.create(question, timeout, note=note)
        for chat_id in sorted(the_book.approvers):
            message = client.request("sendMessage", _question(the_book, request_id, chat_id))
            the_book.remember_message(request_id, chat_id, int(message["message_id"]))
        polls = _listens(the_book, listen)
        deadline = time.time() + timeout
        while time.time() < deadline and the_book.decision(request_id).status == "pending":
            if not polls:
                time.sleep(poll)
                continue
            wait = int(max(0, min(5, deadline - time.time())))
            for update in client.request("getUpdates", {"offset": offset, "timeout": wait}):
                offset = update["update_id"] + 1
                for method, params in _answers(the_book, update):
                    _quietly(client, method, params)
        if the_book.expire_if_due(request_id) is not None:
            for method, params in _edits(the_book, request_id):
                _quietly(client, method, params)
        return the_book.decision(request_id)
    finally:
        if offset is not None:  # confirm what was read
            _quietly(client, "getUpdates", {"offset": offset, "timeout": 0, "limit": 1})
        if own is not None:
            own.close()
        if book is None:
            the_book.close()


async def ask_async(
    question: str,
    *,
    note: str | None = None,
    timeout: float = 300.0,
    approvers: Iterable[int] | None = None,
    book: ApprovalBook | SharedApprovalBook | None = None,
    client: AsyncRequester | None = None,
    listen: bool | None = None,
    poll: float = WATCH,
) -> Decision:
    """The asyncio twin of :func:`ask`: same arguments, same decision, never blocks the loop.

    ``book`` may also be a :class:`SharedApprovalBook` (requests in a storage several
    machines share): the bot's :func:`approvals_router` hears the presses on whichever
    machine, and this waits for the decision in the storage (``listen`` does not apply).
    """
    if isinstance(book, SharedApprovalBook):
        if approvers is not None:
            raise ValueError("give the approvers to the SharedApprovalBook, not to ask_async")
        return await _ask_shared(book, question, note, timeout, client, poll)
    the_book = _book_for(book, approvers)
    own: AsyncBot | None = None
    if client is None:
        from telewire.client.async_bot import AsyncBot

        client = own = AsyncBot(timeout=40)
    offset: int | None = None
    try:
        request_id = the_book.create(question, timeout, note=note)
        for chat_id in sorted(the_book.approvers):
            message = await client.request("sendMessage", _question(the_book, request_id, chat_id))
            the_book.remember_message(request_id, chat_id, int(message["message_id"]))
        polls = _listens(the_book, listen)
        deadline = time.time() + timeout
        while time.time() < deadline and the_book.decision(request_id).status == "pending":
            if not polls:
                await asyncio.sleep(poll)
                continue
            wait = int(max(0, min(5, deadline - time.time())))
            for update in await client.request("getUpdates", {"offset": offset, "timeout": wait}):
                offset = update["update_id"] + 1
                for method, params in _answers(the_book, update):
                    await _quietly_async(client, method, params)
        if the_book.expire_if_due(request_id) is not None:
            for method, params in _edits(the_book, request_id):
                await _quietly_async(client, method, params)
        return the_book.decision(request_id)
    finally:
        if offset is not None:
            await _quietly_async(client, "getUpdates", {"offset": offset, "timeout": 0, "limit": 1})
        if own is not None:
            await own.close()
        if book is None:
            the_book.close()


async def _ask_shared(
    book: SharedApprovalBook,
    question: str,
    note: str | None,
    timeout: float,
    client: AsyncRequester | None,
    poll: float,
) -> Decision:
    own: AsyncBot | None = None
    if client is None:
        from telewire.client.async_bot import AsyncBot

        client = own = AsyncBot(timeout=40)
    try:
        request_id = await book.create(question, timeout, note=note)
        markup = msgspec.to_builtins(await book.buttons(request_id))
        text = await book.question_text(request_id)
        for chat_id in sorted(book.approvers):
            message = await client.request(
                "sendMessage", {"chat_id": chat_id, "text": text, "reply_markup": markup}
            )
            await book.remember_message(request_id, chat_id, int(message["message_id"]))
        deadline = time.time() + timeout
        # Decided on whichever machine gets the press: there is no event here to wait on.
        while time.time() < deadline and (await book.decision(request_id)).status == "pending":  # noqa: ASYNC110
            await asyncio.sleep(poll)
        if await book.expire_if_due(request_id) is not None:
            for method, params in await _shared_edits(book, request_id):
                await _quietly_async(client, method, params)
        return await book.decision(request_id)
    finally:
        if own is not None:
            await own.close()


async def _shared_edits(book: SharedApprovalBook, request_id: str) -> list[Call]:
    text = await book.outcome_text(request_id)
    return [
        ("editMessageText", {"chat_id": c, "message_id": m, "text": text})
        for c, m in await book.messages(request_id)
    ]


def _quietly(client: Requester, method: str, params: dict[str, Any]) -> None:
    from telewire.core.errors import APIError

    try:
        client.request(method, params)
    except APIError:  # an old query or an unchanged message: nothing to repair
        pass


async def _quietly_async(client: AsyncRequester, method: str, params: dict[str, Any]) -> None:
    from telewire.core.errors import APIError

    try:
        await client.request(method, params)
    except APIError:
        pass


def approvals_router(book: ApprovalBook | SharedApprovalBook) -> Router:
    """A router answering approval buttons; include it in the bot that polls the token.

    It announces this process in the book's file, so :func:`ask` in any process waits on
    the shared book instead of polling beside the bot. With a :class:`SharedApprovalBook`
    every worker of a distributed bot answers presses, wherever the request was asked.
    """
    router = Router("approvals")
    if isinstance(book, SharedApprovalBook):
        shared = book

        @router.callback(prefix="tw:")
        async def pressed_shared(ctx: Context) -> None:
            query = ctx.callback_query
            assert query is not None
            outcome = await shared.press(query.data or "", _presser(query))
            if outcome is None:
                return
            await ctx.answer(outcome.answer, show_alert=outcome.alert)
            if outcome.decision is not None:
                await _edit_best_effort(
                    ctx, await _shared_edits(shared, outcome.decision.request_id)
                )

        return router
    announce(book.path)

    @router.callback(prefix="tw:")
    async def pressed(ctx: Context) -> None:
        query = ctx.callback_query
        assert query is not None
        outcome = book.press(query.data or "", _presser(query))
        if outcome is None:
            return
        await ctx.answer(outcome.answer, show_alert=outcome.alert)
        if outcome.decision is not None:
            await _edit_best_effort(ctx, _edits(book, outcome.decision.request_id))

    return router


def _presser(query: Any) -> dict[str, Any]:
    user = query.from_user
    return {"id": user.id, "first_name": user.first_name, "username": user.username}


async def _edit_best_effort(ctx: Context, calls: list[Call]) -> None:
    for method, params in calls:
        try:
            await ctx.bot.request(method, params)
        except Exception:  # noqa: S110 (best effort: the message may be gone)
            pass
