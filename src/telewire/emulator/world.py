"""The emulator's state: bots, users, chats, messages and update queues. No I/O here.

Each bot sees its own copy of every chat (as on Telegram, where a private chat with a
user exists once per bot), so tokens are isolated from each other. Everything is a
msgspec Struct built from the generated Bot API types, so the whole world serializes to
one document for ``--state FILE``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import msgspec

from telewire.api._generated import types as t

DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
UPDATE_MAX_AGE = 24 * 3600.0
HISTORY = 1000
"""Messages kept per chat (and per receiver for ephemeral ones) unless ``--history`` says."""
DELIVERIES_KEPT = 10_000
"""Update ids whose delivery count ``/emulator/deliveries`` still reports, per bot."""


class Pending(msgspec.Struct):
    update: t.Update
    kind: str
    created: float


class FileRecord(msgspec.Struct):
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str = "application/octet-stream"
    file_name: str | None = None


class Webhook(msgspec.Struct):
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


class CallbackRecord(msgspec.Struct):
    id: str
    created: float
    chat_id: int | None = None
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


class ChatState(msgspec.Struct):
    chat: t.Chat
    members: dict[int, str] = {}
    messages: dict[int, t.Message] = {}
    ephemeral: dict[int, t.Message] = {}  # by ephemeral_message_id; one receiver sees each
    next_message_id: int = 1
    pinned: list[int] = []
    started: bool = False
    blocked: bool = False
    kicked: bool = False
    description: str | None = None
    menu_button: t.MenuButton | None = None
    reply_keyboard: dict[str, Any] | None = None
    migrated_to: int | None = None

    def remember(self, message: t.Message, limit: int) -> None:
        """Keep ``message``, forgetting the oldest beyond ``limit`` (memory stays bounded).

        A forgotten message behaves as a deleted one: it cannot be edited or replied to.
        """
        self.messages[message.message_id] = message
        if len(self.messages) > limit:
            while len(self.messages) > limit:
                del self.messages[next(iter(self.messages))]
            if self.pinned:
                self.pinned = [p for p in self.pinned if p in self.messages]


class BotState(msgspec.Struct):
    id: int
    token: str
    username: str
    first_name: str
    next_update_id: int = 1
    pending: list[Pending] = []
    allowed_updates: list[str] = []
    webhook: Webhook | None = None
    chats: dict[int, ChatState] = {}
    files: dict[str, FileRecord] = {}
    callbacks: dict[str, CallbackRecord] = {}
    deliveries: dict[int, int] = {}
    commands: dict[str, list[t.BotCommand]] = {}
    texts: dict[str, str] = {}
    default_menu_button: t.MenuButton | None = None
    admin_rights: dict[str, t.ChatAdministratorRights] = {}
    next_file: int = 1
    next_callback: int = 1

    @property
    def user(self) -> t.User:
        return t.User(
            id=self.id,
            is_bot=True,
            first_name=self.first_name,
            username=self.username,
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
        )

    # -- updates ---------------------------------------------------------------

    def wants(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_EXCLUDED_UPDATES

    def push_update(self, kind: str, payload: Any) -> t.Update | None:
        """Queue an update of ``kind`` unless the bot's allowed_updates filter it out."""
        if not self.wants(kind):
            return None
        update = t.Update(update_id=self.next_update_id, **{kind: payload})
        self.next_update_id += 1
        self.pending.append(Pending(update, kind, time.time()))
        return update

    def confirm(self, offset: int | None) -> None:
        """Forget confirmed updates: ids below ``offset``, or all but the last ``-offset``."""
        now = time.time()
        if self.pending and now - self.pending[0].created > UPDATE_MAX_AGE:
            self.pending = [p for p in self.pending if now - p.created <= UPDATE_MAX_AGE]
        if offset is None or offset == 0:
            return
        if offset < 0:
            self.pending = self.pending[offset:] if -offset < len(self.pending) else self.pending
            return
        if self.pending and self.pending[0].update.update_id < offset:
            self.pending = [p for p in self.pending if p.update.update_id >= offset]

    def take(self, limit: int) -> list[t.Update]:
        batch = [p.update for p in self.pending[:limit]]
        for update in batch:
            self.delivered(update.update_id)
        return batch

    def delivered(self, update_id: int) -> None:
        """Count a delivery; only the latest DELIVERIES_KEPT update ids are remembered."""
        self.deliveries[update_id] = self.deliveries.get(update_id, 0) + 1
        if len(self.deliveries) > DELIVERIES_KEPT:
            del self.deliveries[next(iter(self.deliveries))]

    # -- chats and ids -----------------------------------------------------------

    def next_message_id(self, chat: ChatState) -> int:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        return message_id

    def new_file_id(self) -> tuple[str, str]:
        n = self.next_file
        self.next_file += 1
        return f"BQAD{self.id}F{n:06d}", f"AgAD{n:06d}"

    def new_callback_id(self) -> str:
        n = self.next_callback
        self.next_callback += 1
        return f"{self.id}{n:08d}"


class World(msgspec.Struct):
    bots: dict[str, BotState] = {}
    users: dict[int, t.User] = {}
    next_group_id: int = 1000
    history: int = HISTORY

    def add_bot(self, token: str, username: str | None = None) -> BotState:
        bot_id = int(token.split(":", 1)[0])
        bot = self.bots.get(token)
        if bot is None:
            name = username or f"emulated_{bot_id}_bot"
            bot = BotState(id=bot_id, token=token, username=name, first_name="Telewire Test Bot")
            self.bots[token] = bot
        return bot

    def user(self, data: dict[str, Any]) -> t.User:
        """Find or register a user from a control-API description ``{"id", "first_name"...}``."""
        user_id = int(data["id"])
        known = self.users.get(user_id)
        if known is None or any(
            data.get(k) is not None and data.get(k) != getattr(known, k)
            for k in ("first_name", "last_name", "username", "language_code")
        ):
            known = t.User(
                id=user_id,
                is_bot=False,
                first_name=str(data.get("first_name") or (known.first_name if known else "User")),
                last_name=data.get("last_name"),
                username=data.get("username"),
                language_code=data.get("language_code", "en"),
            )
            self.users[user_id] = known
        return known


Listener = Callable[[str, dict[str, Any]], None]


def now() -> int:
    return int(time.time())
