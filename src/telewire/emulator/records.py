"""What the world remembers of users' dealings with a bot beyond its messages.

Inline queries and their answers, poll votes, invoices, checkouts and charges, join
requests, members' rights and tags, forum topics and invite links. They live apart from
``world.py`` (one field there, :attr:`BotState.records`) because each family of methods
owns a part, and the message world stays small. Plain msgspec Structs, so ``--state``
keeps them too.
"""

from __future__ import annotations

from typing import Any

import msgspec

from telewire.api._generated import types as t


class InlineQueryRecord(msgspec.Struct):
    """A query a user typed, and the bot's answer once it gives one."""

    id: str
    user_id: int
    query: str
    offset: str
    created: float
    chat_id: int | None = None
    answered: bool = False
    results: list[dict[str, Any]] = []
    next_offset: str = ""
    button: dict[str, Any] | None = None
    cache_time: int = 300
    is_personal: bool = False


class InlineMessageRecord(msgspec.Struct):
    """A message a user sent via the bot (a chosen inline result), which the bot may edit
    by its ``inline_message_id``.

    In one of the bot's chats it is that chat's message (``message_id``); elsewhere (a
    user's chat with a friend, where the bot is not) the record holds the message itself.
    """

    chat_id: int
    message_id: int | None = None
    message: t.Message | None = None


class PollRecord(msgspec.Struct):
    """Where a poll lives and who voted for what (option indexes)."""

    chat_id: int
    message_id: int
    votes: dict[int, list[int]] = {}


class InvoiceTerms(msgspec.Struct):
    """What an invoice asks for, beyond the Invoice object a user sees."""

    title: str
    description: str
    payload: str
    currency: str
    prices: list[t.LabeledPrice]
    provider_token: str = ""
    is_flexible: bool = False
    need_shipping_address: bool = False
    need_name: bool = False
    need_email: bool = False
    need_phone_number: bool = False
    max_tip_amount: int = 0
    subscription_period: int | None = None

    @property
    def total(self) -> int:
        return sum(price.amount for price in self.prices)


class Checkout(msgspec.Struct):
    """A payment under way: its shipping and pre-checkout queries and their answers."""

    id: str
    user_id: int
    chat_id: int | None
    invoice: str
    total_amount: int
    created: float
    stage: str = "shipping"  # shipping -> pre_checkout -> paid | declined
    shipping_options: list[t.ShippingOption] = []
    shipping_option_id: str | None = None
    error_message: str | None = None
    order_info: t.OrderInfo | None = None


class Charge(msgspec.Struct):
    """A successful payment, refundable once (Stars)."""

    telegram_payment_charge_id: str
    user_id: int
    currency: str
    total_amount: int
    payload: str
    date: int
    refunded: bool = False


class Records(msgspec.Struct):
    inline_queries: dict[str, InlineQueryRecord] = {}
    inline_messages: dict[str, InlineMessageRecord] = {}  # by inline_message_id
    polls: dict[str, PollRecord] = {}
    closing: dict[str, float] = {}  # poll id -> when its open_period or close_date ends
    invoices: dict[str, InvoiceTerms] = {}
    checkouts: dict[str, Checkout] = {}
    charges: list[Charge] = []
    star_transactions: list[t.StarTransaction] = []
    join_requests: dict[int, dict[int, int]] = {}  # chat -> user -> date asked
    members: dict[int, dict[int, t.ChatMember]] = {}  # chat -> user -> rights set by admins
    permissions: dict[int, t.ChatPermissions] = {}  # chat -> default member permissions
    banned_senders: dict[int, list[int]] = {}  # chat -> sender chats banned there
    topics: dict[int, dict[int, t.ForumTopic]] = {}  # chat -> thread id -> topic
    closed_topics: dict[int, list[int]] = {}  # chat -> closed thread ids (1: General)
    hidden_general: list[int] = []  # chats whose General topic is hidden
    invite_links: dict[int, list[t.ChatInviteLink]] = {}
    reactions: dict[str, dict[int, list[t.ReactionType]]] = {}  # "chat:message" -> user -> chosen
    sticker_sets: dict[str, t.StickerSet] = {}
    sticker_keywords: dict[str, list[str]] = {}  # sticker file id -> search keywords
    sticker_emoji: dict[str, list[str]] = {}  # sticker file id -> all its emoji
    game_scores: dict[str, dict[int, int]] = {}  # "chat:message" -> user -> score
    chat_photos: dict[int, t.ChatPhoto] = {}
    chat_sticker_sets: dict[int, str] = {}
    gifts: dict[int, list[t.OwnedGiftRegular]] = {}  # user or chat -> gifts the bot sent
    bot_photos: list[list[t.PhotoSize]] = []  # the bot's profile photos, newest first
    emoji_statuses: dict[int, str] = {}  # user -> custom emoji id the bot set
    drafts: dict[int, dict[str, Any]] = {}  # chat -> the draft being streamed there
    reads_all_group_messages: bool = False  # privacy mode off (BotFather's /setprivacy)
    next_id: int = 1

    def new_id(self, prefix: str) -> str:
        """A fresh identifier for a query, charge or link (unique per bot)."""
        number = self.next_id
        self.next_id += 1
        return f"{prefix}{number:08d}"

    def keep_recent(self, table: dict[str, Any], limit: int = 10_000) -> None:
        """Bound a table: forget the oldest half when it grows past ``limit``.

        Queries, polls, invoices, reactions and scores of long-gone messages would
        otherwise pile up in a long-running emulator (and its ``--state`` file).
        """
        if len(table) > limit:
            for stale in list(table)[: limit // 2]:
                del table[stale]
