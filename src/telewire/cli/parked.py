"""``telewire parked``: updates a bot set aside because they could not be handled.

telewire parked FILE                 list them, with the error each one met
telewire parked FILE replay [ID ...] hand them to the bot again (all without IDs)

FILE is the bot's offsets file (``run_polling(offsets=...)``): parked updates live in the
same SQLite file, or beside a plain offsets file as ``FILE.parked.db``. A running bot
picks replayed updates up on its next poll; a stopped one on its next start.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("offsets", type=Path, help="the bot's offsets file")
    parser.add_argument("action", nargs="?", default="list", choices=["list", "replay"])
    parser.add_argument("ids", nargs="*", type=int, help="update ids (for replay)")


def run(args: argparse.Namespace) -> int:
    from telewire.cli.connect import UsageError
    from telewire.updates.parked import SQLiteParked, parked_path

    path = parked_path(args.offsets)
    if not path.exists():
        if not args.offsets.exists():
            raise UsageError(f"{args.offsets} does not exist; give the bot's offsets file")
        print(f"{path}: no parked updates (no file yet)")
        return 0
    store = SQLiteParked(path, None)
    try:
        if args.action == "replay":
            count = store.mark_replay(args.ids or None)
            print(f"{count} parked updates marked for replay; the bot takes them on its next poll")
            return 0
        rows = store.listing()
        print(f"{path}: {len(rows)} parked updates")
        for row in rows:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row.parked_at))
            mark = " (replay requested)" if row.state == "replay" else ""
            print(f"  update {row.update_id} ({row.kind}) parked {when}{mark}: {row.error}")
        return 0
    finally:
        store.close()
