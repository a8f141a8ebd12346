"""A test's view of an emulator: users who write and press, and waiting for the bot.

Everything goes through the emulator's control API over HTTP, so the same handle works
for an emulator in this process, in another process, or started by the CLI.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.testing.bot_thread import BotThread
from telewire.transports.sync import SyncTransport

if TYPE_CHECKING:
    from pathlib import Path

    from telewire.core.retry import RetryPolicy
    from telewire.emulator.runner import Emulator
    from telewire.jobs import Scheduler
    from telewire.routing.router import Router
    from telewire.testing.dialog import DialogScript
    from telewire.updates.offsets import OffsetStore
    from telewire.updates.parked import ParkedStore

_user_ids = itertools.count(1001)
T = TypeVar("T")


@dataclass(frozen=True)
class TestUser:
    """A person in the emulator. ``as_json()`` is what the control API takes."""

    __test__ = False  # not a pytest test class

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None  # what their Telegram app is set to ("de", "pt-br")

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.last_name:
            data["last_name"] = self.last_name
        if self.language_code:
            data["language_code"] = self.language_code
        return data


class CallbackAnswer(TypedDict):
    """The bot's answerCallbackQuery to a press: a toast, or an alert with ``show_alert``."""

    text: str | None
    show_alert: bool


def bare_label(text: str) -> str:
    """A button label without the emoji and spaces around its words: "✅ Approve" -> "Approve"."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return text[start:end]


class ControlError(AssertionError):
    """The control API refused a request (what a test asked for is impossible)."""


class EmulatorHandle:
    """Drive an emulator at ``base_url`` as the users of bot ``token``.

    Given the ``server`` it runs on (as the pytest fixture does), it can also take that
    emulator down and bring it back: :meth:`stop`, :meth:`start`, :meth:`down`.
    """

    def __init__(self, base_url: str, token: str, *, server: Emulator | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.server = server
        self._http = SyncTransport(self.base_url)

    @property
    def page_url(self) -> str:
        return self.base_url + "/"

    # -- plumbing ------------------------------------------------------------------------

    def _request(self, verb: str, path: str, body: Any = None, decode: Any = Any) -> Any:
        from telewire.core.errors import TelewireError
        from telewire.core.token import mask

        data = msgspec.json.encode(body) if body is not None else None
        what = f"{verb} {path.split('?', 1)[0]}"  # the query holds the token
        try:
            status, reply = self._http.request(
                verb, path, data, "application/json" if data else None, timeout=30, what=what
            )
        except TelewireError as exc:
            raise ControlError(f"the emulator did not answer: {mask(str(exc))}") from None
        if status >= 400:
            raise ControlError(
                f"{verb} {path} failed with {status}: {reply.decode(errors='replace')}"
            )
        return typed.decode(reply, decode)

    def close(self) -> None:
        self._http.close()

    # -- outages -------------------------------------------------------------------------

    def stop(self) -> None:
        """Take the emulator down: its port refuses connections, open ones are cut.

        Chats, messages, pending updates and bots are kept for :meth:`start`.
        """
        self._own_server().halt()
        self._http.close()  # its kept-alive connection died with the server

    def start(self) -> None:
        """Bring the emulator back on the same port, with everything it had."""
        self._own_server().resume()

    @contextmanager
    def down(self) -> Iterator[None]:
        """``with emulator.down(): ...``: an outage for the length of the block."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def _own_server(self) -> Emulator:
        if self.server is None:
            raise RuntimeError(
                "this handle drives an emulator it did not start; stop that emulator itself"
            )
        return self.server

    def run(
        self,
        router: Router,
        *,
        offsets: str | Path | OffsetStore | None = None,
        parked: str | Path | ParkedStore | None = None,
        reruns: RetryPolicy | None = None,
        concurrency: int = 64,
        timeout: int = 1,
        drain_timeout: float = 10.0,
        allowed_updates: list[str] | None = None,
        jobs: Scheduler | None = None,
    ) -> BotThread:
        """Poll for ``router`` in a background thread (``with emulator.run(router): ...``).

        The options are :class:`~telewire.updates.polling.Polling`'s; ``timeout`` (the long
        poll) is short so that stopping is quick.
        """
        options: dict[str, Any] = {
            "offsets": offsets,
            "parked": parked,
            "concurrency": concurrency,
            "timeout": timeout,
            "drain_timeout": drain_timeout,
            "allowed_updates": allowed_updates,
        }
        if reruns is not None:
            options["reruns"] = reruns
        if jobs is not None:
            options["jobs"] = jobs
        return BotThread(router, self.token, self.base_url, **options)

    def dialog(
        self, user: TestUser, *, chat_id: int | None = None, timeout: float = 10.0
    ) -> DialogScript:
        """Talk to the bot as ``user``, checking each reply (:mod:`telewire.testing.dialog`)."""
        from telewire.testing.dialog import DialogScript

        return DialogScript(self, user, chat_id=chat_id, timeout=timeout)

    # -- people and chats ------------------------------------------------------------------

    def user(
        self,
        first_name: str = "Alice",
        *,
        id: int | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> TestUser:
        """A new user (ids are unique within the test session unless given)."""
        return TestUser(
            id=id if id is not None else next(_user_ids),
            first_name=first_name,
            username=username,
            language_code=language_code,
        )

    def group(self, title: str, members: list[TestUser], *, kind: str = "group") -> t.Chat:
        """A group (or supergroup, channel) with ``members``; the first one owns it."""
        chat: t.Chat = self._request(
            "POST",
            "/emulator/chats",
            {
                "token": self.token,
                "type": kind,
                "title": title,
                "members": [m.as_json() for m in members],
            },
            t.Chat,
        )
        return chat

    def upgrade(self, chat_id: int) -> t.Chat:
        """Turn a basic group into a supergroup (it gets a new id; the old one migrates)."""
        chat: t.Chat = self._request(
            "POST", f"/emulator/chats/{chat_id}/upgrade", {"token": self.token}, t.Chat
        )
        return chat

    def block(self, user: TestUser, blocked: bool = True) -> None:
        self._request(
            "POST",
            "/emulator/block",
            {"token": self.token, "user": user.as_json(), "blocked": blocked},
        )

    # -- acting ----------------------------------------------------------------------------

    def send(
        self,
        user: TestUser,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to: t.Message | int | None = None,
    ) -> t.Message:
        """``user`` writes ``text`` to the bot (privately unless ``chat_id`` is a group),
        as a reply to ``reply_to`` if given (the update then carries that message)."""
        body: dict[str, Any] = {"token": self.token, "user": user.as_json(), "text": text}
        if chat_id is not None:
            body["chat_id"] = chat_id
        if reply_to is not None:
            body["reply_to_message_id"] = (
                reply_to if isinstance(reply_to, int) else reply_to.message_id
            )
        message: t.Message = self._request("POST", "/emulator/send", body, t.Message)
        return message

    def send_photo(
        self,
        user: TestUser,
        data: bytes,
        *,
        filename: str = "photo.png",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> t.Message:
        """``user`` sends a photo (``send_document`` for any other file)."""
        return self._upload(user, "photo", data, filename, caption, chat_id)

    def send_document(
        self,
        user: TestUser,
        data: bytes,
        *,
        filename: str = "file.bin",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> t.Message:
        return self._upload(user, "document", data, filename, caption, chat_id)

    def _upload(
        self,
        user: TestUser,
        kind: str,
        data: bytes,
        filename: str,
        caption: str | None,
        chat_id: int | None,
    ) -> t.Message:
        from telewire.core.files import InputFile
        from telewire.core.requests import encode_request

        fields = {
            "token": self.token,
            "user": user.as_json(),
            "kind": kind,
            "caption": caption,
            "chat_id": chat_id,
            "file": InputFile(data, filename=filename),
        }
        encoded = encode_request(fields)
        status, reply = self._http.request(
            "POST",
            "/emulator/upload",
            encoded.body,
            encoded.content_type,
            timeout=30,
            what="upload",
        )
        if status >= 400:
            raise ControlError(f"upload failed with {status}: {reply.decode(errors='replace')}")
        message: t.Message = typed.decode(reply, t.Message)
        return message

    def press(
        self,
        user: TestUser,
        message: t.Message,
        data: str | None = None,
        *,
        button: str | None = None,
        timeout: float = 5.0,
    ) -> CallbackAnswer | None:
        """Press an inline button of ``message`` (by callback ``data`` or ``button`` label).

        ``button`` matches a label exactly, or without its emoji ("Approve" presses
        "✅ Approve"). Returns the bot's answerCallbackQuery (``{"text", "show_alert"}``),
        or None if the bot did not answer within ``timeout`` seconds.
        """
        if data is None:
            data = self._button_data(message, button)
        reply = self._request(
            "POST",
            "/emulator/press",
            {
                "token": self.token,
                "user": user.as_json(),
                "chat_id": message.chat.id,
                "message_id": message.message_id,
                "ephemeral_message_id": message.ephemeral_message_id,
                "callback_data": data,
                "timeout": timeout,
            },
        )
        answer = reply["answer"]
        if answer is None:
            return None
        return CallbackAnswer(text=answer.get("text"), show_alert=bool(answer.get("show_alert")))

    @staticmethod
    def _button_data(message: t.Message, text: str | None) -> str:
        markup = message.reply_markup
        buttons = [b for row in markup.inline_keyboard for b in row] if markup else []
        pressable = [b for b in buttons if b.callback_data is not None]
        found = [b for b in pressable if text is None or b.text == text]
        if not found and text is not None and bare_label(text):
            found = [b for b in pressable if bare_label(b.text) == bare_label(text)]
        if found and (text is None or len(found) == 1):
            assert found[0].callback_data is not None
            return found[0].callback_data
        shown = ", ".join(repr(b.text) for b in buttons) or "none"
        which = "several buttons like" if found else "no button"
        raise AssertionError(f"message {message.message_id} has {which} {text!r}; buttons: {shown}")

    def faults(self, spec: str | dict[str, float] | None) -> dict[str, Any]:
        """Set fault injection (see ``telewire emulator --faults``); None turns it off."""
        return self._request("POST", "/emulator/faults", {"spec": spec or ""})  # type: ignore[no-any-return]

    # -- observing ---------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[t.Message]:
        """Every message in the chat, both directions, in order, edits applied."""
        messages: list[t.Message] = self._request(
            "GET", f"/emulator/chats/{chat_id}/messages?token={self.token}", None, list[t.Message]
        )
        return messages

    def chat_state(self, chat_id: int) -> dict[str, Any]:
        """The chat as the emulator keeps it: its reply keyboard, pinned ids, blocked flag."""
        return self._request("GET", f"/emulator/chats/{chat_id}?token={self.token}")  # type: ignore[no-any-return]

    def deliveries(self) -> dict[str, Any]:
        return self._request("GET", f"/emulator/deliveries?token={self.token}")  # type: ignore[no-any-return]

    def bot_messages(self, chat_id: int) -> list[t.Message]:
        bot_id = int(self.token.split(":", 1)[0])
        return [m for m in self.messages(chat_id) if m.from_user and m.from_user.id == bot_id]

    def expect_reply(
        self, chat_id: int, *, timeout: float = 5.0, after: int | None = None
    ) -> t.Message:
        """Wait for the bot's next message in ``chat_id`` (after message id ``after``).

        Without ``after``, the reply must come after the last message that chat had
        when this was called... or, if the last message is the user's, after that one.
        Fails with the chat's recent messages, to show what happened instead.
        """
        bot_id = int(self.token.split(":", 1)[0])
        if after is None:
            known = self.messages(chat_id)
            after = max(
                (m.message_id for m in known if not (m.from_user and m.from_user.id == bot_id)),
                default=0,
            )

        def reply() -> t.Message | None:
            return next(
                (
                    m
                    for m in self.messages(chat_id)
                    if m.message_id > after and m.from_user is not None and m.from_user.id == bot_id
                ),
                None,
            )

        found = self.wait_until(reply, timeout=timeout)
        if found is None:
            raise AssertionError(
                f"expected a reply in chat {chat_id} within {timeout:g} s; last messages were: "
                + (_transcript(self.messages(chat_id)[-5:]) or "(none)")
            )
        return found

    def wait_for(
        self,
        chat_id: int,
        predicate: Callable[[t.Message], bool],
        *,
        timeout: float = 5.0,
        what: str = "a message",
    ) -> t.Message:
        """Wait until some message of the chat satisfies ``predicate``."""
        found = self.wait_until(
            lambda: next((m for m in self.messages(chat_id) if predicate(m)), None),
            timeout=timeout,
        )
        if found is None:
            raise AssertionError(
                f"expected {what} in chat {chat_id} within {timeout:g} s; "
                f"last messages were: {_transcript(self.messages(chat_id)[-5:]) or '(none)'}"
            )
        return found

    def stats(self) -> dict[str, Any]:
        """Requests served, 429s, bot messages, faults struck by kind, and the change version."""
        return self._request("GET", "/emulator/stats")  # type: ignore[no-any-return]

    def struck(self, *kinds: str) -> int:
        """How many faults of these kinds (``"500"``, ``"drop"``...) have been injected."""
        faults: dict[str, int] = self.stats()["faults"]
        return sum(faults.get(kind, 0) for kind in kinds)

    def wait_until(self, check: Callable[[], T | None], *, timeout: float = 5.0) -> T | None:
        """``check()``'s first truthy result, checked again after each change in the emulator
        (the server holds the request until something happens: no polling); None on timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            version = self.stats()["version"]
            result = check()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            wait = min(remaining, 20.0)
            self._request("GET", f"/emulator/changes?since={version}&timeout={wait:.3f}")


def _transcript(messages: list[t.Message]) -> str:
    lines = []
    for m in messages:
        who = m.from_user.first_name if m.from_user else "?"
        body = (
            m.text
            or m.caption
            or ("[photo]" if m.photo else "[document]" if m.document else "[other]")
        )
        lines.append(f"#{m.message_id} {who}: {body!r}")
    return "; ".join(lines)
