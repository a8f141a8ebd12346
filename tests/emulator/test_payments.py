"""Payments: invoices in Stars and in a currency with a test provider, shipping, refunds."""

from __future__ import annotations

import pytest

from telewire import BadRequest, Bot
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import LabeledPrice, ShippingOption, Update

from .answering import answering, wait_until

TEST_PROVIDER = "284685063:TEST:emulated"


def test_stars_invoice_paid_refunded_and_listed(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    invoice = bot.send_invoice(
        chat_id=alice.id,
        title="Sticker pack",
        description="Twelve stickers",
        payload="pack-12",
        currency="XTR",
        prices=[LabeledPrice(label="Pack", amount=50)],
    )
    assert invoice.invoice and invoice.invoice.total_amount == 50

    def handle(update: Update) -> None:
        if update.pre_checkout_query is not None:
            query = update.pre_checkout_query
            assert query.invoice_payload == "pack-12" and query.total_amount == 50
            bot.answer_pre_checkout_query(pre_checkout_query_id=query.id, ok=True)

    with answering(bot, handle) as seen:
        payment = emulator.pay(alice, invoice)
        wait_until(lambda: any(u.message and u.message.successful_payment for u in seen))
    assert payment.status == "paid" and payment.message is not None
    paid = payment.message.successful_payment
    assert paid is not None and paid.currency == "XTR" and paid.total_amount == 50
    assert paid.provider_payment_charge_id == ""
    history = bot.get_star_transactions()
    assert [(x.id, x.amount) for x in history.transactions] == [
        (paid.telegram_payment_charge_id, 50)
    ]
    assert bot.get_my_star_balance().amount == 50
    assert bot.refund_star_payment(
        user_id=alice.id, telegram_payment_charge_id=paid.telegram_payment_charge_id
    )
    with pytest.raises(BadRequest, match="CHARGE_ALREADY_REFUNDED"):
        bot.refund_star_payment(
            user_id=alice.id, telegram_payment_charge_id=paid.telegram_payment_charge_id
        )
    with pytest.raises(BadRequest, match="CHARGE_NOT_FOUND"):
        bot.refund_star_payment(user_id=alice.id, telegram_payment_charge_id="nope")
    assert bot.get_my_star_balance().amount == 0
    refund = emulator.wait_for(alice.id, lambda m: m.refunded_payment is not None)
    assert refund.refunded_payment and refund.refunded_payment.total_amount == 50


def test_currency_invoice_with_shipping_tip_and_a_declined_first_try(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    invoice = bot.send_invoice(
        chat_id=alice.id,
        title="Time machine",
        description="Working",
        payload="tm-1",
        provider_token=TEST_PROVIDER,
        currency="USD",
        prices=[
            LabeledPrice(label="Machine", amount=10_000),
            LabeledPrice(label="Tax", amount=500),
        ],
        max_tip_amount=1_000,
        suggested_tip_amounts=[100, 500],
        need_name=True,
        need_shipping_address=True,
        is_flexible=True,
    )
    tries: list[int] = []

    def handle(update: Update) -> None:
        if update.shipping_query is not None:
            assert update.shipping_query.shipping_address.country_code == "US"
            bot.answer_shipping_query(
                shipping_query_id=update.shipping_query.id,
                ok=True,
                shipping_options=[
                    ShippingOption(
                        id="post", title="Post", prices=[LabeledPrice(label="Post", amount=300)]
                    ),
                    ShippingOption(
                        id="air", title="Air", prices=[LabeledPrice(label="Air", amount=900)]
                    ),
                ],
            )
        if update.pre_checkout_query is not None:
            query = update.pre_checkout_query
            tries.append(query.total_amount)
            assert query.order_info and query.order_info.name == "Alice"
            if len(tries) == 1:
                bot.answer_pre_checkout_query(
                    pre_checkout_query_id=query.id, ok=False, error_message="Out of stock"
                )
            else:
                bot.answer_pre_checkout_query(pre_checkout_query_id=query.id, ok=True)

    with answering(bot, handle):
        first = emulator.pay(alice, invoice, shipping_option_id="air", tip_amount=100)
        second = emulator.pay(alice, invoice)
    assert first.status == "declined" and first.error_message == "Out of stock"
    assert second.status == "paid" and second.message is not None
    assert tries == [10_500 + 100 + 900, 10_500 + 300]
    paid = second.message.successful_payment
    assert paid and paid.currency == "USD" and paid.shipping_option_id == "post"
    assert paid.provider_payment_charge_id.startswith("test_")
    with pytest.raises(AssertionError, match="tip_amount must be 0-1000"):
        emulator.pay(alice, invoice, tip_amount=5_000, timeout=0)


def test_invoice_link_payment_arrives_in_the_private_chat(
    bot: Bot, emulator: EmulatorHandle
) -> None:
    link = bot.create_invoice_link(
        title="Club",
        description="Monthly",
        payload="club",
        currency="XTR",
        prices=[LabeledPrice(label="Month", amount=100)],
        subscription_period=2_592_000,
    )
    assert link.startswith("https://t.me/$")
    bob = emulator.user("Bob")
    waiting = emulator.pay(bob, link, timeout=0)
    assert waiting.status == "waiting"
    query = next(u.pre_checkout_query for u in bot.get_updates() if u.pre_checkout_query)
    assert query.from_user.id == bob.id
    assert bot.answer_pre_checkout_query(pre_checkout_query_id=query.id, ok=True)
    with pytest.raises(BadRequest, match="query is too old"):
        bot.answer_pre_checkout_query(pre_checkout_query_id=query.id, ok=True)
    message = emulator.wait_for(bob.id, lambda m: m.successful_payment is not None)
    assert message.successful_payment and message.successful_payment.is_recurring


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"currency": "XTR", "provider_token": TEST_PROVIDER}, "PAYMENT_PROVIDER_INVALID"),
        ({"currency": "USD"}, "PAYMENT_PROVIDER_INVALID"),
        ({"currency": "usd", "provider_token": TEST_PROVIDER}, "CURRENCY_INVALID"),
        (
            {"currency": "XTR", "prices": [LabeledPrice(label="x", amount=0)]},
            "CURRENCY_TOTAL_AMOUNT_INVALID",
        ),
        (
            {"currency": "XTR", "prices": [LabeledPrice(label="x", amount=1)] * 2},
            "STARS_INVOICE_INVALID",
        ),
        (
            {"currency": "USD", "provider_token": TEST_PROVIDER, "suggested_tip_amounts": [5]},
            "SUGGESTED_TIP_AMOUNTS_INVALID",
        ),
    ],
)
def test_bad_invoices_are_refused(
    bot: Bot, alice: TestUser, fields: dict[str, object], error: str
) -> None:
    params: dict[str, object] = {
        "title": "t",
        "description": "d",
        "payload": "p",
        "prices": [LabeledPrice(label="x", amount=100)],
        **fields,
    }
    with pytest.raises(BadRequest, match=error):
        bot.send_invoice(chat_id=alice.id, **params)  # type: ignore[arg-type]


def test_a_refusal_needs_an_error_message(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    invoice = bot.send_invoice(
        chat_id=alice.id,
        title="t",
        description="d",
        payload="p",
        currency="XTR",
        prices=[LabeledPrice(label="x", amount=1)],
    )
    emulator.pay(alice, invoice, timeout=0)
    query = next(u.pre_checkout_query for u in bot.get_updates() if u.pre_checkout_query)
    with pytest.raises(BadRequest, match="error_message"):
        bot.answer_pre_checkout_query(pre_checkout_query_id=query.id, ok=False)


def test_gifts_cost_the_bot_its_stars_and_reach_the_user(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    catalogue = bot.get_available_gifts().gifts
    cheapest = min(catalogue, key=lambda g: g.star_count)
    with pytest.raises(BadRequest, match="BALANCE_TOO_LOW"):
        bot.send_gift(user_id=alice.id, gift_id=cheapest.id)
    invoice = bot.send_invoice(
        chat_id=alice.id,
        title="t",
        description="d",
        payload="p",
        currency="XTR",
        prices=[LabeledPrice(label="x", amount=cheapest.star_count + 5)],
    )
    emulator.pay(alice, invoice, timeout=0)
    query = next(u.pre_checkout_query for u in bot.get_updates() if u.pre_checkout_query)
    bot.answer_pre_checkout_query(pre_checkout_query_id=query.id, ok=True)
    assert bot.send_gift(user_id=alice.id, gift_id=cheapest.id, text="for you")
    assert bot.get_my_star_balance().amount == 5
    received = emulator.wait_for(alice.id, lambda m: m.gift is not None)
    assert received.gift and received.gift.text == "for you"
    owned = bot.get_user_gifts(user_id=alice.id)
    assert owned.total_count == 1 and owned.gifts[0].gift.id == cheapest.id
    with pytest.raises(BadRequest, match="STARGIFT_INVALID"):
        bot.send_gift(user_id=alice.id, gift_id="nope")
