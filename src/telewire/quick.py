"""The two-line API: ``telewire.notify(...)`` and ``telewire.ask(...)``.

    import telewire
    telewire.notify("Backup finished")                  # durable: queued, then delivered
    if telewire.ask("Deploy to production?").approved:  # waits for the owner's button
        deploy()

Both use the saved settings (``telewire setup``) or TELEGRAM_BOT_TOKEN /
TELEGRAM_CHAT_ID, and files in the state directory. For more control use
:class:`~telewire.features.outbox.Outbox` and
:class:`~telewire.features.approvals.ApprovalBook` directly.
"""

from __future__ import annotations

import atexit
import threading
from typing import Any

_lock = threading.Lock()
_outbox: Any = None


def notify(text: str, *, chat_id: int | str | None = None, parse_mode: str | None = None) -> None:
    """Queue ``text`` for your chat; it is delivered in the background, even after a crash."""
    global _outbox
    with _lock:
        if _outbox is None:
            from telewire.features.outbox import Outbox

            _outbox = Outbox()
            atexit.register(_outbox.close, 5.0)  # deliver what is due before the program ends
    _outbox.notify(text, chat_id=chat_id, parse_mode=parse_mode)


def ask(question: str, *, timeout: float = 300.0, approvers: list[int] | None = None) -> Any:
    """Ask the owner (or ``approvers``) with Approve / Deny buttons; wait for the decision."""
    from telewire import settings
    from telewire.features.approvals import ApprovalBook
    from telewire.features.approvals import ask as ask_book
    from telewire.paths import state_dir

    if approvers is None:
        chat = settings.resolve().chat_id
        if not chat:
            raise ValueError(
                "no approver: pass approvers=[user id], set TELEGRAM_CHAT_ID, "
                "or run `telewire setup`"
            )
        approvers = [int(chat)]
    book = ApprovalBook(state_dir() / "approvals.db", approvers=approvers)
    try:
        return ask_book(book, question, timeout=timeout)
    finally:
        book.close()
