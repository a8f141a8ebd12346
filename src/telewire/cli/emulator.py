"""``telewire emulator``: a local Bot API server and chat page, until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import signal

from telewire import __bot_api_version__
from telewire.cli.arguments import count, port


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: loopback only)"
    )
    parser.add_argument(
        "--port", type=port, default=8081, help="port (default 8081; 0 picks a free one)"
    )
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="TOKEN",
        help="register a bot with this token (repeatable); default: make one",
    )
    parser.add_argument(
        "--state", metavar="FILE", help="keep all state in this SQLite file across restarts"
    )
    parser.add_argument(
        "--faults",
        metavar="SPEC",
        help="inject faults, e.g. '429=0.1,500=0.05,drop=0.02,latency=0.2'",
    )
    parser.add_argument(
        "--telegram-limits",
        action="store_true",
        help="enforce Telegram's flood limits (answers 429 with retry_after)",
    )
    parser.add_argument(
        "--history",
        type=_history,
        metavar="N",
        help="messages kept per chat, in memory and in --state (default 1000); older ones "
        "are forgotten, as if deleted",
    )


def _history(text: str) -> int:
    value = count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: keep at least 1 message per chat")
    return value


def run(args: argparse.Namespace) -> int:
    from telewire.emulator import Emulator

    emulator = Emulator(
        host=args.host,
        port=args.port,
        tokens=args.token,
        state=args.state,
        faults=args.faults,
        telegram_limits=args.telegram_limits,
        history=args.history,
    )

    async def serve() -> None:
        await emulator.start()
        print(f"telewire emulator running (Bot API {__bot_api_version__})", flush=True)
        print(f"  API base URL:  {emulator.base_url}   (TELEGRAM_API_URL)")
        for token in emulator.tokens:
            print(f"  bot token:     {token}   (TELEGRAM_BOT_TOKEN)")
        print(f"  chat page:     {emulator.page_url}")
        print("Press Ctrl-C to stop.", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await emulator.stop()

    try:
        asyncio.run(serve())
    except OSError as exc:
        raise ValueError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror}; pick another --port"
        ) from None
    return 0
