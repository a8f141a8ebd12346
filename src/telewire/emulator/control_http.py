"""The control API (``/emulator/...``), its live event stream, and the chat page.

JSON in, JSON out. Successful calls answer the object itself (a Message, a Chat...);
failures answer ``{"ok": false, "error_code", "description"}`` with the HTTP status.
Documented in the README; the chat page and the pytest plugin use nothing else.
"""

from __future__ import annotations

import asyncio
import functools
import math
import secrets
from importlib import resources
from typing import TYPE_CHECKING, Any

import msgspec
from aiohttp import web

from telewire.api._generated import types as t
from telewire.deadlines import within
from telewire.emulator import control, control_acts
from telewire.emulator.bodies import object_of, read_form, read_object
from telewire.emulator.control_shapes import (
    BlockBody,
    BotBody,
    ChatBody,
    FaultsBody,
    PressBody,
    SendBody,
    TokenBody,
    UploadBody,
    shaped,
)
from telewire.emulator.errors import ApiFailure
from telewire.emulator.faults import InvalidFaults
from telewire.emulator.methods.inline import find_inline_message
from telewire.emulator.params import coerce_integer, json_value
from telewire.emulator.server import TOKEN_PATH, Answer
from telewire.emulator.uploads import Upload
from telewire.emulator.world import BotState

if TYPE_CHECKING:
    from telewire.emulator.server import EmulatorServer

_encoder = msgspec.json.Encoder()
PAGE_EVENTS = frozenset(
    {"message", "edit", "delete", "callback_answer", "action", "pin", "reaction", "update", "press"}
    | {"inline_query", "inline_answer", "vote", "member", "draft"}
)


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=_encoder.encode(data), content_type="application/json")


def _error(code: int, description: str) -> web.Response:
    return _json({"ok": False, "error_code": code, "description": description}, code)


class Control:
    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.engine = server.engine
        self.streams: list[tuple[str | None, asyncio.Queue[bytes]]] = []
        self.answers: dict[str, asyncio.Future[dict[str, Any] | None]] = {}
        self.engine.listeners.append(self._on_event)

    def close_streams(self) -> None:
        """End every event stream, so shutting down does not wait for browsers."""
        for _, queue in self.streams:
            queue.put_nowait(b"")

    def _on_event(self, bot: BotState, event: str, payload: dict[str, Any]) -> None:
        if event == "callback_answer":
            future = self.answers.get(payload["callback_query_id"])
            if future is not None and not future.done():
                future.set_result({"text": payload["text"], "show_alert": payload["show_alert"]})
        if event in PAGE_EVENTS and self.streams:
            data = (
                b"data: " + _encoder.encode({"type": event, "bot_id": bot.id, **payload}) + b"\n\n"
            )
            for token, queue in self.streams:
                if token is None or token == bot.token:
                    queue.put_nowait(data)

    async def guarded(self, handler: Any, request: web.Request) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
        except ApiFailure as f:
            return _error(f.code, f.description)
        except InvalidFaults as exc:
            return _error(400, f"Bad Request: {exc}")
        self.server.changed()
        return response

    # -- users act -------------------------------------------------------------------

    async def send(self, request: web.Request) -> web.StreamResponse:
        return _json(self._send(await read_object(request)))

    def send_now(self, raw: bytes) -> Answer:
        """``/emulator/send`` for the fast path (fast_path.py): the same answers, no aiohttp."""
        try:
            message = self._send(object_of(raw))
        except ApiFailure as f:
            return Answer.of_failure(f.code, f.description)
        self.server.changed()
        return Answer(200, _encoder.encode(message))

    def _send(self, data: dict[str, Any]) -> t.Message:
        body = shaped(data, SendBody)
        return control.user_sends(
            self.engine,
            body.token,
            body.user.described(),
            text=body.text,
            chat_id=body.chat_id,
            reply_to=body.reply_to_message_id,
            message_thread_id=body.message_thread_id,
        )

    async def upload(self, request: web.Request) -> web.StreamResponse:
        form = await read_form(request)
        file = form.pop("file", None)
        if not isinstance(file, Upload):
            raise ApiFailure(400, "Bad Request: a multipart 'file' part is required")
        form["user"] = json_value(str(form.get("user") or "{}"), "user JSON object")
        for name in ("chat_id", "message_thread_id", "duration", "width", "height"):
            if form.get(name):
                form[name] = coerce_integer(name, form[name])
        fields = {name: value for name, value in form.items() if value not in ("", None)}
        body = shaped(fields, UploadBody)
        message = control.user_sends(
            self.engine,
            body.token,
            body.user.described(),
            upload=file,
            kind=body.kind,
            caption=body.caption,
            chat_id=body.chat_id,
            message_thread_id=body.message_thread_id,
            meta={
                "duration": body.duration,
                "width": body.width,
                "height": body.height,
                "performer": body.performer,
                "title": body.title,
            },
        )
        return _json(message)

    async def press(self, request: web.Request) -> web.StreamResponse:
        body = shaped(await read_object(request), PressBody)
        record = control.press(
            self.engine,
            body.token,
            body.user.described(),
            body.chat_id,
            body.message_id,
            body.callback_data,
            ephemeral_message_id=body.ephemeral_message_id or None,
        )
        future: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
        self.answers[record.id] = future
        try:
            answer = await within(future, body.timeout)
        except asyncio.TimeoutError:
            answer = None
        finally:
            self.answers.pop(record.id, None)
        return _json({"callback_query_id": record.id, "answer": answer})

    async def block(self, request: web.Request) -> web.StreamResponse:
        body = shaped(await read_object(request), BlockBody)
        control.set_blocked(self.engine, body.token, body.user.described(), body.blocked)
        return _json({"ok": True})

    # -- chats and bots --------------------------------------------------------------

    async def create_chat(self, request: web.Request) -> web.StreamResponse:
        body = shaped(await read_object(request), ChatBody)
        chat = control.create_chat(
            self.engine,
            body.token,
            body.type,
            body.title,
            [member.described() for member in body.members],
            body.username,
            body.is_forum,
        )
        return _json(chat)

    async def upgrade(self, request: web.Request) -> web.StreamResponse:
        body = shaped(await read_object(request), TokenBody)
        chat_id = int(request.match_info["chat_id"])
        return _json(control.upgrade_group(self.engine, body.token, chat_id))

    async def list_chats(self, request: web.Request) -> web.StreamResponse:
        bot = self.engine.bot(request.query.get("token", ""))
        return _json([c.chat for c in bot.chats.values()])

    async def messages(self, request: web.Request) -> web.StreamResponse:
        chat_id = int(request.match_info["chat_id"])
        token, viewer = request.query.get("token", ""), request.query.get("user", "")
        viewer_id = coerce_integer("user", viewer) if viewer else None
        return _json(control.chat_messages(self.engine, token, chat_id, viewer_id))

    async def inline_message(self, request: web.Request) -> web.StreamResponse:
        """A message a user sent via the bot, by its inline_message_id, edits applied."""
        bot = self.engine.bot(request.query.get("token", ""))
        return _json(find_inline_message(bot, request.match_info["inline_message_id"]).message)

    async def chat_state(self, request: web.Request) -> web.StreamResponse:
        bot = self.engine.bot(request.query.get("token", ""))
        chat = bot.chats.get(int(request.match_info["chat_id"]))
        if chat is None:
            raise ApiFailure(400, "Bad Request: chat not found")
        return _json(
            {
                "chat": chat.chat,
                "reply_keyboard": chat.reply_keyboard,
                "pinned": chat.pinned,
                "blocked": chat.blocked,
                "topics": list(bot.records.topics.get(chat.chat.id, {}).values()),
                "members": {str(uid): status for uid, status in chat.members.items()},
            }
        )

    async def reactions(self, request: web.Request) -> web.StreamResponse:
        """Users' reactions in a chat: ``{message_id: {user_id: [reaction, ...]}}``."""
        bot = self.engine.bot(request.query.get("token", ""))
        prefix = f"{int(request.match_info['chat_id'])}:"
        return _json(
            {
                key.removeprefix(prefix): {str(uid): chosen for uid, chosen in table.items()}
                for key, table in bot.records.reactions.items()
                if key.startswith(prefix) and table
            }
        )

    async def bots(self, request: web.Request) -> web.StreamResponse:
        return _json(
            [
                {"token": b.token, "id": b.id, "username": b.username, "first_name": b.first_name}
                for b in self.engine.world.bots.values()
            ]
        )

    async def add_bot(self, request: web.Request) -> web.StreamResponse:
        body = shaped(await read_object(request), BotBody)
        token = body.token or new_token()
        if not TOKEN_PATH.match(token):
            raise ApiFailure(
                400, "Bad Request: a token is digits, a colon, then 1-128 letters, digits, _ or -"
            )
        bot = self.engine.world.add_bot(token, body.username)
        if body.can_read_all_group_messages is not None:
            bot.records.reads_all_group_messages = body.can_read_all_group_messages
        return _json(
            {
                "token": bot.token,
                "id": bot.id,
                "username": bot.username,
                "can_read_all_group_messages": bot.records.reads_all_group_messages,
            }
        )

    async def users(self, request: web.Request) -> web.StreamResponse:
        return _json(list(self.engine.world.users.values()))

    async def deliveries(self, request: web.Request) -> web.StreamResponse:
        bot = self.engine.bot(request.query.get("token", ""))
        return _json(
            {
                "deliveries": {str(k): v for k, v in bot.deliveries.items()},
                "pending": [p.update.update_id for p in bot.pending],
                "next_update_id": bot.next_update_id,
            }
        )

    async def faults(self, request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            body = shaped(await read_object(request), FaultsBody)
            self.server.faults.update(body.spec or None)
        return _json(self.server.faults.describe())

    async def stats(self, request: web.Request) -> web.StreamResponse:
        return _json({**self.server.stats, "version": self.server.version})

    async def changes(self, request: web.Request) -> web.StreamResponse:
        """Long poll: answers ``{"version": V}`` once V > ``since`` (or after ``timeout``)."""
        since = coerce_integer("since", request.query.get("since", "0"))
        try:
            timeout = float(request.query.get("timeout", "10"))
        except ValueError:
            timeout = math.nan
        if not 0 <= timeout <= 25:
            raise ApiFailure(400, "Bad Request: timeout must be a number of seconds, 0 to 25")
        return _json({"version": await self.server.changes(since, timeout)})

    async def events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        )
        await response.prepare(request)
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        entry = (request.query.get("token"), queue)
        self.streams.append(entry)
        try:
            await response.write(b": connected\n\n")
            while True:
                try:
                    data = await within(queue.get(), 15)
                except asyncio.TimeoutError:
                    data = b": keep-alive\n\n"
                if not data:  # the server is shutting down
                    break
                await response.write(data)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.streams.remove(entry)
        return response


def new_token() -> str:
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(26)[:35]}"


async def _page(request: web.Request) -> web.StreamResponse:
    name = request.match_info.get("name", "index.html")
    if name not in ("index.html", "app.js", "acts.js", "style.css"):
        return _error(404, "Not Found")
    data = resources.files("telewire.emulator.page").joinpath(name).read_bytes()
    kinds = {"html": "text/html", "js": "text/javascript", "css": "text/css"}
    return web.Response(body=data, content_type=kinds[name.rsplit(".", 1)[1]], charset="utf-8")


def install(server: EmulatorServer) -> Control:
    control_api = Control(server)
    server.on_close.append(control_api.close_streams)
    guard = control_api.guarded
    routes = [
        ("POST", "/emulator/send", control_api.send),
        ("POST", "/emulator/upload", control_api.upload),
        ("POST", "/emulator/press", control_api.press),
        ("POST", "/emulator/block", control_api.block),
        ("POST", "/emulator/chats", control_api.create_chat),
        ("GET", "/emulator/chats", control_api.list_chats),
        ("GET", "/emulator/chats/{chat_id:-?\\d{1,16}}/messages", control_api.messages),
        ("GET", "/emulator/chats/{chat_id:-?\\d{1,16}}/reactions", control_api.reactions),
        ("POST", "/emulator/chats/{chat_id:-?\\d{1,16}}/upgrade", control_api.upgrade),
        ("GET", "/emulator/chats/{chat_id:-?\\d{1,16}}", control_api.chat_state),
        ("GET", "/emulator/inline/messages/{inline_message_id}", control_api.inline_message),
        ("GET", "/emulator/bots", control_api.bots),
        ("POST", "/emulator/bots", control_api.add_bot),
        ("GET", "/emulator/users", control_api.users),
        ("GET", "/emulator/deliveries", control_api.deliveries),
        ("GET", "/emulator/faults", control_api.faults),
        ("POST", "/emulator/faults", control_api.faults),
        ("GET", "/emulator/stats", control_api.stats),
        ("GET", "/emulator/changes", control_api.changes),
    ]
    for verb, path, handler in routes:
        server.app.router.add_route(verb, path, functools.partial(guard, handler))
    server.quick[b"/emulator/send"] = control_api.send_now
    control_acts.install(server, control_api)
    server.app.router.add_get("/emulator/events", control_api.events)
    server.app.router.add_get("/", _page)
    server.app.router.add_get("/page/{name}", _page)
    return control_api
