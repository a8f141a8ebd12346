"""Implementations of the emulated Bot API methods, grouped by what they touch."""

from telewire.emulator.methods import (
    bot_info,
    chats,
    editing,
    ephemeral,
    forum,
    games,
    inline,
    invites,
    media,
    members,
    messages,
    payments,
    polls,
    reactions,
    stickers,
    updates,
)

__all__ = [
    "bot_info",
    "chats",
    "editing",
    "ephemeral",
    "forum",
    "games",
    "inline",
    "invites",
    "media",
    "members",
    "messages",
    "payments",
    "polls",
    "reactions",
    "stickers",
    "updates",
]
