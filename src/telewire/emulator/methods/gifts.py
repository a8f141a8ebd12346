"""Gifts: the catalogue, a bot sending one (paid from its Stars), and who received what.

The emulator's catalogue is a fixed handful of regular gifts; a gift costs the bot its
``star_count`` from the Stars it earned (``BALANCE_TOO_LOW`` otherwise, Telegram's text),
and the receiver's private chat shows a ``gift`` service message.
"""

from __future__ import annotations

from telewire.api._generated import types as t
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.common import formatted
from telewire.emulator.methods.payments import user_service_message
from telewire.emulator.methods.stars import balance
from telewire.emulator.world import now

_CATALOGUE = (("🧸", 15), ("💝", 15), ("🎁", 25), ("🌹", 25), ("🎂", 50), ("💐", 50), ("💎", 100))
TEXT_LIMIT = 128


def catalogue() -> list[t.Gift]:
    return [
        t.Gift(
            id=f"50{index:017d}",
            sticker=t.Sticker(
                file_id=f"CAACAgIAAxUAAWGift{index}",
                file_unique_id=f"AgADGift{index}",
                type="regular",
                width=512,
                height=512,
                is_animated=True,
                is_video=False,
                emoji=emoji,
            ),
            star_count=stars,
        )
        for index, (emoji, stars) in enumerate(_CATALOGUE)
    ]


@method("getAvailableGifts")
def get_available_gifts(call: Call) -> t.Gifts:
    return t.Gifts(gifts=catalogue())


@method("sendGift")
def send_gift(call: Call) -> bool:
    gift = next((g for g in catalogue() if g.id == str(call.need("gift_id"))), None)
    if gift is None:
        raise bad_request("STARGIFT_INVALID")
    user_id, chat_id = call.get("user_id"), call.get("chat_id")
    if (user_id is None) == (chat_id is None):
        raise bad_request("exactly one of user_id and chat_id must be given")
    receiver = int(user_id) if user_id is not None else int(call.chat().chat.id)
    if user_id is not None and receiver not in call.world.users:
        raise bad_request("USER_ID_INVALID")
    text, entities = formatted(
        call, str(call.get("text", "")), "text_parse_mode", "text_entities", auto=False
    )
    if len(text) > TEXT_LIMIT:
        raise bad_request(f"gift text must be 0-{TEXT_LIMIT} characters")
    if balance(call.bot.records) < gift.star_count:
        raise bad_request("BALANCE_TOO_LOW")
    owned_id = call.bot.records.new_id("gift")
    call.bot.records.star_transactions.append(
        t.StarTransaction(
            id=owned_id,
            amount=gift.star_count,
            date=now(),
            receiver=t.TransactionPartnerUser(
                transaction_type="gift_purchase", user=call.world.users[receiver], gift=gift
            )
            if receiver in call.world.users
            else t.TransactionPartnerOther(),
        )
    )
    owned = t.OwnedGiftRegular(
        gift=gift,
        send_date=now(),
        owned_gift_id=owned_id,
        sender_user=call.bot.user,
        text=text or None,
        entities=entities,
    )
    call.bot.records.gifts.setdefault(receiver, []).insert(0, owned)
    if receiver in call.bot.chats and receiver in call.world.users:
        user = call.world.users[receiver]
        info = t.GiftInfo(gift=gift, owned_gift_id=owned_id, text=text or None, entities=entities)
        user_service_message(call.engine, call.bot, receiver, user, gift=info)
    return True


def _owned(call: Call, owner: int) -> t.OwnedGifts:
    gifts = call.bot.records.gifts.get(owner, [])
    if call.get("sort_by_price"):
        gifts = sorted(gifts, key=lambda g: -g.gift.star_count)
    offset = int(call.get("offset") or 0) if str(call.get("offset") or "0").isdigit() else 0
    limit = min(100, max(1, int(call.get("limit", 100))))
    page = gifts[offset : offset + limit]
    more = offset + limit < len(gifts)
    owned: list[t.OwnedGift] = list(page)
    return t.OwnedGifts(
        total_count=len(gifts), gifts=owned, next_offset=str(offset + limit) if more else None
    )


@method("getUserGifts")
def get_user_gifts(call: Call) -> t.OwnedGifts:
    user_id = int(call.need("user_id"))
    if user_id not in call.world.users:
        raise bad_request("USER_ID_INVALID")
    return _owned(call, user_id)


@method("getChatGifts")
def get_chat_gifts(call: Call) -> t.OwnedGifts:
    return _owned(call, call.chat().chat.id)
