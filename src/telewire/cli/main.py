"""``telewire``: the entry point. Builds the parser cheaply; subcommands import lazily.

Exit codes: 0 success, 1 failure the user can fix (a token Telegram rejects, an
unreachable server, a denied approval), 2 bad input (usage, a malformed token, a file that
is not there; nothing was created or sent), 3 expired approval, 130 interrupted.
Errors are one line, ``telewire <command>: ...`` (see :mod:`telewire.cli.errors`).
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

COMMANDS = {
    "demo": (
        "telewire.cli.demo",
        "run the hello bot (against the built-in emulator unless a token is given)",
    ),
    "emulator": ("telewire.cli.emulator", "run a local Telegram Bot API emulator with a chat page"),
    "setup": ("telewire.cli.setup", "check your bot token, find your chat id, save both"),
    "send": ("telewire.cli.send", "send a message, file or photo to your chat"),
    "listen": ("telewire.cli.listen", "print incoming messages as they arrive"),
    "approve": (
        "telewire.cli.approve",
        "ask for approval by inline buttons; exit 0 yes, 1 no, 3 expired",
    ),
    "outbox": ("telewire.cli.outbox", "show the durable outbox; retry or purge dead letters"),
    "audit": ("telewire.cli.audit", "show or verify the tamper-evident audit ledger"),
    "parked": (
        "telewire.cli.parked",
        "list the updates a bot set aside (they kept failing); replay them",
    ),
    "jobs": ("telewire.cli.jobs", "list or cancel the scheduled jobs kept in the storage"),
    "serve": (
        "telewire.cli.serve",
        "run a bot over many processes on Redis: --role ingress, pump or worker",
    ),
    "new": ("telewire.cli.new", "write a small bot project, with tests, that you can build on"),
    "store": (
        "telewire.cli.store",
        "a small store manager: the owner sees every bill, approves what matters",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    from telewire.cli.errors import Parser

    parser = Parser(
        prog="telewire",
        description="Connect Python programs to the people who own them, through Telegram.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == sys_command():
            import_module(module).add_arguments(command)
        command.set_defaults(module=module)
    return parser


def sys_command() -> str | None:
    """The subcommand named on the command line, so only its module is imported."""
    for arg in sys.argv[1:]:
        if not arg.startswith("-"):
            return arg
    return None


def _version() -> str:
    from telewire import __version__

    return f"telewire {__version__}"


def main(argv: list[str] | None = None) -> int:
    if argv is not None:
        sys.argv = [sys.argv[0], *argv]
    parser = build_parser()
    args = parser.parse_args()
    if not getattr(args, "module", None):
        parser.print_help()
        return 2
    from telewire.cli.errors import run_reporting_errors

    return run_reporting_errors(import_module(args.module).run, args)


if __name__ == "__main__":
    sys.exit(main())
