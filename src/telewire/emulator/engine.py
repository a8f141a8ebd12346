"""The emulator's engine: dispatches Bot API calls to their implementations, no I/O.

Method implementations live in ``telewire.emulator.methods``, marked with :func:`method`;
that package's ``registry()`` collects them from the modules it lists, so which methods an
engine serves is stated in one place, not the side effect of what happened to be imported.
Each gets a :class:`Call` holding the bot, the decoded parameters
and helpers that raise Telegram's exact errors. Listeners (the HTTP server's event
stream, long pollers) hear about every change through :meth:`Engine.emit`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import msgspec

from telewire.api._generated import types as t
from telewire.emulator import errors as e
from telewire.emulator.errors import ApiFailure, bad_request, forbidden
from telewire.emulator.world import BotState, ChatState, World

Handler = Callable[["Call"], Any]
NAMES = "__bot_api_methods__"
Listener = Callable[[BotState, str, dict[str, Any]], None]

_EMPTY_MESSAGES = {"text": e.TEXT_EMPTY}


def method(*names: str) -> Callable[[Handler], Handler]:
    """Mark a function as the implementation of these Bot API methods (case-insensitive)."""

    def mark(handler: Handler) -> Handler:
        setattr(handler, NAMES, tuple(name.lower() for name in names))
        return handler

    return mark


class Call:
    """One Bot API call being carried out: the bot, its parameters, and helpers."""

    __slots__ = ("bot", "engine", "method", "params")

    def __init__(self, engine: Engine, bot: BotState, method: str, params: dict[str, Any]):
        self.engine = engine
        self.bot = bot
        self.method = method
        self.params = params

    @property
    def world(self) -> World:
        return self.engine.world

    def get(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name)
        return default if value is None else value

    def need(self, name: str) -> Any:
        value = self.params.get(name)
        if value is None or value == "":
            raise bad_request(_EMPTY_MESSAGES.get(name, f"{name} is empty"))
        return value

    def chat(self, name: str = "chat_id", *, sending: bool = False) -> ChatState:
        """The chat named by parameter ``name``; with ``sending``, one the bot may write to."""
        chat_id = self.need(name)
        chat = self.bot.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None and isinstance(chat_id, str):
            chat = self._by_username(chat_id)
        if chat is None:
            if isinstance(chat_id, int) and chat_id in self.world.users and sending:
                raise forbidden(e.CANT_INITIATE)
            raise bad_request(e.CHAT_NOT_FOUND)
        if chat.migrated_to is not None:
            raise ApiFailure(
                400, f"Bad Request: {e.UPGRADED}", {"migrate_to_chat_id": chat.migrated_to}
            )
        if sending:
            if chat.blocked:
                raise forbidden(e.BLOCKED)
            if chat.kicked:
                raise forbidden(e.KICKED)
            if chat.chat.type == "private" and not chat.started:
                raise forbidden(e.CANT_INITIATE)
        return chat

    def _by_username(self, value: str) -> ChatState | None:
        if value.lstrip("-").isdigit():
            return self.bot.chats.get(int(value))
        name = value.removeprefix("@").lower()
        for chat in self.bot.chats.values():
            if (chat.chat.username or "").lower() == name:
                return chat
        return None

    def message(self, chat: ChatState, name: str, missing: str) -> t.Message:
        message_id = self.need(name)
        message = chat.messages.get(int(message_id))
        if message is None:
            raise bad_request(missing)
        return message

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        self.engine.emit(self.bot, event, payload)

    def deliver(self, kind: str, payload: Any) -> None:
        self.engine.deliver(self.bot, kind, payload)


class Engine:
    """The emulated Bot API: a world, the method registry and the listeners."""

    def __init__(
        self, world: World | None = None, registry: Mapping[str, Handler] | None = None
    ) -> None:
        if registry is None:
            from telewire.emulator.methods import registry as everything

            registry = everything()
        self.registry = registry
        self.world = world or World()
        self.listeners: list[Listener] = []
        # Set for a ``--local`` server: files live under it, getFile gives absolute paths.
        self.local_dir: Path | None = None

    def bot(self, token: str) -> BotState:
        bot = self.world.bots.get(token)
        if bot is None:
            raise ApiFailure(401, "Unauthorized")
        return bot

    def call(self, token: str, name: str, params: dict[str, Any]) -> Any:
        """Carry out one method call; raise :class:`ApiFailure` as Telegram would answer."""
        bot = self.bot(token)
        handler = self.registry.get(name.lower())
        if handler is None:
            from telewire.api._generated.methods import METHODS

            known = METHODS.get(name.lower())
            if known is None:
                raise ApiFailure(404, "Not Found")
            raise bad_request(f"method {known.name} is not supported by the telewire emulator")
        try:
            return handler(Call(self, bot, name, params))
        except msgspec.ValidationError as exc:
            raise bad_request(f"can't parse parameters: {exc}") from None

    def emit(self, bot: BotState, event: str, payload: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(bot, event, payload)

    def deliver(self, bot: BotState, kind: str, payload: Any) -> t.Update | None:
        """Queue an update for ``bot`` (unless its allowed_updates filter it) and say so."""
        update = bot.push_update(kind, payload)
        if update is not None:
            self.emit(bot, "update", {"update_id": update.update_id, "kind": kind})
        return update
