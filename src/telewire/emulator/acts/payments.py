"""Payments, the user's side: pressing Pay under an invoice or opening an invoice link.

What the user's app would fill in (name, e-mail, phone, shipping address) comes from
``order_info`` or, where the invoice asks and none is given, from plausible test data.
The rest of the walk (shipping query, pre-checkout query, successful_payment) follows
the bot's answers in ``methods/payments.py``.
"""

from __future__ import annotations

import time
from typing import Any

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator.control import private_chat
from telewire.emulator.engine import Engine
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.payments import STARS, ask_pre_checkout, invoice_key
from telewire.emulator.records import Checkout, InvoiceTerms

TEST_ADDRESS = {
    "country_code": "US",
    "state": "CA",
    "city": "San Francisco",
    "street_line1": "1 Market Street",
    "street_line2": "",
    "post_code": "94105",
}


def _invoice(
    engine: Engine,
    token: str,
    user: t.User,
    chat_id: int | None,
    message_id: int | None,
    link: str | None,
) -> tuple[str, InvoiceTerms, int]:
    bot = engine.bot(token)
    if link:
        slug = link.rsplit("$", 1)[-1]
        terms = bot.records.invoices.get(slug)
        if terms is None or "$" not in link:
            raise bad_request("invoice link not found")
        private_chat(bot, user).started = True
        return slug, terms, user.id
    if chat_id is None or message_id is None:
        raise bad_request("give chat_id and message_id of an invoice, or an invoice_link")
    key = invoice_key(chat_id, message_id)
    terms = bot.records.invoices.get(key)
    chat = bot.chats.get(chat_id)
    if terms is None or chat is None or message_id not in chat.messages:
        raise bad_request("message with an invoice not found")
    if chat.chat.type != "private" and chat.members.get(user.id) in (None, "left", "kicked"):
        raise bad_request("the user is not a member of the chat")
    return key, terms, chat_id


def _order_info(
    terms: InvoiceTerms, user: t.User, given: dict[str, Any] | None
) -> t.OrderInfo | None:
    if given:
        return typed.convert(given, t.OrderInfo)
    info: dict[str, Any] = {}
    if terms.need_name:
        info["name"] = " ".join(filter(None, [user.first_name, user.last_name]))
    if terms.need_email:
        info["email"] = f"{user.username or user.id}@example.com"
    if terms.need_phone_number:
        info["phone_number"] = f"1555{user.id % 10_000_000:07d}"
    if terms.need_shipping_address:
        info["shipping_address"] = TEST_ADDRESS
    return typed.convert(info, t.OrderInfo) if info else None


def pay(
    engine: Engine,
    token: str,
    user_data: dict[str, Any],
    *,
    chat_id: int | None = None,
    message_id: int | None = None,
    invoice_link: str | None = None,
    tip_amount: int = 0,
    shipping_option_id: str | None = None,
    order_info: dict[str, Any] | None = None,
) -> Checkout:
    """``user`` pays an invoice: the bot gets a shipping or pre-checkout query to answer."""
    bot = engine.bot(token)
    user = engine.world.user(user_data)
    key, terms, where = _invoice(engine, token, user, chat_id, message_id, invoice_link)
    if tip_amount and (terms.currency == STARS or not 0 < tip_amount <= terms.max_tip_amount):
        raise bad_request(f"tip_amount must be 0-{terms.max_tip_amount} for this invoice")
    records = bot.records
    checkout = Checkout(
        id=records.new_id(f"{bot.id}7"),
        user_id=user.id,
        chat_id=where,
        invoice=key,
        total_amount=terms.total + tip_amount,
        created=time.time(),
        shipping_option_id=shipping_option_id,
        order_info=_order_info(terms, user, order_info),
    )
    records.checkouts[checkout.id] = checkout
    records.keep_recent(records.checkouts)
    address = checkout.order_info.shipping_address if checkout.order_info else None
    if terms.is_flexible and address is not None:
        query = t.ShippingQuery(
            id=checkout.id + "s",
            from_user=user,
            invoice_payload=terms.payload,
            shipping_address=address,
        )
        engine.deliver(bot, "shipping_query", query)
    else:
        ask_pre_checkout(engine, bot, checkout)
    return checkout


def outcome(engine: Engine, token: str, checkout: Checkout) -> dict[str, Any]:
    """Where a payment stands: paid (with its message), declined (with why) or waiting."""
    bot = engine.bot(token)
    message = None
    if checkout.stage == "paid" and checkout.chat_id is not None:
        chat = bot.chats.get(checkout.chat_id)
        message = next(
            (
                m
                for m in reversed(list(chat.messages.values()) if chat else [])
                if m.successful_payment is not None
                and m.from_user
                and m.from_user.id == checkout.user_id
            ),
            None,
        )
    return {
        "status": checkout.stage if checkout.stage in ("paid", "declined") else "waiting",
        "stage": checkout.stage,
        "error_message": checkout.error_message,
        "total_amount": checkout.total_amount,
        "shipping_option_id": checkout.shipping_option_id,
        "message": message,
    }
