"""Asking: send the question to the approvers, then learn the decision.

Two ways to hear the presses:

* ``listen=True`` (the default for :func:`ask`): this call polls the bot itself until the
  request is decided or expires. Use a bot dedicated to approvals, since other updates
  arriving meanwhile are consumed.
* ``listen=False``: a bot that is already running includes :func:`approvals_router`,
  and this call only watches the shared approvals file, so any process can ask.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from telewire.features.approvals.book import ApprovalBook, Decision, PressOutcome
from telewire.routing.context import Context
from telewire.routing.router import Router


def _send_question(book: ApprovalBook, request_id: str, send: Any) -> None:
    for chat_id in sorted(book.approvers):
        message = send(
            "sendMessage",
            {
                "chat_id": chat_id,
                "text": book.question_text(request_id),
                "reply_markup": book.buttons(request_id),
            },
        )
        book.remember_message(request_id, chat_id, int(message["message_id"]))


def _edits(book: ApprovalBook, request_id: str) -> list[dict[str, Any]]:
    text = book.outcome_text(request_id)
    return [{"chat_id": c, "message_id": m, "text": text} for c, m in book.messages(request_id)]


def ask(
    book: ApprovalBook,
    question: str,
    *,
    note: str | None = None,
    timeout: float = 300.0,
    client: Any = None,
    listen: bool = True,
    poll: float = 0.2,
) -> Decision:
    """Ask the approvers and block until approved, denied, or expired.

    ``question`` states the facts (the program writes it); ``note`` is free text someone
    else typed, shown quoted on one line. The timeout is wall-clock time.
    """
    from telewire.client.blocking import BlockingClient

    own = client is None
    client = client or BlockingClient(timeout=40)
    offset: int | None = None
    try:
        request_id = book.create(question, timeout, note=note)
        _send_question(book, request_id, client.request)
        deadline = time.time() + timeout
        while time.time() < deadline and book.decision(request_id).status == "pending":
            if not listen:
                time.sleep(poll)
                continue
            wait = int(max(0, min(5, deadline - time.time())))
            for update in client.request("getUpdates", {"offset": offset, "timeout": wait}):
                offset = update["update_id"] + 1
                query = update.get("callback_query")
                if query:
                    _handle_press_sync(book, client, query)
        if book.expire_if_due(request_id) is not None:
            for edit in _edits(book, request_id):
                _quietly(client.request, "editMessageText", edit)
        return book.decision(request_id)
    finally:
        if offset is not None:  # confirm what was read
            _quietly(client.request, "getUpdates", {"offset": offset, "timeout": 0, "limit": 1})
        if own:
            client.close()


def _handle_press_sync(
    book: ApprovalBook, client: Any, query: dict[str, Any]
) -> PressOutcome | None:
    outcome = book.press(query.get("data") or "", query.get("from") or {})
    if outcome is None:
        return None
    _quietly(
        client.request,
        "answerCallbackQuery",
        {"callback_query_id": query["id"], "text": outcome.answer, "show_alert": outcome.alert},
    )
    if outcome.decision is not None:
        for edit in _edits(book, outcome.decision.request_id):
            _quietly(client.request, "editMessageText", edit)
    return outcome


def _quietly(call: Any, method: str, params: dict[str, Any]) -> None:
    from telewire.core.errors import APIError

    try:
        call(method, params)
    except APIError:  # an old query or an unchanged message: nothing to repair
        pass


async def ask_async(
    book: ApprovalBook,
    question: str,
    *,
    bot: Any,
    note: str | None = None,
    timeout: float = 300.0,
    poll: float = 0.2,
) -> Decision:
    """Ask from asyncio code. Presses are heard by a bot running :func:`approvals_router`."""
    request_id = book.create(question, timeout, note=note)
    for chat_id in sorted(book.approvers):
        message = await bot.request(
            "sendMessage",
            {
                "chat_id": chat_id,
                "text": book.question_text(request_id),
                "reply_markup": book.buttons(request_id),
            },
        )
        book.remember_message(request_id, chat_id, int(message["message_id"]))
    deadline = time.time() + timeout
    while time.time() < deadline:
        decision = book.decision(request_id)
        if decision.status != "pending":
            return decision
        await asyncio.sleep(poll)
    if book.expire_if_due(request_id) is not None:
        for edit in _edits(book, request_id):
            try:
                await bot.request("editMessageText", edit)
            except Exception:  # noqa: S110 (best effort: the message may be gone)
                pass
    return book.decision(request_id)


def approvals_router(book: ApprovalBook) -> Router:
    """A router answering approval buttons; include it in your bot's router."""
    router = Router("approvals")

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
            for edit in _edits(book, outcome.decision.request_id):
                try:
                    await ctx.bot.request("editMessageText", edit)
                except Exception:  # noqa: S110 (best effort)
                    pass

    return router
