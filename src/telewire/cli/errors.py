"""Turning exceptions into one clear line and an exit code, never a traceback."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from telewire.core.token import mask


def run_reporting_errors(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    import sqlite3

    from telewire.cli.connect import UsageError
    from telewire.client.config import MissingToken
    from telewire.core.errors import TelewireError
    from telewire.core.token import InvalidToken

    try:
        return run(args)
    except UsageError as exc:
        print(f"telewire: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (TelewireError, InvalidToken, MissingToken, FileNotFoundError, ValueError) as exc:
        print(f"telewire: error: {mask(str(exc))}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        print(f"telewire: error: a state file is damaged or locked ({exc})", file=sys.stderr)
        return 1
