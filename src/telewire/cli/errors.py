"""Turning exceptions into one clear line and an exit code, never a traceback.

Every command reports the same way, argparse's usage errors included:
``telewire <command>: <what was wrong and what to do>`` on standard error, then exit 2
for bad input (nothing was created or sent), 1 for a refusal or a failure the user can
fix, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn

from telewire.core.token import mask

USAGE = 2
FAILED = 1
INTERRUPTED = 130


def report(prog: str, message: str) -> None:
    """Print ``message`` as the one error line of ``prog`` (``telewire send``), token masked."""
    print(f"{prog}: {mask(message)}", file=sys.stderr)


class Parser(argparse.ArgumentParser):
    """argparse, reporting usage errors in the same one-line form as every other error."""

    def error(self, message: str) -> NoReturn:
        report(self.prog, f"{message} (see `{self.prog} --help`)")
        sys.exit(USAGE)


def run_reporting_errors(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    import sqlite3

    from telewire.cli.connect import UsageError
    from telewire.client.config import MissingToken
    from telewire.core.errors import TelewireError
    from telewire.core.token import InvalidToken

    command = getattr(args, "command", None)
    prog = f"telewire {command}" if command else "telewire"
    try:
        return run(args)
    except (UsageError, InvalidToken, MissingToken) as exc:
        report(prog, str(exc))
        return USAGE
    except KeyboardInterrupt:
        report(prog, "interrupted")
        return INTERRUPTED
    except (TelewireError, FileNotFoundError, ValueError) as exc:
        report(prog, str(exc))
        return FAILED
    except sqlite3.Error as exc:
        report(prog, f"a state file is damaged or locked ({exc})")
        return FAILED
