"""Cashier sign-in: during their shift at once, otherwise once the owner approves; a
session then lasts a working day."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telewire.features.approvals import Decision
    from telewire.features.ledger import Ledger

from telewire.apps.store.errors import StoreError

SESSION_HOURS = 8


class Sessions:
    """Part of :class:`~telewire.apps.store.service.Store`."""

    folder: Path
    ledger: Ledger

    def approve(self, action: str, question: str, actor: str, note: str | None = None) -> Decision:
        raise NotImplementedError

    def on_shift(self, person: str, now: float | None = None) -> bool:
        raise NotImplementedError

    def login(self, cashier: str) -> None:
        if not cashier.strip():
            raise StoreError("sign in with a cashier name")
        if not self.on_shift(cashier):
            self.approve(
                "sign-in", f"Let cashier {cashier} sign in to the till?", f"cashier:{cashier}"
            )
        sessions = self.folder / "sessions"
        sessions.mkdir(exist_ok=True)
        (sessions / f"{cashier}.json").write_text(
            json.dumps({"until": time.time() + SESSION_HOURS * 3600})
        )
        self.ledger.record(
            "session.start", actor=f"cashier:{cashier}", data={"hours": SESSION_HOURS}
        )

    def require_session(self, cashier: str) -> None:
        try:
            until = json.loads((self.folder / "sessions" / f"{cashier}.json").read_text())["until"]
        except (OSError, ValueError, KeyError):
            until = 0
        if until < time.time():
            raise StoreError(
                f"cashier {cashier} is not signed in: run `telewire store login {cashier}`"
            )
