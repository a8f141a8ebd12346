"""Approval requests on disk, their signed buttons, and the rules for a press.

Everything that decides lives here and does no network I/O: creating a request, the
keyboard to send, judging a press (who, once, before the deadline, signed), and the text
that shows the outcome. :mod:`telewire.features.approvals.asking` does the sending.

With a ledger, the process that receives a press records the decision (who decided and
a hash of the question) in the same step that marks the request decided, and every
decision read back is checked against that entry: a row edited to say "approved" by
someone with access to the file is refused (:class:`ForgedDecision`).

The deadline is wall-clock time (this machine's clock, like ``time.time()``): a press
counts only if the approving update runs before it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from telewire.api._generated.types import InlineKeyboardButton, InlineKeyboardMarkup, User
from telewire.core.untrusted import one_line
from telewire.features.approvals import wording
from telewire.features.approvals.keys import KEY_BYTES, load_secret
from telewire.storage import connect, transaction

if TYPE_CHECKING:
    from telewire.features.ledger import Entry, Ledger

PREFIX = "tw:"
SCHEMA = """
CREATE TABLE IF NOT EXISTS approvals (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    approvers TEXT NOT NULL,
    created REAL NOT NULL,
    deadline REAL NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    decided_by TEXT,
    decided_at REAL,
    note TEXT
);
CREATE TABLE IF NOT EXISTS approval_messages (
    request_id TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL
);
"""
STATUS_WORDS = wording.STATUS_WORDS


class ForgedDecision(ValueError):
    """A decision in the approvals file that the ledger does not back: the file was altered."""


Status = Literal["pending", "approved", "denied", "expired"]


def user_of(who: dict[str, Any] | None) -> User | None:
    """The decider as a :class:`User` (the book keeps id, first name and username)."""
    if not who:
        return None
    return User(
        id=int(who["id"]),
        is_bot=False,
        first_name=str(who.get("first_name") or ""),
        username=who.get("username"),
    )


class Decision(NamedTuple):
    request_id: str
    status: Status
    """"approved", "denied", "expired" (or "pending" while undecided)."""
    by: User | None
    at: float | None

    @property
    def approved(self) -> bool:
        return self.status == "approved"

    def describe(self) -> str:
        if self.status == "pending":
            return "still pending"
        if self.by:
            who = self.by.first_name or "someone"
            return f"{self.status} by {who} ({self.by.id})"
        return self.status


class PressOutcome(NamedTuple):
    answer: str
    alert: bool
    decision: Decision | None
    """Set when this press decided (or found expired) the request: messages need editing."""


def sign(secret: bytes, request_id: str, action: str) -> str:
    mac = hmac.new(secret, f"{request_id}:{action}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")


def buttons(secret: bytes, request_id: str) -> InlineKeyboardMarkup:
    """Approve / Deny, each with callback data signed with ``secret`` (< 64 bytes)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text="✅ Approve",
                    callback_data=f"{PREFIX}{request_id}:a:{sign(secret, request_id, 'a')}",
                ),
                InlineKeyboardButton(
                    text="❌ Deny",
                    callback_data=f"{PREFIX}{request_id}:d:{sign(secret, request_id, 'd')}",
                ),
            ]
        ]
    )


def read_press(secret: bytes, data: str) -> tuple[str, str] | PressOutcome | None:
    """A press's (request id, action "a"/"d") if its signature holds; None if the data is no
    approval button at all; the refusal to answer if it is a forged or altered one."""
    if not data.startswith(PREFIX):
        return None
    parts = data[len(PREFIX) :].split(":")
    if (
        len(parts) != 3
        or parts[1] not in ("a", "d")
        or not hmac.compare_digest(parts[2].encode(), sign(secret, parts[0], parts[1]).encode())
    ):
        return PressOutcome("⚠️ This button is not valid.", True, None)
    return parts[0], parts[1]


def decider(user: dict[str, Any]) -> dict[str, Any]:
    """What a book keeps of who decided: id, first name, username."""
    return {k: user.get(k) for k in ("id", "first_name", "username") if user.get(k)}


def check_question(question: str, timeout: float) -> None:
    if not wording.facts(question):
        raise ValueError("an approval needs a question")
    if not math.isfinite(timeout) or timeout <= 0:
        raise ValueError(f"the timeout must be a positive number of seconds, not {timeout!r}")


class ApprovalBook:
    def __init__(
        self,
        path: str | Path,
        *,
        approvers: Iterable[int],
        secret: bytes | None = None,
        ledger: Ledger | None = None,
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.approvers = frozenset(int(a) for a in approvers)
        if not self.approvers:
            raise ValueError("approvals need at least one approver (a Telegram user id)")
        if secret is not None and len(secret) < KEY_BYTES:
            raise ValueError(f"an approvals secret must be at least {KEY_BYTES} bytes")
        self.secret = secret if secret is not None else load_secret(self.path.with_suffix(".key"))
        self.ledger = ledger
        self._deciding = threading.Lock()  # one connection, shared by a bot's threads
        self.db = connect(self.path)
        self.db.executescript(SCHEMA)
        if "note" not in {r[1] for r in self.db.execute("PRAGMA table_info(approvals)")}:
            self.db.execute("ALTER TABLE approvals ADD COLUMN note TEXT")

    # -- requests ----------------------------------------------------------------------

    def create(self, question: str, timeout: float, *, note: str | None = None) -> str:
        """A pending request: ``question`` holds the program's facts, ``note`` free text."""
        check_question(question, timeout)
        request_id = secrets.token_hex(5)
        now = time.time()
        self.db.execute(
            "INSERT INTO approvals (id, question, approvers, created, deadline, note)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (request_id, question, json.dumps(sorted(self.approvers)), now, now + timeout, note),
        )
        return request_id

    def sign(self, request_id: str, action: str) -> str:
        return sign(self.secret, request_id, action)

    def buttons(self, request_id: str) -> InlineKeyboardMarkup:
        """The reply_markup: Approve / Deny, each with signed callback data (< 64 bytes)."""
        return buttons(self.secret, request_id)

    def question_text(self, request_id: str) -> str:
        question, note, deadline = self._row(request_id, "question, note, deadline")
        return wording.question_text(question, note, deadline)

    def question_hash(self, request_id: str) -> str:
        """SHA-256 of what the approvers were asked (question, note, deadline, who may decide)."""
        row = self._row(request_id, "id, question, note, deadline, approvers")
        return hashlib.sha256(json.dumps(list(row), ensure_ascii=False).encode()).hexdigest()

    def remember_message(self, request_id: str, chat_id: int, message_id: int) -> None:
        self.db.execute(
            "INSERT INTO approval_messages VALUES (?, ?, ?)", (request_id, chat_id, message_id)
        )

    def messages(self, request_id: str) -> list[tuple[int, int]]:
        return [
            (int(c), int(m))
            for c, m in self.db.execute(
                "SELECT chat_id, message_id FROM approval_messages WHERE request_id = ?",
                (request_id,),
            )
        ]

    def _row(self, request_id: str, columns: str) -> tuple[Any, ...]:
        row = self.db.execute(
            f"SELECT {columns} FROM approvals WHERE id = ?",  # noqa: S608 (columns are ours)
            (request_id,),
        ).fetchone()
        if row is None:
            raise KeyError(request_id)
        return tuple(row)

    def decision(self, request_id: str) -> Decision:
        """The request's state; raises :class:`ForgedDecision` if the ledger does not back it."""
        status, by, at = self._row(request_id, "status, decided_by, decided_at")
        decision = Decision(request_id, status, user_of(json.loads(by)) if by else None, at)
        if status != "pending" and self.ledger is not None:
            self._check_against_ledger(decision)
        return decision

    def _check_against_ledger(self, decision: Decision) -> None:
        assert self.ledger is not None
        entries = self.ledger.find(f"approval:{decision.request_id}")
        if not backs(entries, decision, self.question_hash(decision.request_id), self.approvers):
            raise ForgedDecision(
                f"request {decision.request_id} is marked {decision.status} in {self.path}, "
                "but the audit ledger holds no matching decision: the approvals file was "
                "altered; treat the request as refused"
            )

    def _record(self, decision: Decision) -> None:
        """The ledger entry of a decision, written by the process that made it."""
        if self.ledger is not None:
            self.ledger.record(**decision_entry(decision, self.question_hash(decision.request_id)))

    def expire_if_due(self, request_id: str, now: float | None = None) -> Decision | None:
        """Mark a pending request past its deadline expired; return it if this call did."""
        moment = time.time() if now is None else now
        with self._deciding, transaction(self.db) as db:
            cursor = db.execute(
                "UPDATE approvals SET status = 'expired', decided_at = ?"
                " WHERE id = ? AND status = 'pending' AND deadline <= ?",
                (moment, request_id, moment),
            )
            if not cursor.rowcount:
                return None
            expired = Decision(request_id, "expired", None, moment)
            self._record(expired)
        return expired

    def outcome_text(self, request_id: str) -> str:
        question, note = self._row(request_id, "question, note")
        decision = self.decision(request_id)
        who = decision.by.first_name if decision.by else None
        return wording.outcome_text(question, note, decision.status, who, decision.at)

    # -- presses -----------------------------------------------------------------------

    def press(
        self, data: str, user: dict[str, Any], now: float | None = None
    ) -> PressOutcome | None:
        """Judge a button press; None if the data is not an approval button at all."""
        pressed = read_press(self.secret, data)
        if pressed is None or isinstance(pressed, PressOutcome):
            return pressed
        request_id, action = pressed
        try:
            self._row(request_id, "id")
        except KeyError:
            return PressOutcome("⚠️ This request is unknown here.", True, None)
        if int(user.get("id", 0)) not in self.approvers:
            return PressOutcome("⛔ You are not allowed to decide this.", True, None)
        moment = time.time() if now is None else now
        status: Status = "approved" if action == "a" else "denied"
        who = decider(user)
        with self._deciding, transaction(self.db) as db:
            cursor = db.execute(
                "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?"
                " WHERE id = ? AND status = 'pending' AND deadline > ?",
                (status, json.dumps(who), moment, request_id, moment),
            )
            decided = Decision(request_id, status, user_of(who), moment)
            if cursor.rowcount:
                self._record(decided)  # a failure here rolls the decision back
        if cursor.rowcount:
            return PressOutcome(STATUS_WORDS[status], False, decided)
        expired = self.expire_if_due(request_id, moment)
        if expired is not None:
            return PressOutcome("⌛ Too late: this request has expired.", True, expired)
        try:
            earlier = self.decision(request_id).describe()
        except ForgedDecision:
            earlier = "by no one this ledger knows of"
        return PressOutcome(f"Already decided: {earlier}.", True, None)

    def close(self) -> None:
        self.db.close()


def decision_entry(decision: Decision, question_sha256: str) -> dict[str, Any]:
    """The ledger entry (``Ledger.record``'s arguments) that records ``decision``."""
    by = decision.by
    who = f" by {one_line(by.first_name or str(by.id), 64)}" if by else ""
    return {
        "kind": f"approval.{decision.status}",
        "message": f"{STATUS_WORDS[decision.status]}{who}: request {decision.request_id}",
        "actor": f"user:{by.id}" if by else "telewire",
        "key": f"approval:{decision.request_id}",
        "data": {
            "request": decision.request_id,
            "status": decision.status,
            "by": (
                {"id": by.id, **({"first_name": by.first_name} if by.first_name else {})}
                if by
                else {}
            ),
            "question_sha256": question_sha256,
        },
    }


def backs(
    entries: Iterable[Entry], decision: Decision, question_sha256: str, approvers: Iterable[int]
) -> bool:
    """Whether one of a request's ledger entries records ``decision`` as it reads now."""
    who = decision.by.id if decision.by else None
    allowed = {int(a) for a in approvers}
    for entry in entries:
        by = entry.data.get("by")
        if (
            entry.data.get("status") == decision.status
            and entry.data.get("question_sha256") == question_sha256
            and (by.get("id") if isinstance(by, dict) else None) == who
            and (who is None or int(who) in allowed)
        ):
            return True
    return False
