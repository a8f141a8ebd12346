"""``telewire listen``: print incoming messages as they arrive, acknowledging each.

The workshop's receiving script printed the same updates forever; this one confirms
every update after printing it, so nothing repeats and nothing is skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from telewire.cli.arguments import count
from telewire.cli.connect import add_connection_arguments, client_of, settings_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print each update as one JSON line")
    parser.add_argument(
        "--count", type=count, default=0, help="stop after this many updates (default: never)"
    )
    add_connection_arguments(parser, chat=False)


def describe(update: dict[str, Any]) -> str:
    kind = next((k for k in update if k != "update_id"), "update")
    payload = update.get(kind) or {}
    sender = payload.get("from") or {}
    name = " ".join(filter(None, [sender.get("first_name"), sender.get("last_name")])) or "?"
    chat = (payload.get("chat") or (payload.get("message") or {}).get("chat") or {}).get("id", "")
    when = time.strftime("%H:%M:%S", time.localtime(payload.get("date") or time.time()))
    if kind == "callback_query":
        body = f"pressed {payload.get('data')!r}"
    else:
        body = payload.get("text") or payload.get("caption") or f"[{kind}]"
    return f"{when} {name} ({chat}): {body}"


def run(args: argparse.Namespace) -> int:
    found = settings_of(args, need_chat=False)
    seen = 0
    offset: int | None = None
    try:
        with client_of(found, timeout=40) as client:
            me = client.request("getMe", {})
            print(  # on stderr, so `--json` output stays pure JSON lines
                f"telewire listen: listening as @{me.get('username')} on {client.base_url}; "
                "each update is confirmed once printed. Ctrl-C stops.",
                file=sys.stderr,
                flush=True,
            )
            while not args.count or seen < args.count:
                updates = client.request("getUpdates", {"offset": offset, "timeout": 25})
                for update in updates:
                    line = json.dumps(update, ensure_ascii=False) if args.json else describe(update)
                    print(line, flush=True)
                    offset = update["update_id"] + 1
                    seen += 1
                    if args.count and seen >= args.count:
                        break
    except KeyboardInterrupt:
        pass
    finally:
        if offset is not None:
            confirm(found, offset)
    return 0


def confirm(found: Any, offset: int) -> None:
    """Confirm what was printed, on a fresh connection and within a few seconds.

    Not on the client a Ctrl-C may have interrupted half-way through a request: whatever
    state that left, stopping must not wait on it. If the confirmation fails, the updates
    are shown again next time, and we say so.
    """
    try:
        with client_of(found, timeout=5) as client:
            client.request("getUpdates", {"offset": offset, "timeout": 0, "limit": 1})
    except Exception as exc:  # one line on the way out, not a traceback
        print(
            f"telewire listen: could not confirm the last updates ({exc}); "
            "they will be shown again next time.",
            file=sys.stderr,
        )
