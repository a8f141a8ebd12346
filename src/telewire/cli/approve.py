"""``telewire approve "Deploy to production?"``: gate a script or CI job on a person.

Sends the question with Approve / Deny buttons to the approvers and waits. Exit codes:
0 approved, 1 denied, 3 expired (no answer before --timeout), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys

from telewire.cli.arguments import positive_seconds
from telewire.cli.connect import UsageError, add_connection_arguments, client_of, settings_of

EXIT = {"approved": 0, "denied": 1, "expired": 3}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from telewire.paths import state_file

    parser.add_argument("question", help="what to approve")
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=300.0,
        help="seconds to wait for a decision (300)",
    )
    parser.add_argument(
        "--approver",
        type=int,
        action="append",
        default=[],
        metavar="USER_ID",
        help="who may decide (repeatable; default: the configured chat's user)",
    )
    parser.add_argument("--book", help=f"approvals file (default: {state_file('approvals.db')})")
    add_connection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from telewire.features.approvals import ApprovalBook, ask
    from telewire.paths import state_dir
    from telewire.settings import parse_chat_id

    try:
        found = settings_of(args, need_chat=not args.approver)
        approvers = args.approver or [parse_chat_id(found.chat_id)]
        if not all(isinstance(a, int) and a > 0 for a in approvers):
            raise UsageError("approvers are users: give --approver USER_ID (a positive number)")
    except UsageError as exc:
        print(f"telewire approve: {exc}", file=sys.stderr)
        return 2
    book = ApprovalBook(args.book or state_dir() / "approvals.db", approvers=approvers)
    with client_of(found, timeout=40) as client:
        decision = ask(args.question, book=book, timeout=args.timeout, client=client)
    print(decision.describe())
    return EXIT[decision.status]
