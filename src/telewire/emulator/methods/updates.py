"""Receiving: getUpdates (its immediate part; the server adds the waiting), webhooks,
and answering callback queries."""

from __future__ import annotations

import re
import time

from telewire.api._generated import types as t
from telewire.emulator import errors as e
from telewire.emulator.engine import Call, method
from telewire.emulator.errors import ApiFailure, bad_request
from telewire.emulator.world import Webhook

SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
ANSWER_WINDOW = 60.0
"""Seconds after a press in which answerCallbackQuery still works (Telegram: unconfirmed)."""


@method("getUpdates")
def get_updates(call: Call) -> list[t.Update]:
    """Confirm what ``offset`` confirms and return what is pending now (no waiting)."""
    bot = call.bot
    if bot.webhook is not None:
        raise ApiFailure(409, e.CONFLICT_WEBHOOK)
    allowed = call.get("allowed_updates")
    if allowed is not None:
        bot.allowed_updates = list(allowed)
    offset = call.get("offset")
    bot.confirm(int(offset) if offset is not None else None)
    return bot.take(poll_limit(call))


def poll_limit(call: Call) -> int:
    return min(100, max(1, int(call.get("limit", 100))))


def poll_timeout(call: Call) -> float:
    return max(0.0, float(call.get("timeout", 0)))


@method("setWebhook")
def set_webhook(call: Call) -> bool:
    url = str(call.get("url", ""))
    bot = call.bot
    if call.get("drop_pending_updates"):
        bot.pending.clear()
    if not url:
        bot.webhook = None
        return True
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: HTTPS url must be provided for webhook")
    secret = call.get("secret_token")
    if secret is not None and not SECRET_TOKEN.match(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    allowed = call.get("allowed_updates")
    if allowed is not None:
        bot.allowed_updates = list(allowed)
    bot.webhook = Webhook(
        url=url,
        secret_token=str(secret) if secret else None,
        max_connections=min(100, max(1, int(call.get("max_connections", 40)))),
    )
    call.emit("webhook", {"url": url})
    return True


@method("deleteWebhook")
def delete_webhook(call: Call) -> bool:
    if call.get("drop_pending_updates"):
        call.bot.pending.clear()
    call.bot.webhook = None
    call.emit("webhook", {"url": ""})
    return True


@method("getWebhookInfo")
def get_webhook_info(call: Call) -> t.WebhookInfo:
    bot = call.bot
    hook = bot.webhook
    return t.WebhookInfo(
        url=hook.url if hook else "",
        has_custom_certificate=False,
        pending_update_count=len(bot.pending),
        max_connections=hook.max_connections if hook else None,
        last_error_date=hook.last_error_date if hook else None,
        last_error_message=hook.last_error_message if hook else None,
        allowed_updates=bot.allowed_updates or None,
    )


@method("answerCallbackQuery")
def answer_callback_query(call: Call) -> bool:
    query_id = str(call.need("callback_query_id"))
    record = call.bot.callbacks.get(query_id)
    if record is None or record.answered or time.time() - record.created > ANSWER_WINDOW:
        raise bad_request(e.QUERY_TOO_OLD)
    text = call.get("text")
    if text is not None and len(str(text)) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    record.answered = True
    record.text = str(text) if text is not None else None
    record.show_alert = bool(call.get("show_alert", False))
    record.url = call.get("url")
    call.emit(
        "callback_answer",
        {
            "callback_query_id": query_id,
            "chat_id": record.chat_id,
            "text": record.text,
            "show_alert": record.show_alert,
        },
    )
    return True
