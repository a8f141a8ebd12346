"""What many methods share: creating messages, checking text, keyboards and replies."""

from __future__ import annotations

from typing import Any

import msgspec

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.core.markup import MarkupError, detect_entities, parse, utf16_len
from telewire.emulator import errors as e
from telewire.emulator.engine import Call
from telewire.emulator.errors import bad_request
from telewire.emulator.world import ChatState, now

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def entities_of(raw: Any) -> list[t.MessageEntity] | None:
    if not raw:
        return None
    return typed.convert(raw, list[t.MessageEntity])


def formatted(
    call: Call, text: str, mode_param: str, entities_param: str, *, auto: bool = True
) -> tuple[str, list[t.MessageEntity] | None]:
    """Apply the call's parse mode (or explicit entities) to ``text``."""
    given = call.get(entities_param)
    if given:
        return text, entities_of(given)
    try:
        plain, found = parse(text, call.get(mode_param))
    except MarkupError as exc:
        raise bad_request(str(exc)) from None
    if auto and not found:
        found = detect_entities(plain)
    return plain, entities_of(found)


def message_text(call: Call, name: str = "text") -> tuple[str, list[t.MessageEntity] | None]:
    raw = call.get(name)
    if raw is None or str(raw).strip() == "":
        raise bad_request(e.TEXT_EMPTY)
    text, entities = formatted(call, str(raw), "parse_mode", "entities")
    if not text.strip():
        raise bad_request(e.TEXT_EMPTY)
    if utf16_len(text) > TEXT_LIMIT:
        raise bad_request(e.TEXT_TOO_LONG)
    return text, entities


def caption(call: Call) -> dict[str, Any]:
    raw = call.get("caption")
    if raw is None or raw == "":
        return {}
    text, entities = formatted(call, str(raw), "parse_mode", "caption_entities")
    if utf16_len(text) > CAPTION_LIMIT:
        raise bad_request(e.CAPTION_TOO_LONG)
    return {"caption": text, "caption_entities": entities}


def inline_keyboard(raw: Any) -> t.InlineKeyboardMarkup | None:
    """Validate an inline keyboard as Telegram does (BUTTON_DATA_INVALID and friends)."""
    if not raw or "inline_keyboard" not in raw:
        return None
    markup = typed.convert(raw, t.InlineKeyboardMarkup)
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data is not None:
                size = len(button.callback_data.encode("utf-8"))
                if not 1 <= size <= 64:
                    raise bad_request(e.BUTTON_DATA_INVALID)
            elif not (
                button.url
                or button.switch_inline_query is not None
                or button.web_app
                or button.copy_text
                or button.login_url
                or button.pay
                or button.switch_inline_query_current_chat is not None
                or button.switch_inline_query_chosen_chat
                or button.callback_game
            ):
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
    return markup


def apply_reply_markup(call: Call, chat: ChatState) -> t.InlineKeyboardMarkup | None:
    raw = call.get("reply_markup")
    if not raw:
        return None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "keyboard" in raw:
        chat.reply_keyboard = raw
    elif raw.get("remove_keyboard"):
        chat.reply_keyboard = None
    return inline_keyboard(raw)


def replied_message(call: Call, chat: ChatState) -> t.Message | None:
    params = call.get("reply_parameters") or {}
    message_id = params.get("message_id") or call.get("reply_to_message_id")
    if not message_id:
        return None
    replied = chat.messages.get(int(message_id))
    if replied is None:
        if params.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return msgspec.structs.replace(replied, reply_to_message=None)


def post(call: Call, chat: ChatState, **content: Any) -> t.Message:
    """Create a message from the bot in ``chat`` with the call's common options applied."""
    from telewire.emulator.methods import ephemeral  # imports this module

    wanted = ephemeral.requested(call)
    if wanted is not None:
        return ephemeral.post_ephemeral(call, chat, wanted, content)
    markup = apply_reply_markup(call, chat)
    message = t.Message(
        message_id=call.bot.next_message_id(chat),
        date=now(),
        chat=chat.chat,
        from_user=call.bot.user if chat.chat.type != "channel" else None,
        sender_chat=chat.chat if chat.chat.type == "channel" else None,
        reply_to_message=replied_message(call, chat),
        reply_markup=markup,
        has_protected_content=True if call.get("protect_content") else None,
        **{k: v for k, v in content.items() if v is not None},
    )
    chat.remember(message, call.world.history)
    call.emit("message", {"chat_id": chat.chat.id, "message": message})
    return message
