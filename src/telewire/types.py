"""Every Bot API type, e.g. ``from telewire.types import Message, InlineKeyboardMarkup``."""

from telewire.api._generated.types import *  # noqa: F403
from telewire.api._generated.types import __all__ as __all__
