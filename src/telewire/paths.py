"""Where telewire keeps things: XDG config and state directories.

Plain ``os.path`` strings underneath, wrapped in ``Path`` for callers that want one:
``telewire send`` reads its settings on every run and should not pay for pathlib.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def _base(variable: str, *fallback: str) -> str:
    return os.environ.get(variable) or os.path.join(os.path.expanduser("~"), *fallback)


def config_home() -> str:
    return os.path.join(_base("XDG_CONFIG_HOME", ".config"), "telewire")


def state_home() -> str:
    return os.path.join(_base("XDG_STATE_HOME", ".local", "state"), "telewire")


def state_file(name: str) -> str:
    """Where ``name`` lives in the state directory; ``--help`` texts show this real path."""
    return os.path.join(state_home(), name)


def config_dir() -> Path:
    from pathlib import Path

    return Path(config_home())


def state_dir() -> Path:
    from pathlib import Path

    return Path(state_home())
