"""``telewire outbox``: what the durable outbox holds, and what to do with dead letters.

telewire outbox                  counts and the dead letters
telewire outbox retry [ID ...]   send dead letters again (all without IDs)
telewire outbox purge            forget delivered messages (--dead: dead letters)
telewire outbox deliver          deliver what is pending now, then exit
"""

from __future__ import annotations

import argparse
import os

from telewire.cli.arguments import positive_seconds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from telewire.paths import state_file

    parser.add_argument(
        "action", nargs="?", default="status", choices=["status", "retry", "purge", "deliver"]
    )
    parser.add_argument("ids", nargs="*", type=int, help="message ids (for retry)")
    parser.add_argument("--path", help=f"outbox file (default: {state_file('outbox.db')})")
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
    from telewire.features.outbox.sender import default_path
    from telewire.features.outbox.store import OutboxStore

    path = args.path or default_path()
    if not os.path.exists(path):  # a look (or an empty delivery) creates nothing
        print(f"outbox {path}: empty (no file yet: nothing was ever queued there)")
        return 0
    store = OutboxStore(path)
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
        + str(store.path)
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
