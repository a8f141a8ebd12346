"""Approval requests on disk, their signed buttons, and the rules for a press.

Everything that decides lives here and does no network I/O: creating a request, the
keyboard to send, judging a press (who, once, in time, signed), and the text that
shows the outcome. :mod:`telewire.features.approvals.asking` does the sending.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import os
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, NamedTuple

from telewire.api._generated.types import InlineKeyboardButton, InlineKeyboardMarkup, User
from telewire.storage import connect

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
    decided_at REAL
);
CREATE TABLE IF NOT EXISTS approval_messages (
    request_id TEXT NOT NULL,
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL
);
"""
STATUS_WORDS = {"approved": "✅ Approved", "denied": "❌ Denied", "expired": "⌛ Expired"}


Status = Literal["pending", "approved", "denied", "expired"]


def _user(stored: str | None) -> User | None:
    """The decider as a :class:`User` (the book keeps id, first name and username)."""
    if not stored:
        return None
    who = json.loads(stored)
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


def load_secret(path: Path) -> bytes:
    """The per-install HMAC key, created on first use (mode 0600)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key)
        return key


class ApprovalBook:
    def __init__(
        self, path: str | Path, *, approvers: Iterable[int], secret: bytes | None = None
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.approvers = frozenset(int(a) for a in approvers)
        if not self.approvers:
            raise ValueError("approvals need at least one approver (a Telegram user id)")
        self.secret = secret or load_secret(self.path.with_suffix(".key"))
        self.db = connect(self.path)
        self.db.executescript(SCHEMA)

    # -- requests ----------------------------------------------------------------------

    def create(self, question: str, timeout: float) -> str:
        if not question.strip():
            raise ValueError("an approval needs a question")
        if not math.isfinite(timeout) or timeout <= 0:
            raise ValueError(f"the timeout must be a positive number of seconds, not {timeout!r}")
        request_id = secrets.token_hex(5)
        now = time.time()
        self.db.execute(
            "INSERT INTO approvals (id, question, approvers, created, deadline)"
            " VALUES (?, ?, ?, ?, ?)",
            (request_id, question, json.dumps(sorted(self.approvers)), now, now + timeout),
        )
        return request_id

    def sign(self, request_id: str, action: str) -> str:
        mac = hmac.new(self.secret, f"{request_id}:{action}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:16]).decode().rstrip("=")

    def buttons(self, request_id: str) -> InlineKeyboardMarkup:
        """The reply_markup: Approve / Deny, each with signed callback data (< 64 bytes)."""
        return InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(
                        text="✅ Approve",
                        callback_data=f"{PREFIX}{request_id}:a:{self.sign(request_id, 'a')}",
                    ),
                    InlineKeyboardButton(
                        text="❌ Deny",
                        callback_data=f"{PREFIX}{request_id}:d:{self.sign(request_id, 'd')}",
                    ),
                ]
            ]
        )

    def question_text(self, request_id: str) -> str:
        question, deadline = self._row(request_id, "question, deadline")
        until = time.strftime("%H:%M:%S", time.localtime(deadline))
        return f"🔐 Approval needed\n\n{question}\n\nAnswer before {until}."

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
        status, by, at = self._row(request_id, "status, decided_by, decided_at")
        return Decision(request_id, status, _user(by), at)

    def expire_if_due(self, request_id: str, now: float | None = None) -> Decision | None:
        """Mark a pending request past its deadline expired; return it if this call did."""
        cursor = self.db.execute(
            "UPDATE approvals SET status = 'expired', decided_at = ?"
            " WHERE id = ? AND status = 'pending' AND deadline <= ?",
            (time.time(), request_id, now or time.time()),
        )
        return self.decision(request_id) if cursor.rowcount else None

    def outcome_text(self, request_id: str) -> str:
        question = self._row(request_id, "question")[0]
        decision = self.decision(request_id)
        when = time.strftime("%H:%M:%S", time.localtime(decision.at or time.time()))
        who = f" by {decision.by.first_name}" if decision.by else ""
        return (
            f"🔐 {question}\n\n{STATUS_WORDS.get(decision.status, decision.status)}{who} at {when}"
        )

    # -- presses -----------------------------------------------------------------------

    def press(
        self, data: str, user: dict[str, Any], now: float | None = None
    ) -> PressOutcome | None:
        """Judge a button press; None if the data is not an approval button at all."""
        if not data.startswith(PREFIX):
            return None
        parts = data[len(PREFIX) :].split(":")
        if (
            len(parts) != 3
            or parts[1] not in ("a", "d")
            or not hmac.compare_digest(parts[2].encode(), self.sign(parts[0], parts[1]).encode())
        ):
            return PressOutcome("⚠️ This button is not valid.", True, None)
        request_id, action = parts[0], parts[1]
        try:
            self.decision(request_id)
        except KeyError:
            return PressOutcome("⚠️ This request is unknown here.", True, None)
        if int(user.get("id", 0)) not in self.approvers:
            return PressOutcome("⛔ You are not allowed to decide this.", True, None)
        expired = self.expire_if_due(request_id, now)
        if expired is not None:
            return PressOutcome("⌛ Too late: this request has expired.", True, expired)
        status = "approved" if action == "a" else "denied"
        who = json.dumps({k: user.get(k) for k in ("id", "first_name", "username") if user.get(k)})
        cursor = self.db.execute(
            "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (status, who, time.time(), request_id),
        )
        if cursor.rowcount == 0:
            earlier = self.decision(request_id)
            return PressOutcome(f"Already decided: {earlier.describe()}.", True, None)
        decision = self.decision(request_id)
        return PressOutcome(STATUS_WORDS[status], False, decision)

    def close(self) -> None:
        self.db.close()
