"""Argument types that refuse bad values at parse time, with one line saying what is wanted.

argparse's ``type=float`` takes ``nan``, ``inf`` and ``-5`` as seconds, and ``type=int``
takes 70000 as a port; each then fails deep inside (an OverflowError traceback, a timer
that never fires). These types stop such values before anything is created.
"""

from __future__ import annotations

import argparse
import math


def positive_seconds(text: str) -> float:
    """A finite number of seconds above zero (``300``, ``2.5``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds; give a positive number such as 300"
        )
    return value


def port(text: str) -> int:
    """A TCP port, 0 to 65535 (0 picks a free one)."""
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a port; give a number from 1 to 65535, or 0 for a free one"
        )
    return int(text)


def count(text: str) -> int:
    """How many of something, 0 or more."""
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a count; give 0 or a positive number")
    return int(text)
