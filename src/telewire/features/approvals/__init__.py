"""Inline-button approvals: a person confirms (or refuses) before a program acts.

    book = ApprovalBook("approvals.db", approvers=[OWNER_ID])
    decision = ask("Refund bill #17 (12.50)?", book=book, timeout=300)   # or ask_async
    if decision.approved: ...

Only listed approvers can decide, once, before the deadline; every button carries an
HMAC of its request, so forged or altered presses are refused.
"""

from telewire.features.approvals.asking import approvals_router, ask, ask_async
from telewire.features.approvals.book import ApprovalBook, Decision, PressOutcome

__all__ = ["ApprovalBook", "Decision", "PressOutcome", "approvals_router", "ask", "ask_async"]
