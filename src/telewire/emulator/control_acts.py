"""The control API's routes for what users do beyond writing and pressing.

Inline queries, poll votes, payments, joining and leaving groups, reactions, edits.
Each route is a body shape and a function of ``emulator.acts``; routes that wait for
the bot (an inline answer, a pre-checkout answer) wait at most the body's ``timeout``.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from telewire.deadlines import within
from telewire.emulator import control_shapes as s
from telewire.emulator.acts import inline, members, messages, payments, polls
from telewire.emulator.bodies import read_object
from telewire.emulator.control_shapes import shaped
from telewire.emulator.methods.polls import close_due
from telewire.emulator.world import BotState

if TYPE_CHECKING:
    from telewire.emulator.control_http import Control
    from telewire.emulator.server import EmulatorServer

ANSWER_EVENTS = frozenset({"inline_answer", "shipping_answer", "checkout_answer"})


class Answers:
    """Futures for bot answers to users' queries, settled by the engine's events."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def on_event(self, bot: BotState, event: str, payload: dict[str, Any]) -> None:
        if event in ANSWER_EVENTS:
            future = self.waiting.get(payload["query_id"])
            if future is not None and not future.done():
                future.set_result(payload)

    def expect(self, query_id: str) -> asyncio.Future[dict[str, Any]]:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[query_id] = future
        return future

    async def wait(self, query_id: str, future: asyncio.Future[Any], timeout: float) -> bool:
        """True if the bot answered within ``timeout`` seconds."""
        try:
            await within(future, timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            self.waiting.pop(query_id, None)


class Acts:
    def __init__(self, control: Control) -> None:
        self.engine = control.engine
        self.answers = Answers()
        self.engine.listeners.append(self.answers.on_event)

    async def inline_query(self, body: s.InlineQueryBody) -> Any:
        record = inline.type_query(
            self.engine,
            body.token,
            body.user.described(),
            body.query,
            chat_id=body.chat_id,
            offset=body.offset,
        )
        future = self.answers.expect(record.id)
        await self.answers.wait(record.id, future, body.timeout)
        return inline.answer_of(record)

    async def inline_answer(self, body: s.InlineAnswerBody) -> Any:
        record = inline.query_of(
            self.engine, body.token, body.user.described(), body.inline_query_id
        )
        if not record.answered:
            future = self.answers.expect(record.id)
            await self.answers.wait(record.id, future, body.timeout)
        return inline.answer_of(record)

    async def choose(self, body: s.ChooseBody) -> Any:
        return inline.choose(
            self.engine, body.token, body.user.described(), body.inline_query_id, body.result_id
        )

    async def vote(self, body: s.VoteBody) -> Any:
        return polls.vote(
            self.engine,
            body.token,
            body.user.described(),
            body.chat_id,
            body.message_id,
            body.option_ids,
        )

    async def pay(self, body: s.PayBody) -> Any:
        checkout = payments.pay(
            self.engine,
            body.token,
            body.user.described(),
            chat_id=body.chat_id,
            message_id=body.message_id,
            invoice_link=body.invoice_link,
            tip_amount=body.tip_amount,
            shipping_option_id=body.shipping_option_id,
            order_info=body.order_info,
        )
        future = self.answers.expect(checkout.id)
        await self.answers.wait(checkout.id, future, body.timeout)
        return payments.outcome(self.engine, body.token, checkout)

    async def join(self, body: s.JoinBody) -> Any:
        status = members.join(
            self.engine,
            body.token,
            body.user.described(),
            body.chat_id,
            invite_link=body.invite_link,
            request=body.request,
        )
        return {"status": status}

    async def leave(self, body: s.LeaveBody) -> Any:
        members.leave(self.engine, body.token, body.user.described(), body.chat_id)
        return {"status": "left"}

    async def member(self, body: s.MemberBody) -> Any:
        return members.set_member(
            self.engine,
            body.token,
            body.user.described(),
            body.chat_id,
            body.member_id,
            body.status,
            rights=body.rights,
            until_date=body.until_date,
            custom_title=body.custom_title,
        )

    async def edit(self, body: s.EditBody) -> Any:
        return messages.edit(
            self.engine, body.token, body.user.described(), body.chat_id, body.message_id, body.text
        )

    async def react(self, body: s.ReactBody) -> Any:
        chosen = messages.react(
            self.engine,
            body.token,
            body.user.described(),
            body.chat_id,
            body.message_id,
            body.emoji,
        )
        return {"reaction": chosen}

    async def send_object(self, body: s.ObjectBody) -> Any:
        return messages.send_object(
            self.engine,
            body.token,
            body.user.described(),
            body.kind,
            body.fields,
            chat_id=body.chat_id,
            message_thread_id=body.message_thread_id,
        )


TICK = 0.2
"""Seconds between checks for polls whose time is up."""


async def _close_polls_in_time(server: EmulatorServer) -> None:
    while True:
        await asyncio.sleep(TICK)
        if close_due(server.engine):
            server.changed()


def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()


def _start_ticker(server: EmulatorServer) -> None:
    async def start(app: web.Application) -> None:
        task = asyncio.get_running_loop().create_task(_close_polls_in_time(server))
        server.on_close.append(lambda: _cancel(task))

    server.app.on_startup.append(start)


ROUTES: list[tuple[str, type[Any], str]] = [
    ("/emulator/inline", s.InlineQueryBody, "inline_query"),
    ("/emulator/inline/answer", s.InlineAnswerBody, "inline_answer"),
    ("/emulator/inline/choose", s.ChooseBody, "choose"),
    ("/emulator/vote", s.VoteBody, "vote"),
    ("/emulator/pay", s.PayBody, "pay"),
    ("/emulator/join", s.JoinBody, "join"),
    ("/emulator/leave", s.LeaveBody, "leave"),
    ("/emulator/member", s.MemberBody, "member"),
    ("/emulator/edit", s.EditBody, "edit"),
    ("/emulator/react", s.ReactBody, "react"),
    ("/emulator/send_object", s.ObjectBody, "send_object"),
]
"""Each route: its path, its body's shape and the :class:`Acts` method serving it."""
ROUTE_PATHS = tuple(path for path, _, _ in ROUTES)


def install(server: EmulatorServer, control: Control) -> Acts:
    """Add the routes of users' acts to the server's control API."""
    from telewire.emulator.control_http import _json

    acts = Acts(control)
    _start_ticker(server)

    def handler(shape: type[Any], act: Callable[[Any], Awaitable[Any]]) -> Any:
        async def handle(request: web.Request) -> web.StreamResponse:
            body = shaped(await read_object(request), shape)
            return _json(await act(body))

        return handle

    for path, shape, name in ROUTES:
        act = getattr(acts, name)
        server.app.router.add_post(path, functools.partial(control.guarded, handler(shape, act)))
    return acts
