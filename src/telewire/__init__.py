"""telewire: connect Python programs to the people who own them, through Telegram.

Tell (send, notify, log), hear (poll, webhook, route) and ask (approvals) - with a local
Telegram emulator for trying and testing it all offline. Names are imported lazily so
``import telewire`` stays fast; see ``__all__`` for the public surface.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from telewire.api._generated import BOT_API_VERSION as _BOT_API_VERSION

__version__ = "0.1.0"
__bot_api_version__: str = _BOT_API_VERSION  # the Bot API the generated surface speaks

_EXPORTS = {
    "Bot": "telewire.client.bot",
    "AsyncBot": "telewire.client.async_bot",
    "InputFile": "telewire.core.files",
    "RetryPolicy": "telewire.core.retry",
    "Token": "telewire.core.token",
    "InvalidToken": "telewire.core.token",
    "MissingToken": "telewire.client.config",
    "TelewireError": "telewire.core.errors",
    "APIError": "telewire.core.errors",
    "BadRequest": "telewire.core.errors",
    "ChatMigrated": "telewire.core.errors",
    "Unauthorized": "telewire.core.errors",
    "Forbidden": "telewire.core.errors",
    "NotFound": "telewire.core.errors",
    "Conflict": "telewire.core.errors",
    "RetryAfter": "telewire.core.errors",
    "ServerError": "telewire.core.errors",
    "NetworkError": "telewire.core.errors",
    "TimedOut": "telewire.core.errors",
    "MalformedReply": "telewire.core.errors",
    "ProxyError": "telewire.core.errors",
    "Router": "telewire.routing.router",
    "Context": "telewire.routing.context",
    "F": "telewire.routing.filters",
    "Filter": "telewire.routing.filters",
    "owner_only": "telewire.routing.middleware",
    "Remember": "telewire.routing.data",
    "Dialogs": "telewire.dialogs",
    "Dialog": "telewire.dialogs",
    "run_polling": "telewire.updates.polling",
    "start_polling": "telewire.updates.polling",
    "WebhookApp": "telewire.updates.webhook",
    "InlineKeyboard": "telewire.keyboards",
    "ReplyKeyboard": "telewire.keyboards",
    "CallbackData": "telewire.callback_data",
    "DeepLinks": "telewire.deep_links",
    "I18n": "telewire.i18n",
    "publish_commands": "telewire.routing.menu",
    "notify": "telewire.quick",
    "default_outbox": "telewire.quick",
    "close_default_outbox": "telewire.quick",
    "ask": "telewire.features.approvals",
    "ask_async": "telewire.features.approvals",
    "Decision": "telewire.features.approvals",
    "Outbox": "telewire.features.outbox",
    "AsyncOutbox": "telewire.features.outbox",
    "TelegramHandler": "telewire.features.logging_handler",
    "ApprovalBook": "telewire.features.approvals",
    "SharedApprovalBook": "telewire.features.approvals",
    "approvals_router": "telewire.features.approvals",
    "Ledger": "telewire.features.ledger",
    "Storage": "telewire.storage",
    "open_storage": "telewire.storage",
    "Scheduler": "telewire.jobs",
    "Job": "telewire.jobs",
    "FakeClock": "telewire.jobs",
    "throttle": "telewire.routing.throttling",
}

_SUBMODULES = frozenset({"types", "keyboards", "testing", "emulator", "i18n"})

__all__ = sorted([*_EXPORTS, "__bot_api_version__", "__version__"])

if TYPE_CHECKING:
    from telewire.callback_data import CallbackData as CallbackData
    from telewire.client.async_bot import AsyncBot as AsyncBot
    from telewire.client.bot import Bot as Bot
    from telewire.client.config import MissingToken as MissingToken
    from telewire.core.errors import APIError as APIError
    from telewire.core.errors import BadRequest as BadRequest
    from telewire.core.errors import ChatMigrated as ChatMigrated
    from telewire.core.errors import Conflict as Conflict
    from telewire.core.errors import Forbidden as Forbidden
    from telewire.core.errors import MalformedReply as MalformedReply
    from telewire.core.errors import NetworkError as NetworkError
    from telewire.core.errors import NotFound as NotFound
    from telewire.core.errors import ProxyError as ProxyError
    from telewire.core.errors import RetryAfter as RetryAfter
    from telewire.core.errors import ServerError as ServerError
    from telewire.core.errors import TelewireError as TelewireError
    from telewire.core.errors import TimedOut as TimedOut
    from telewire.core.errors import Unauthorized as Unauthorized
    from telewire.core.files import InputFile as InputFile
    from telewire.core.retry import RetryPolicy as RetryPolicy
    from telewire.core.token import InvalidToken as InvalidToken
    from telewire.core.token import Token as Token
    from telewire.deep_links import DeepLinks as DeepLinks
    from telewire.dialogs import Dialog as Dialog
    from telewire.dialogs import Dialogs as Dialogs
    from telewire.features.approvals import ApprovalBook as ApprovalBook
    from telewire.features.approvals import Decision as Decision
    from telewire.features.approvals import SharedApprovalBook as SharedApprovalBook
    from telewire.features.approvals import approvals_router as approvals_router
    from telewire.features.approvals import ask as ask
    from telewire.features.approvals import ask_async as ask_async
    from telewire.features.ledger import Ledger as Ledger
    from telewire.features.logging_handler import TelegramHandler as TelegramHandler
    from telewire.features.outbox import AsyncOutbox as AsyncOutbox
    from telewire.features.outbox import Outbox as Outbox
    from telewire.i18n import I18n as I18n
    from telewire.jobs import FakeClock as FakeClock
    from telewire.jobs import Job as Job
    from telewire.jobs import Scheduler as Scheduler
    from telewire.keyboards import InlineKeyboard as InlineKeyboard
    from telewire.keyboards import ReplyKeyboard as ReplyKeyboard
    from telewire.quick import close_default_outbox as close_default_outbox
    from telewire.quick import default_outbox as default_outbox
    from telewire.quick import notify as notify
    from telewire.routing.context import Context as Context
    from telewire.routing.data import Remember as Remember
    from telewire.routing.filters import F as F
    from telewire.routing.filters import Filter as Filter
    from telewire.routing.menu import publish_commands as publish_commands
    from telewire.routing.middleware import owner_only as owner_only
    from telewire.routing.router import Router as Router
    from telewire.routing.throttling import throttle as throttle
    from telewire.storage import Storage as Storage
    from telewire.storage import open_storage as open_storage
    from telewire.updates.polling import run_polling as run_polling
    from telewire.updates.polling import start_polling as start_polling
    from telewire.updates.webhook import WebhookApp as WebhookApp


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        if name in _SUBMODULES:
            return import_module(f"telewire.{name}")
        raise AttributeError(f"module 'telewire' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
