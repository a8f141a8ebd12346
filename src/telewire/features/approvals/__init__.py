"""Inline-button approvals: a person confirms (or refuses) before a program acts.

    book = ApprovalBook("approvals.db", approvers=[OWNER_ID], ledger=ledger)
    decision = ask("Refund 12.50 of bill #17\nAsked by: ann", book=book, note=reason)
    if decision.approved: ...

Only listed approvers can decide, once, before the deadline (wall-clock time); every
button carries an HMAC of its request, so forged or altered presses are refused. With a
ledger, each decision is recorded there with who decided and a hash of the question, and
a decision row the ledger does not back is refused.

A bot whose workers run on several machines keeps its requests in their shared storage
instead: ``SharedApprovalBook(open_storage("redis://…"), approvers=[OWNER_ID])``.
"""

from telewire.features.approvals.asking import approvals_router, ask, ask_async
from telewire.features.approvals.book import ApprovalBook, Decision, ForgedDecision, PressOutcome
from telewire.features.approvals.keys import KeyFileError, load_secret
from telewire.features.approvals.shared import SharedApprovalBook

__all__ = [
    "ApprovalBook",
    "Decision",
    "ForgedDecision",
    "KeyFileError",
    "PressOutcome",
    "SharedApprovalBook",
    "approvals_router",
    "ask",
    "ask_async",
    "load_secret",
]
