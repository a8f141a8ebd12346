"""What the approver reads: fixed facts first, free text quoted on one line, the deadline.

The question is written by the program (amount, bill, who asks); the note is free text
someone else typed (a cashier's reason). A note with newlines and a fake "Approval
needed … Refund 4.50" block must not be able to sit just above the buttons, so the note
is folded onto one quoted, capped line with control and bidi characters removed, and
the last line above the buttons is always the deadline.
"""

from __future__ import annotations

from datetime import datetime

from telewire.core.untrusted import one_line

HEADER = "🔐 Approval needed"
NOTE_LIMIT = 200
QUESTION_LINES = 12
STATUS_WORDS = {"approved": "✅ Approved", "denied": "❌ Denied", "expired": "⌛ Expired"}


def wall_clock(moment: float) -> str:
    """``2026-12-05 12:34:56 UTC+01:00``: this machine's wall-clock time, with its offset."""
    local = datetime.fromtimestamp(moment).astimezone()
    offset = local.strftime("%z") or "+0000"
    return f"{local:%Y-%m-%d %H:%M:%S} UTC{offset[:3]}:{offset[3:]}"


def facts(question: str) -> list[str]:
    """The program's question, line by line, each cleaned (it may quote user input too)."""
    lines = [one_line(line, 300) for line in question.splitlines()]
    return [line for line in lines if line][:QUESTION_LINES]


def quoted(note: str | None) -> list[str]:
    cleaned = one_line(note or "", NOTE_LIMIT)
    return [f"💬 “{cleaned}”"] if cleaned else []


def question_text(question: str, note: str | None, deadline: float) -> str:
    return "\n".join(
        [
            HEADER,
            "",
            *facts(question),
            *quoted(note),
            "",
            f"Answer before {wall_clock(deadline)}.",
        ]
    )


def outcome_text(
    question: str, note: str | None, status: str, who: str | None, at: float | None
) -> str:
    word = STATUS_WORDS.get(status, status)
    by = f" by {one_line(who, 64)}" if who else ""
    return "\n".join(
        [
            f"🔐 {facts(question)[0] if facts(question) else ''}",
            *facts(question)[1:],
            *quoted(note),
            "",
            f"{word}{by} at {wall_clock(at) if at else 'an unknown time'}",
        ]
    )
