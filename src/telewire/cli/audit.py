"""``telewire audit``: show the audit ledger, or check that nobody altered it.

    telewire audit show [--limit N]     telewire audit verify [--head HASH]
Exit codes of verify: 0 intact, 1 tampered (the first broken link is named).
"""

from __future__ import annotations

import argparse
import time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from telewire.paths import state_file

    parser.add_argument("action", choices=["show", "verify"])
    parser.add_argument("--path", help=f"ledger file (default: {state_file('audit.db')})")
    parser.add_argument("--limit", type=int, default=50, help="show: the last N entries")
    parser.add_argument(
        "--head", help="verify: the last hash you were sent (catches removed tails)"
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from telewire.features.ledger import Ledger
    from telewire.paths import state_dir

    path = Path(args.path) if args.path else state_dir() / "audit.db"
    if not path.exists():
        raise ValueError(f"no ledger at {path}; pass --path")
    ledger = Ledger(path)
    if args.action == "show":
        entries = ledger.entries()
        for entry in entries[-args.limit :]:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.time))
            print(
                f"#{entry.seq:<5} {when} {entry.kind:<12} {entry.actor:<16} "
                f"{entry.data} {entry.short}"
            )
        return 0
    problems = ledger.verify(expect_head=args.head)
    if not problems:
        print(
            f"ledger intact: {len(ledger.entries(limit=10**9))} entries, head {ledger.head()[:12]}"
        )
        return 0
    print(f"ledger TAMPERED: first broken link at {problems[0]}")
    for problem in problems[1:]:
        print(f"  also {problem}")
    return 1
