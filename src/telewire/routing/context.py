"""What a handler receives: the update, the bot, and helpers to reply, answer and edit.

Async handlers get a :class:`Context` (helpers are coroutines, ``bot`` is an AsyncBot);
sync handlers, run in a thread pool, get a :class:`SyncContext` (blocking helpers and a
blocking ``Bot``). Both read the update the same way.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from telewire.api._generated import types as t
from telewire.routing.replies import AsyncReplies, SyncReplies, Targets

if TYPE_CHECKING:
    from telewire.client.async_bot import AsyncBot
    from telewire.client.bot import Bot
    from telewire.jobs import Scheduler


class BaseContext(Targets):
    """The update and what handlers usually want from it."""

    # A dict of slots gives each attribute a docstring that help() and IDEs show.
    __slots__ = {
        "args": (
            "For command routes: the words after the command, split on whitespace "
            "('/report week 3' gives ['week', '3']); empty for every other route."
        ),
        "chat_id": (
            "The chat the update belongs to; None for chat-less updates (inline queries, "
            "poll answers...), where reply() fails: answer those with the method made for "
            "them (answer_inline_query...), or send to ctx.user_id on purpose."
        ),
        "data": (
            "A dict for middlewares to hand things to handlers (a user record, a session, "
            "a database connection); starts empty for every update, shared along its chain."
        ),
        "kind": "Which field of the update is set: 'message', 'callback_query', ...",
        "match": (
            "For pattern routes (text(pattern=...), callback(pattern=...)): the re.Match "
            "of the route's regular expression, so handlers read groups from it; else None."
        ),
        "update": "The whole Update as Telegram sent it.",
    }

    def __init__(self, update: t.Update, kind: str, chat_id: int | None) -> None:
        self.update = update
        self.kind = kind
        self.chat_id = chat_id
        self.args: list[str] = []
        self.match: re.Match[str] | None = None
        self.data: dict[str, Any] = {}

    @property
    def user_data(self) -> Any:
        """This user's kept data (see :class:`telewire.routing.data.Remember`)."""
        return self._kept("telewire.user_data", "user")

    @property
    def chat_data(self) -> Any:
        """This chat's kept data (see :class:`telewire.routing.data.Remember`)."""
        return self._kept("telewire.chat_data", "chat")

    def _kept(self, key: str, kind: str) -> Any:
        try:
            return self.data[key]
        except KeyError:
            raise RuntimeError(
                f"ctx.{kind}_data needs router.use(Remember(storage, {kind}=<type>)) "
                f"(telewire.routing.data), and a {self.kind} update with a {kind}"
            ) from None

    @property
    def message(self) -> t.Message | None:
        """The message of a message-like update, or the one a pressed button is under."""
        payload = getattr(self.update, self.kind)
        if isinstance(payload, t.Message):
            return payload
        if isinstance(payload, t.CallbackQuery) and isinstance(payload.message, t.Message):
            return payload.message
        return None

    @property
    def callback_query(self) -> t.CallbackQuery | None:
        return self.update.callback_query

    @property
    def chat(self) -> t.Chat | None:
        payload = getattr(self.update, self.kind)
        chat = getattr(payload, "chat", None)
        if (
            chat is None
            and self.callback_query is not None
            and self.callback_query.message is not None
        ):
            chat = self.callback_query.message.chat
        return chat

    @property
    def user(self) -> t.User | None:
        payload = getattr(self.update, self.kind)
        return getattr(payload, "from_user", None) or getattr(payload, "user", None)

    @property
    def user_id(self) -> int | None:
        """The id of the user who caused the update (sender, presser...), or None."""
        user = self.user
        return user.id if user is not None else None

    @property
    def text(self) -> str | None:
        payload = getattr(self.update, self.kind)
        return payload.text if isinstance(payload, t.Message) else None

    @property
    def callback_data(self) -> str | None:
        query = self.callback_query
        return query.data if query is not None else None

    def _reply_params(self, text: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        if self.chat_id is None:
            raise RuntimeError(
                f"this {self.kind} update has no chat to reply to; answer it with its own "
                "method, or send to ctx.user_id if a private message is what you mean"
            )
        thread = self._topic()  # in a forum topic, the reply stays in that topic
        topic = {"message_thread_id": thread} if thread is not None else {}
        return {"chat_id": self.chat_id, **topic, "text": text, **kwargs}

    def _edit_params(self, text: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        message = self.message
        if message is None:
            raise RuntimeError(f"a {self.kind} update has no message to edit")
        return {
            "chat_id": message.chat.id,
            "message_id": message.message_id,
            "text": text,
            **kwargs,
        }

    def _answer_params(self, text: str | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        query = self.callback_query
        if query is None:
            raise RuntimeError(f"answer() is for callback queries, not {self.kind} updates")
        return {"callback_query_id": query.id, "text": text, **kwargs}


class Context(BaseContext, AsyncReplies):
    """For async handlers (replies beyond text: :mod:`telewire.routing.replies`)."""

    __slots__ = ("bot", "in_response")

    def __init__(
        self,
        update: t.Update,
        kind: str,
        chat_id: int | None,
        bot: AsyncBot,
        in_response: InResponse | None = None,
    ) -> None:
        super().__init__(update, kind, chat_id)
        self.bot = bot
        self.in_response = in_response

    async def reply(self, text: str, **kwargs: Any) -> t.Message:
        """Send ``text`` to the chat the update came from (sendMessage options accepted)."""
        params = self._reply_params(text, kwargs)
        if self.in_response is not None and self.in_response.take("sendMessage", params):
            return self.in_response.placeholder(self, text)
        return await self.bot.send_message(**params)  # type: ignore[no-any-return]

    async def answer(self, text: str | None = None, **kwargs: Any) -> bool:
        """Answer the pressed button (a toast, or an alert with ``show_alert=True``)."""
        return await self.bot.answer_callback_query(**self._answer_params(text, kwargs))  # type: ignore[no-any-return]

    async def edit(self, text: str, **kwargs: Any) -> t.Message | bool:
        """Edit the message (for a button press: the message under the button)."""
        return await self.bot.edit_message_text(**self._edit_params(text, kwargs))  # type: ignore[no-any-return]

    @property
    def jobs(self) -> Scheduler:
        """The job scheduler (``await ctx.jobs.run_once(remind, after=600, data=...)``),
        present once the router uses it: ``router.use(scheduler.middleware)``."""
        scheduler: Scheduler | None = self.data.get("jobs")
        if scheduler is None:
            raise RuntimeError(
                "ctx.jobs needs a scheduler: create telewire.jobs.Scheduler(storage, bot=bot) "
                "and add router.use(scheduler.middleware)"
            )
        return scheduler


class SyncContext(BaseContext, SyncReplies):
    """For plain (blocking) handlers, which run in a worker thread."""

    __slots__ = ("bot",)

    def __init__(self, update: t.Update, kind: str, chat_id: int | None, bot: Bot) -> None:
        super().__init__(update, kind, chat_id)
        self.bot = bot

    def reply(self, text: str, **kwargs: Any) -> t.Message:
        return self.bot.send_message(**self._reply_params(text, kwargs))

    def answer(self, text: str | None = None, **kwargs: Any) -> bool:
        return self.bot.answer_callback_query(**self._answer_params(text, kwargs))

    def edit(self, text: str, **kwargs: Any) -> t.Message | bool:
        return self.bot.edit_message_text(**self._edit_params(text, kwargs))


class InResponse:
    """The one method call a webhook may carry in its 200 answer instead of sending it.

    Given to a :class:`Context` by a webhook app with ``reply_in_response=True``: the
    handler's first ``reply()`` is kept here and Telegram performs it on receiving the
    answer, saving a request. Telegram never tells the result, so that ``reply()`` returns
    a stand-in :class:`Message` with ``message_id`` 0 (editing it later is not possible).
    """

    __slots__ = ("method", "params")

    def __init__(self) -> None:
        self.method: str | None = None
        self.params: dict[str, Any] = {}

    def take(self, method: str, params: dict[str, Any]) -> bool:
        """Keep this call if the slot is free and it can travel as JSON; else False."""
        if self.method is not None:
            return False
        if any(type(v) not in (str, int, float, bool, type(None)) for v in params.values()):
            import msgspec

            try:
                msgspec.json.encode(params)
            except TypeError:  # a file or something only multipart carries
                return False
        self.method, self.params = method, params
        return True

    def placeholder(self, ctx: BaseContext, text: str) -> t.Message:
        chat = ctx.chat or t.Chat(id=ctx.chat_id or 0, type="private")
        return t.Message(message_id=0, date=int(time.time()), chat=chat, text=text)

    def body(self) -> bytes:
        """The JSON answer (``{"method": ..., ...}``), or nothing if no call was kept."""
        if self.method is None:
            return b""
        from telewire.core.requests import encode_request

        return encode_request({"method": self.method, **self.params}).body
