"""Facts about an update that routing and ordering need: its kind and its chat."""

from __future__ import annotations

from typing import Any

UPDATE_KINDS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "guest_message",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
    "managed_bot",
)


def update_kind(update: Any) -> str | None:
    """The name of the one payload field an update carries (``"message"``...)."""
    for kind in UPDATE_KINDS:
        if getattr(update, kind, None) is not None:
            return kind
    return None


def _id(obj: Any) -> int | None:
    return getattr(obj, "id", None) if obj is not None else None


def chat_id_of(update: Any, kind: str | None = None) -> int | None:
    """The chat an update belongs to (a pressed button's: its message's chat), or None.

    Inline queries, chosen inline results, poll answers and a few more have no chat: a
    reply to them has nowhere to go, and the user's id is not a chat to send to.
    """
    kind = kind or update_kind(update)
    if kind is None:
        return None
    payload = getattr(update, kind)
    chat = getattr(payload, "chat", None)
    if chat is not None:
        return _id(chat)
    message = getattr(payload, "message", None)
    if message is not None and getattr(message, "chat", None) is not None:
        return _id(message.chat)
    return None


def user_id_of(update: Any, kind: str | None = None) -> int | None:
    """The user who caused the update (the sender, presser, voter...), or None."""
    kind = kind or update_kind(update)
    if kind is None:
        return None
    payload = getattr(update, kind)
    for field in ("from_user", "user"):
        user = getattr(payload, field, None)
        if user is not None:
            return _id(user)
    return None


def order_key(update: Any, kind: str | None = None) -> int | None:
    """What an update is ordered by: its chat, else its user (for chat-less updates).

    Updates with the same key must be handled in order; different keys may run at once.
    """
    chat = chat_id_of(update, kind)
    return chat if chat is not None else user_id_of(update, kind)
