"""Telegram Stars the bot earned: its transactions and balance, refunds, subscriptions.

Charges are recorded by ``payments.complete``; a refund is allowed once per charge
(``CHARGE_ALREADY_REFUNDED``) and gives the user a ``refunded_payment`` message.
"""

from __future__ import annotations

from telewire.api._generated import types as t
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import bad_request
from telewire.emulator.methods.payments import STARS, user_service_message
from telewire.emulator.records import Charge, Records
from telewire.emulator.world import now


def _charge(call: Call) -> Charge:
    user_id = int(call.need("user_id"))
    charge_id = str(call.need("telegram_payment_charge_id"))
    for charge in call.bot.records.charges:
        if charge.telegram_payment_charge_id == charge_id and charge.user_id == user_id:
            return charge
    raise bad_request("CHARGE_NOT_FOUND")


@method("refundStarPayment")
def refund_star_payment(call: Call) -> bool:
    charge = _charge(call)
    if charge.currency != STARS:
        raise bad_request("CHARGE_NOT_FOUND")
    if charge.refunded:
        raise bad_request("CHARGE_ALREADY_REFUNDED")
    charge.refunded = True
    user = call.world.users[charge.user_id]
    call.bot.records.star_transactions.append(
        t.StarTransaction(
            id=charge.telegram_payment_charge_id,
            amount=charge.total_amount,
            date=now(),
            receiver=t.TransactionPartnerUser(transaction_type="invoice_payment", user=user),
        )
    )
    if user.id in call.bot.chats:
        user_service_message(
            call.engine,
            call.bot,
            user.id,
            user,
            refunded_payment=t.RefundedPayment(
                currency=STARS,
                total_amount=charge.total_amount,
                invoice_payload=charge.payload,
                telegram_payment_charge_id=charge.telegram_payment_charge_id,
            ),
        )
    return True


@method("editUserStarSubscription")
def edit_user_star_subscription(call: Call) -> bool:
    charge = _charge(call)
    call.need("is_canceled")
    if charge.currency != STARS:
        raise bad_request("CHARGE_NOT_FOUND")
    return True


@method("getStarTransactions")
def get_star_transactions(call: Call) -> t.StarTransactions:
    offset = max(0, int(call.get("offset", 0)))
    limit = min(100, max(1, int(call.get("limit", 100))))
    newest_first = list(reversed(call.bot.records.star_transactions))
    return t.StarTransactions(transactions=newest_first[offset : offset + limit])


def balance(records: Records) -> int:
    """Stars earned (transactions with a source) minus Stars spent or refunded."""
    return sum(
        item.amount if item.source is not None else -item.amount
        for item in records.star_transactions
    )


@method("getMyStarBalance")
def get_my_star_balance(call: Call) -> t.StarAmount:
    return t.StarAmount(amount=balance(call.bot.records))
