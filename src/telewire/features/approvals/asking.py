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
    book: ApprovalBook | None = None,
    client: AsyncRequester | None = None,
    listen: bool | None = None,
    poll: float = WATCH,
) -> Decision:
    """The asyncio twin of :func:`ask`: same arguments, same decision, never blocks the loop."""
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


def approvals_router(book: ApprovalBook) -> Router:
    """A router answering approval buttons; include it in the bot that polls the token.

    It announces this process in the book's file, so :func:`ask` in any process waits on
    the shared book instead of polling beside the bot.
    """
    router = Router("approvals")
    announce(book.path)

    @router.callback(prefix="tw:")
    async def pressed(ctx: Context) -> None:
        query = ctx.callback_query
        assert query is not None
        user = {
            "id": query.from_user.id,
            "first_name": query.from_user.first_name,
            "username": query.from_user.username,
        }
        outcome = book.press(query.data or "", user)
        if outcome is None:
            return
        await ctx.answer(outcome.answer, show_alert=outcome.alert)
        if outcome.decision is not None:
            for method, params in _edits(book, outcome.decision.request_id):
                try:
                    await ctx.bot.request(method, params)
                except Exception:  # noqa: S110 (best effort: the message may be gone)
                    pass

    return router
