"""The two-line API: ``telewire.notify(...)`` and ``telewire.ask(...)``.

    import telewire
    telewire.notify("Backup finished")                  # durable: queued, then delivered
    if telewire.ask("Deploy to production?").approved:  # waits for the owner's button
        deploy()

Both use the saved settings (``telewire setup``) or TELEGRAM_BOT_TOKEN /
TELEGRAM_CHAT_ID, and files in the state directory. ``telewire.ask`` (and its twin
``ask_async``) is the one way to ask: :mod:`telewire.features.approvals.asking`. For more
control of telling use :class:`~telewire.features.outbox.Outbox` directly.
"""

from __future__ import annotations

import atexit
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telewire.features.outbox import Outbox

_lock = threading.Lock()
_outbox: Outbox | None = None


def notify(text: str, *, chat_id: int | str | None = None, parse_mode: str | None = None) -> None:
    """Queue ``text`` for your chat; it is delivered in the background, even after a crash."""
    global _outbox
    with _lock:
        if _outbox is None:
            from telewire.features.outbox import Outbox

            _outbox = Outbox()
            atexit.register(_outbox.close, 5.0)  # deliver what is due before the program ends
        outbox = _outbox
    outbox.notify(text, chat_id=chat_id, parse_mode=parse_mode)
