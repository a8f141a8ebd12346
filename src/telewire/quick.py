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


class _Default:
    """The one outbox behind :func:`notify`, made on first use and visible to the program:
    :func:`default_outbox` returns it, :func:`close_default_outbox` ends it. Without
    either, it delivers what is due (5 s at most) when the program exits."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.outbox: Outbox | None = None

    def get(self) -> Outbox:
        with self.lock:
            if self.outbox is None:
                from telewire.features.outbox import Outbox

                self.outbox = Outbox()
                atexit.register(self.close, 5.0)
            return self.outbox

    def close(self, timeout: float = 5.0) -> None:
        with self.lock:
            outbox, self.outbox = self.outbox, None
        if outbox is not None:
            atexit.unregister(self.close)
            outbox.close(timeout)


_default = _Default()


def default_outbox() -> Outbox:
    """The outbox :func:`notify` queues into (in the state directory, with the saved
    settings), to ``flush()`` it, read its ``status()`` or queue other methods."""
    return _default.get()


def close_default_outbox(timeout: float = 5.0) -> None:
    """Deliver what is due (``timeout`` seconds at most) and stop the default outbox's
    sender; the next :func:`notify` makes a new one."""
    _default.close(timeout)


def notify(text: str, *, chat_id: int | str | None = None, parse_mode: str | None = None) -> None:
    """Queue ``text`` for your chat in :func:`default_outbox`; it is delivered in the
    background, even after a crash (it is on disk before this returns)."""
    default_outbox().notify(text, chat_id=chat_id, parse_mode=parse_mode)
