"""Which users' messages in groups a bot receives: Telegram's privacy mode.

A bot with privacy mode on (``can_read_all_group_messages`` false, the default) that is
not an administrator receives only commands (``/cmd``, or ``/cmd@its_name``), replies to
its messages, messages mentioning it, and messages sent via it. Private chats, and
groups where it is an administrator or privacy is off, give it everything.
"""

from __future__ import annotations

from telewire.api._generated import types as t
from telewire.emulator.world import BotState, ChatState


def bot_sees(bot: BotState, chat: ChatState, message: t.Message) -> bool:
    if chat.chat.type == "private" or bot.records.reads_all_group_messages:
        return True
    if chat.members.get(bot.id) in ("administrator", "creator"):
        return True
    if message.via_bot is not None and message.via_bot.id == bot.id:
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    return _addressed(bot, message.text or message.caption or "", message)


def _addressed(bot: BotState, text: str, message: t.Message) -> bool:
    entities = message.entities if message.text is not None else message.caption_entities
    name = bot.username.lower()
    for entity in entities or []:
        part = _utf16_slice(text, entity.offset, entity.length)
        if entity.type == "bot_command" and entity.offset == 0:
            target = part.partition("@")[2].lower()
            if not target or target == name:
                return True
        if entity.type == "mention" and part[1:].lower() == name:
            return True
        if entity.type == "text_mention" and entity.user is not None and entity.user.id == bot.id:
            return True
    return False


def _utf16_slice(text: str, offset: int, length: int) -> str:
    data = text.encode("utf-16-le")
    return data[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="replace")
