"""Approvals kept in a shared storage: asked on one machine, decided on another.

:class:`~telewire.features.approvals.ApprovalBook` keeps requests in a SQLite file, so
whoever asks and whoever answers the buttons must run on its machine. A bot spread over
machines (``telewire serve`` workers) keeps them where its workers already meet, in a
:class:`~telewire.storage.Storage` on Redis or PostgreSQL::

    book = SharedApprovalBook(open_storage("redis://…"), approvers=[OWNER_ID])
    router.include(approvals_router(book))
    decision = await ask_async("Refund 12.50?", book=book, client=ctx.bot)

The rules are the file book's: only the request's approvers decide, once, before the
deadline (wall-clock time), and every button carries an HMAC. "Once" is a
compare-and-set from the version read as pending: of two presses at the same moment, on
two machines, exactly one decides and the other is told it was already decided.

The signing key lives in the storage too, made by whoever comes first (a compare-and-set
on an absent key), so every machine signs alike; whoever can write the storage could as
well write a decision, so the key is no more exposed than the records; requests are kept
a week past their deadline, then expire from the storage.

With a ``ledger`` (one every machine writes: ``Ledger("postgresql://…")``), a decision is
recorded there first, and only the first decision the ledger takes for a request counts
(:meth:`~telewire.features.ledger.Ledger.record_first`: its appends are serialised), then
copied to the storage. A decision read from the storage that the ledger does not back
(someone wrote the storage directly) raises :class:`ForgedDecision`. A machine that dies
between the two steps leaves the request pending in the storage; the next press or the
expiry finds the ledger's decision and completes it, so the two never disagree.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import msgspec

from telewire.api._generated.types import InlineKeyboardMarkup
from telewire.core import typed
from telewire.features.approvals import wording
from telewire.features.approvals.book import (
    STATUS_WORDS,
    Decision,
    ForgedDecision,
    PressOutcome,
    Status,
    backs,
    buttons,
    check_question,
    decider,
    decision_entry,
    read_press,
    user_of,
)
from telewire.features.approvals.keys import KEY_BYTES
from telewire.storage import Item, Storage

if TYPE_CHECKING:
    from telewire.features.ledger import Entry, Ledger

KEEP = 7 * 24 * 3600.0
"""Seconds a request stays readable after its deadline."""


class Request(msgspec.Struct):
    question: str
    note: str | None
    approvers: list[int]
    created: float
    deadline: float
    status: Status = "pending"
    decided_by: dict[str, Any] | None = None
    decided_at: float | None = None
    messages: list[tuple[int, int]] = []


class SharedApprovalBook:
    """Approval requests in ``storage`` (keys under ``namespace``), for many machines."""

    def __init__(
        self,
        storage: Storage,
        *,
        approvers: Iterable[int],
        namespace: str = "approvals:",
        ledger: Ledger | None = None,
    ) -> None:
        self.storage = storage
        self.ledger = ledger
        self.approvers = frozenset(int(a) for a in approvers)
        if not self.approvers:
            raise ValueError("approvals need at least one approver (a Telegram user id)")
        self.namespace = namespace
        self._secret: bytes | None = None

    def __repr__(self) -> str:
        return f"SharedApprovalBook({self.storage!r}, approvers={sorted(self.approvers)})"

    async def secret(self) -> bytes:
        """The signing key every machine shares; made on first use."""
        if self._secret is None:
            key = self.namespace + "key"
            item = await self.storage.get(key)
            if item is None:
                made = secrets.token_bytes(KEY_BYTES)
                if await self.storage.compare_and_set(key, made, expected=None) is not None:
                    item = Item(made, 0)
                else:  # another machine was first: use its key
                    item = await self.storage.get(key)
            if item is None or len(item.value) != KEY_BYTES:
                raise ValueError(
                    f"the approvals key {key!r} in {self.storage!r} is damaged; delete it to "
                    "make a new one (open requests become invalid)"
                )
            self._secret = item.value
        return self._secret

    # -- records -------------------------------------------------------------------------

    async def _read(self, request_id: str) -> tuple[Request, int]:
        item = await self.storage.get(self.namespace + request_id)
        if item is None:
            raise KeyError(request_id)
        return typed.decode(item.value, Request), item.version

    async def _write(self, request_id: str, request: Request, expected: int | None) -> bool:
        """Write if nobody else did since ``expected`` was read; False if someone did."""
        ttl = max(1.0, request.deadline + KEEP - time.time())
        value = msgspec.json.encode(request)
        key = self.namespace + request_id
        return (
            await self.storage.compare_and_set(key, value, expected=expected, ttl=ttl) is not None
        )

    async def create(self, question: str, timeout: float, *, note: str | None = None) -> str:
        """A pending request: ``question`` holds the program's facts, ``note`` free text."""
        check_question(question, timeout)
        now = time.time()
        request = Request(question, note, sorted(self.approvers), now, now + timeout)
        while True:
            request_id = secrets.token_hex(5)
            if await self._write(request_id, request, expected=None):
                return request_id

    async def buttons(self, request_id: str) -> InlineKeyboardMarkup:
        return buttons(await self.secret(), request_id)

    async def question_text(self, request_id: str) -> str:
        request, _ = await self._read(request_id)
        return wording.question_text(request.question, request.note, request.deadline)

    async def remember_message(self, request_id: str, chat_id: int, message_id: int) -> None:
        while True:
            request, version = await self._read(request_id)
            request.messages.append((chat_id, message_id))
            if await self._write(request_id, request, expected=version):
                return

    async def messages(self, request_id: str) -> list[tuple[int, int]]:
        request, _ = await self._read(request_id)
        return [(int(chat), int(message)) for chat, message in request.messages]

    async def decision(self, request_id: str) -> Decision:
        """The request's state; raises :class:`ForgedDecision` if the ledger does not back it."""
        request, _ = await self._read(request_id)
        decision = _decision(request_id, request)
        if decision.status != "pending" and self.ledger is not None:
            entries = await asyncio.to_thread(self.ledger.find, f"approval:{request_id}")
            if not backs(entries, decision, _question_hash(request_id, request), self.approvers):
                raise ForgedDecision(
                    f"request {request_id} is marked {decision.status} in {self.storage!r}, "
                    "but the audit ledger holds no matching decision: the storage was written "
                    "behind the bot's back; treat the request as refused"
                )
        return decision

    async def outcome_text(self, request_id: str) -> str:
        request, _ = await self._read(request_id)
        who = user_of(request.decided_by)
        return wording.outcome_text(
            request.question,
            request.note,
            request.status,
            who.first_name if who else None,
            request.decided_at,
        )

    # -- deciding ------------------------------------------------------------------------

    async def _decide(
        self, request_id: str, status: Status, who: dict[str, Any] | None, moment: float
    ) -> tuple[Decision | None, Request]:
        """Move a pending request to ``status``; the decision if this call made it.

        With a ledger, the ledger's first decision for the request is the one that stands:
        this call's if it got there first, else the earlier one, copied to the storage.
        """
        decided: tuple[Any, dict[str, Any] | None, float] = (status, who, moment)
        mine, asked = True, False
        while True:
            request, version = await self._read(request_id)
            if request.status != "pending":
                return None, request
            if not asked:
                due = status == "expired"
                if (request.deadline <= moment) != due:
                    return None, request
                request.status, request.decided_by, request.decided_at = decided
                if self.ledger is not None:
                    entry, mine = await asyncio.to_thread(self._record_first, request_id, request)
                    if not mine:  # an earlier decision, not yet copied here: it stands
                        by = entry.data.get("by")
                        earlier = by if isinstance(by, dict) and by else None
                        decided = (entry.data.get("status"), earlier, entry.time)
                asked = True
            request.status, request.decided_by, request.decided_at = decided
            if await self._write(request_id, request, expected=version):
                return (_decision(request_id, request) if mine else None), request

    def _record_first(self, request_id: str, request: Request) -> tuple[Entry, bool]:
        assert self.ledger is not None
        entry = decision_entry(_decision(request_id, request), _question_hash(request_id, request))
        return self.ledger.record_first(**entry)

    async def expire_if_due(self, request_id: str, now: float | None = None) -> Decision | None:
        """Mark a pending request past its deadline expired; return it if this call did."""
        moment = time.time() if now is None else now
        decided, _ = await self._decide(request_id, "expired", None, moment)
        return decided

    async def press(
        self, data: str, user: dict[str, Any], now: float | None = None
    ) -> PressOutcome | None:
        """Judge a button press; None if the data is not an approval button at all."""
        pressed = read_press(await self.secret(), data)
        if pressed is None or isinstance(pressed, PressOutcome):
            return pressed
        request_id, action = pressed
        try:
            request, _ = await self._read(request_id)
        except KeyError:
            return PressOutcome("⚠️ This request is unknown here.", True, None)
        if int(user.get("id", 0)) not in request.approvers:
            return PressOutcome("⛔ You are not allowed to decide this.", True, None)
        moment = time.time() if now is None else now
        status: Status = "approved" if action == "a" else "denied"
        decided, request = await self._decide(request_id, status, decider(user), moment)
        if decided is not None:
            return PressOutcome(STATUS_WORDS[status], False, decided)
        expired = await self.expire_if_due(request_id, moment)
        if expired is not None:
            return PressOutcome("⌛ Too late: this request has expired.", True, expired)
        earlier = await self.decision(request_id)
        return PressOutcome(f"Already decided: {earlier.describe()}.", True, None)


def _decision(request_id: str, request: Request) -> Decision:
    return Decision(request_id, request.status, user_of(request.decided_by), request.decided_at)


def _question_hash(request_id: str, request: Request) -> str:
    """SHA-256 of what the approvers were asked (question, note, deadline, who may decide)."""
    asked = [request_id, request.question, request.note, request.deadline, request.approvers]
    return hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()
