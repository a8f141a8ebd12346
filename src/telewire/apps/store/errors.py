"""What the store refuses: bad input (nothing changes) and actions the owner did not approve."""

from __future__ import annotations

from telewire.features.approvals import Decision


class StoreError(ValueError):
    """Bad input or an impossible operation; nothing was changed."""


class NotApproved(StoreError):
    def __init__(self, action: str, decision: Decision) -> None:
        super().__init__(f"{action}: not approved by the owner ({decision.describe()})")
        self.decision = decision


class ForgedApproval(StoreError):
    """The approvals file says approved, but the ledger holds no such decision."""

    def __init__(self, action: str, detail: str) -> None:
        super().__init__(f"{action}: refused, the approval was forged ({detail})")


__all__ = ["ForgedApproval", "NotApproved", "StoreError"]
