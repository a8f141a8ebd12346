"""``telewire audit``: show the audit ledger, check it against anchors, post the digest.

    telewire audit show [--limit N]
    telewire audit verify [--anchor SEQ:HASH ...] [--export result.json ...] [--copy]
    telewire audit digest [--day YYYY-MM-DD] [--print]

``verify`` opens the file read-only and leaves it byte-identical; ``--path postgresql://…``
checks a ledger kept in PostgreSQL, in one read-only transaction. Anchors are entries the
owner was sent (sequence number and full hash, from the chat, or from a Telegram Desktop
export of it); without any, the most it can say is "consistent with itself".
Exit codes of verify: 0 intact, 1 tampered (the first broken link is named), 2 bad input.
``digest`` sends the day's last entry and hash to the owner's chat and pins it; run it
once a day from a scheduler (cron, systemd timer).
"""

from __future__ import annotations

import argparse
import time

from telewire.cli.connect import UsageError, add_connection_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from telewire.paths import state_file

    parser.add_argument("action", choices=["show", "verify", "digest"])
    parser.add_argument(
        "--path",
        help=f"ledger file, or its postgresql:// URL (default: {state_file('audit.db')})",
    )
    parser.add_argument("--limit", type=int, default=50, help="show: the last N entries")
    parser.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="SEQ:HASH",
        help="verify: an entry the owner was sent, with its full hash (repeatable)",
    )
    parser.add_argument(
        "--export",
        action="append",
        default=[],
        metavar="RESULT_JSON",
        help="verify: a Telegram Desktop export (JSON) of the owner's chat with the bot",
    )
    parser.add_argument(
        "--copy",
        action="store_true",
        help="verify: the file is a copy nothing writes (opened immutable, no side files)",
    )
    parser.add_argument("--day", help="digest: YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--print", action="store_true", help="digest: print it instead of sending it"
    )
    add_connection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from telewire.paths import state_dir
    from telewire.storage.postgres_blocking import is_postgres_url

    path: str | Path = args.path or state_dir() / "audit.db"
    if is_postgres_url(path):
        if args.copy:
            raise UsageError("--copy is for a copied ledger file, not a PostgreSQL URL")
    elif not Path(path).is_file():
        raise UsageError(f"no ledger at {path}; pass --path (a file or a postgresql:// URL)")
    if args.action == "show":
        return _show(path, args.limit)
    if args.action == "digest":
        return _digest(path, args)
    return _verify(path, args)


def _show(path: object, limit: int) -> int:
    from telewire.core.untrusted import visible
    from telewire.features.ledger import LedgerError, read_only
    from telewire.features.ledger.chain import read_entries
    from telewire.storage.postgres_blocking import is_postgres_url

    if is_postgres_url(path):
        from telewire.features.ledger.postgres_store import read_postgres

        try:
            entries = read_postgres(str(path))
        except LedgerError as exc:
            raise UsageError(str(exc)) from None
    else:
        with read_only(str(path)) as db:
            entries = read_entries(db)
    for entry in entries[-limit:] if limit > 0 else []:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.time))
        print(
            f"#{entry.seq:<5} {when} {visible(entry.kind):<12} {visible(entry.actor):<16} "
            f"{visible(str(entry.data))} {entry.hash}"
        )
    return 0


def _verify(path: object, args: argparse.Namespace) -> int:
    from telewire.features.ledger import (
        AnchorError,
        LedgerError,
        anchors_from_export,
        parse_anchor,
        verify_file,
    )
    from telewire.features.ledger.postgres_store import verify_postgres
    from telewire.storage.postgres_blocking import is_postgres_url

    try:
        anchors = [parse_anchor(text) for text in args.anchor]
        for export in args.export:
            found = anchors_from_export(export)
            anchors += found.anchors
            print(f"{export}: {len(found.anchors)} anchors", end="")
            print(f" ({found.edited} in edited messages, not used)" if found.edited else "")
        verdict = (
            verify_postgres(str(path), anchors)
            if is_postgres_url(path)
            else verify_file(str(path), anchors, immutable=args.copy)
        )
    except (AnchorError, LedgerError) as exc:
        raise UsageError(str(exc)) from None
    print(verdict.summary())
    if verdict.intact and not verdict.anchors:
        print("  check it against your chat: --anchor SEQ:HASH, or --export result.json")
    for problem in verdict.problems[1:]:
        print(f"  also {problem}")
    note = verdict.gap_note()
    if note:
        print(note)
    return 0 if verdict.intact else 1


def _digest(path: object, args: argparse.Namespace) -> int:
    from telewire.cli.connect import client_of, settings_of
    from telewire.features.ledger import digest_of, post_digest

    try:
        digest = digest_of(str(path), args.day)  # a bad day or file stops here, before sending
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.print:
        print(digest.text())
        return 0
    found = settings_of(args, need_chat=True)
    with client_of(found, timeout=30) as client:
        digest = post_digest(str(path), client, found.chat_id, args.day)
    print(f"sent and pinned: {digest.text()}")
    return 0
