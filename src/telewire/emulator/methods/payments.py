"""Payments, the bot's side: invoices, shipping and pre-checkout answers, Stars, refunds.

A user's payment (``acts/payments.py``) walks through the bot's answers: an invoice that
needs a shipping address and ``is_flexible`` first asks the bot (``shipping_query``), then
every payment asks ``pre_checkout_query``; answering it with ok completes the payment
here: a ``successful_payment`` message in the chat and a charge on record.

Telegram Stars (``XTR``) take no provider token and exactly one price; other currencies
need a provider token (any non-empty one: the emulator's provider is always a test one).
Error texts are Telegram's upper-case ones (``CURRENCY_TOTAL_AMOUNT_INVALID``,
``PAYMENT_PROVIDER_INVALID``, ``CHARGE_ALREADY_REFUNDED``...).
"""

from __future__ import annotations

import re
import time
from typing import Any

from telewire.api._generated import types as t
from telewire.core import typed
from telewire.emulator import errors as e
from telewire.emulator.engine import Call, Engine, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.common import post
from telewire.emulator.records import Charge, Checkout, InvoiceTerms
from telewire.emulator.world import BotState, ChatState, now

STARS = "XTR"
STARS_LIMIT = 10_000
SUBSCRIPTION_PERIOD = 2_592_000
ANSWER_WINDOW = 10.0
"""Seconds the bot has to answer a pre-checkout or shipping query (Telegram: 10)."""
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _terms(call: Call) -> InvoiceTerms:
    title, description = str(call.need("title")), str(call.need("description"))
    payload = str(call.need("payload"))
    if not 1 <= len(title) <= 32:
        raise bad_request("invoice title must be 1-32 characters")
    if not 1 <= len(description) <= 255:
        raise bad_request("invoice description must be 1-255 characters")
    if not 1 <= len(payload.encode()) <= 128:
        raise bad_request("invoice payload must be 1-128 bytes")
    currency = str(call.need("currency"))
    if not _CURRENCY.match(currency):
        raise bad_request("CURRENCY_INVALID")
    prices = typed.convert(call.need("prices"), list[t.LabeledPrice])
    token = str(call.get("provider_token", ""))
    if currency == STARS:
        if token:
            raise bad_request("PAYMENT_PROVIDER_INVALID")
        if len(prices) != 1:
            raise bad_request("STARS_INVOICE_INVALID")
    elif not token:
        raise bad_request("PAYMENT_PROVIDER_INVALID")
    total = sum(p.amount for p in prices)
    if not prices or total <= 0 or (currency == STARS and total > STARS_LIMIT):
        raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
    max_tip = int(call.get("max_tip_amount", 0))
    tips = call.get("suggested_tip_amounts") or []
    if len(tips) > 4 or tips != sorted(set(tips)) or any(not 0 < a <= max_tip for a in tips):
        raise bad_request("SUGGESTED_TIP_AMOUNTS_INVALID")
    period = call.get("subscription_period")
    if period is not None and (currency != STARS or int(period) != SUBSCRIPTION_PERIOD):
        raise bad_request("SUBSCRIPTION_PERIOD_INVALID")
    return InvoiceTerms(
        title=title,
        description=description,
        payload=payload,
        currency=currency,
        prices=prices,
        provider_token=token,
        is_flexible=bool(call.get("is_flexible", False)),
        need_shipping_address=bool(call.get("need_shipping_address", False)),
        need_name=bool(call.get("need_name", False)),
        need_email=bool(call.get("need_email", False)),
        need_phone_number=bool(call.get("need_phone_number", False)),
        max_tip_amount=max_tip,
        subscription_period=int(period) if period is not None else None,
    )


def invoice_object(terms: InvoiceTerms, start_parameter: str = "") -> t.Invoice:
    return t.Invoice(
        title=terms.title,
        description=terms.description,
        start_parameter=start_parameter,
        currency=terms.currency,
        total_amount=terms.total,
    )


def invoice_key(chat_id: int, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


@method("sendInvoice")
def send_invoice(call: Call) -> t.Message:
    chat = call.chat(sending=True)
    terms = _terms(call)
    if terms.is_flexible and not terms.need_shipping_address:
        raise bad_request("is_flexible requires need_shipping_address")
    markup = call.get("reply_markup")
    if markup and not _starts_with_pay(markup):
        raise bad_request("the first button of an invoice's keyboard must be a Pay button")
    invoice = invoice_object(terms, str(call.get("start_parameter", "")))
    message = post(call, chat, invoice=invoice)
    call.bot.records.invoices[invoice_key(chat.chat.id, message.message_id)] = terms
    call.bot.records.keep_recent(call.bot.records.invoices)
    return message


def _starts_with_pay(markup: Any) -> bool:
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    return bool(rows and rows[0] and rows[0][0].get("pay"))


@method("createInvoiceLink")
def create_invoice_link(call: Call) -> str:
    terms = _terms(call)
    slug = call.bot.records.new_id("inv")
    call.bot.records.invoices[slug] = terms
    call.bot.records.keep_recent(call.bot.records.invoices)
    return f"https://t.me/${slug}"


def _query(call: Call, name: str, stage: str) -> Checkout:
    query_id = str(call.need(name))
    checkout = call.bot.records.checkouts.get(query_id.removesuffix("s"))
    if (
        checkout is None
        or checkout.stage != stage
        or (stage == "shipping") != query_id.endswith("s")
        or time.time() - checkout.created > ANSWER_WINDOW
    ):
        raise bad_request(e.QUERY_TOO_OLD)
    return checkout


def _refusal(call: Call) -> str:
    message = str(call.get("error_message", "")).strip()
    if not message:
        raise bad_request("error_message is required when ok is False")
    return message


@method("answerShippingQuery")
def answer_shipping_query(call: Call) -> bool:
    checkout = _query(call, "shipping_query_id", "shipping")
    if call.need("ok"):
        options = typed.convert(call.get("shipping_options") or [], list[t.ShippingOption])
        if not options:
            raise bad_request("SHIPPING_OPTIONS_EMPTY")
        if len({o.id for o in options}) != len(options):
            raise bad_request("SHIPPING_ID_DUPLICATE")
        checkout.shipping_options = options
        wanted = checkout.shipping_option_id
        chosen = next((o for o in options if o.id == wanted), options[0])
        checkout.shipping_option_id = chosen.id
        checkout.total_amount += sum(p.amount for p in chosen.prices)
        ask_pre_checkout(call.engine, call.bot, checkout)
    else:
        decline(call.engine, call.bot, checkout, _refusal(call))
    return True


@method("answerPreCheckoutQuery")
def answer_pre_checkout_query(call: Call) -> bool:
    checkout = _query(call, "pre_checkout_query_id", "pre_checkout")
    if call.need("ok"):
        complete(call.engine, call.bot, checkout)
    else:
        decline(call.engine, call.bot, checkout, _refusal(call))
    return True


def ask_pre_checkout(engine: Engine, bot: BotState, checkout: Checkout) -> None:
    terms = bot.records.invoices[checkout.invoice]
    checkout.stage, checkout.created = "pre_checkout", time.time()
    query = t.PreCheckoutQuery(
        id=checkout.id,
        from_user=engine.world.users[checkout.user_id],
        currency=terms.currency,
        total_amount=checkout.total_amount,
        invoice_payload=terms.payload,
        shipping_option_id=checkout.shipping_option_id,
        order_info=checkout.order_info,
    )
    engine.deliver(bot, "pre_checkout_query", query)


def decline(engine: Engine, bot: BotState, checkout: Checkout, reason: str) -> None:
    checkout.stage, checkout.error_message = "declined", reason
    engine.emit(bot, "checkout_answer", {"query_id": checkout.id, "stage": "declined"})


def complete(engine: Engine, bot: BotState, checkout: Checkout) -> None:
    """The payment went through: a charge, a successful_payment message, Stars earned."""
    terms = bot.records.invoices[checkout.invoice]
    user = engine.world.users[checkout.user_id]
    stars = terms.currency == STARS
    charge = Charge(
        telegram_payment_charge_id=bot.records.new_id("stxTW" if stars else "tg"),
        user_id=user.id,
        currency=terms.currency,
        total_amount=checkout.total_amount,
        payload=terms.payload,
        date=now(),
    )
    bot.records.charges.append(charge)
    if stars:
        partner = t.TransactionPartnerUser(
            transaction_type="invoice_payment",
            user=user,
            invoice_payload=terms.payload,
            subscription_period=terms.subscription_period,
        )
        bot.records.star_transactions.append(
            t.StarTransaction(
                id=charge.telegram_payment_charge_id,
                amount=charge.total_amount,
                date=charge.date,
                source=partner,
            )
        )
    payment = t.SuccessfulPayment(
        currency=terms.currency,
        total_amount=checkout.total_amount,
        invoice_payload=terms.payload,
        telegram_payment_charge_id=charge.telegram_payment_charge_id,
        provider_payment_charge_id="" if stars else f"test_{charge.telegram_payment_charge_id}",
        shipping_option_id=checkout.shipping_option_id,
        order_info=checkout.order_info,
        subscription_expiration_date=(
            charge.date + terms.subscription_period if terms.subscription_period else None
        ),
        is_recurring=True if terms.subscription_period else None,
        is_first_recurring=True if terms.subscription_period else None,
    )
    checkout.stage = "paid"
    message = user_service_message(
        engine, bot, checkout.chat_id or user.id, user, successful_payment=payment
    )
    engine.emit(
        bot,
        "checkout_answer",
        {"query_id": checkout.id, "stage": "paid", "message": message},
    )


def user_service_message(
    engine: Engine, bot: BotState, chat_id: int, user: t.User, **content: Any
) -> t.Message:
    """A service message from ``user`` in one of the bot's chats, delivered to the bot."""
    chat: ChatState = bot.chats[chat_id]
    message = t.Message(
        message_id=bot.next_message_id(chat), date=now(), chat=chat.chat, from_user=user, **content
    )
    chat.messages[message.message_id] = message
    engine.emit(bot, "message", {"chat_id": chat.chat.id, "message": message})
    engine.deliver(bot, "message", message)
    return message
