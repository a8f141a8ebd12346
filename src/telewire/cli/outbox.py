"""``telewire outbox``: what the durable outbox holds, and what to do with dead letters.

telewire outbox                  counts and the dead letters
telewire outbox retry [ID ...]   send dead letters again (all without IDs)
telewire outbox purge            forget delivered messages (--dead: dead letters)
telewire outbox deliver          deliver what is pending now, then exit

``--path`` is the outbox's file, or its PostgreSQL URL (``postgresql://user@host/db``);
a URL is shown without its password.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from telewire.cli.arguments import positive_seconds

if TYPE_CHECKING:
    from pathlib import Path

    from telewire.features.outbox.table import OutboxTable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from telewire.paths import state_file

    parser.add_argument(
        "action", nargs="?", default="status", choices=["status", "retry", "purge", "deliver"]
    )
    parser.add_argument("ids", nargs="*", type=int, help="message ids (for retry)")
    parser.add_argument(
        "--path",
        help=f"outbox file or postgresql:// URL (default: {state_file('outbox.db')})",
    )
    parser.add_argument(
        "--dead", action="store_true", help="purge dead letters instead of delivered ones"
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        default=60,
        help="deliver: give up after this many seconds",
    )


def run(args: argparse.Namespace) -> int:
    from telewire.cli.errors import FAILED, report
    from telewire.features.outbox.sender import default_path
    from telewire.features.outbox.store import open_store
    from telewire.storage import StorageUnavailable
    from telewire.storage.postgres_blocking import is_postgres_url

    path = args.path or default_path()
    if not is_postgres_url(path) and not os.path.exists(path):  # a look creates nothing
        print(f"outbox {path}: empty (no file yet: nothing was ever queued there)")
        return 0
    try:
        store = open_store(path)
        try:
            return _act(args, store, path)
        finally:
            store.close()
    except StorageUnavailable as exc:
        report("telewire outbox", str(exc))
        return FAILED


def _act(args: argparse.Namespace, store: OutboxTable, path: str | Path) -> int:
    if args.action == "retry":
        print(f"{store.retry(args.ids or None)} dead letters queued again")
        return 0
    if args.action == "purge":
        print(f"{store.purge('dead' if args.dead else 'delivered')} messages removed")
        return 0
    if args.action == "deliver":
        from telewire.features.outbox import Outbox

        with Outbox(path) as outbox:
            done = outbox.flush(args.timeout)
        print("all delivered" if done else f"{store.pending()} still pending")
        return 0 if done else 1
    counts = store.counts()
    print(
        "outbox "
        + store.where
        + ": "
        + (", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "empty")
    )
    for row in store.listing("dead"):
        if row["damage"]:
            print(f"  dead #{row['id']} to {row['chat']}: {row['damage']}")
            continue
        text = str(row["params"].get("text", row["method"]))[:60]
        print(f"  dead #{row['id']} to {row['chat']}: {text!r} ({row['last_error']})")
    damaged = [row for row in store.listing("pending") if row["damage"]]
    for row in damaged:
        print(f"  pending #{row['id']} to {row['chat']}: {row['damage']}; it will be set aside")
    return 0
