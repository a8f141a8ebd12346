"""One racer of the key test: waits for the start signal, then loads keys in fresh folders.

Usage: python -m tests.features.key_race ROOT COUNT. Prints ``INDEX HEX`` per key loaded,
or ``INDEX ERROR message``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from telewire.features.approvals.keys import load_secret


def main() -> None:
    root, count = Path(sys.argv[1]), int(sys.argv[2])
    print("ready", flush=True)
    while not (root / "go").exists():
        time.sleep(0.001)
    lines = []
    for index in range(count):
        try:
            lines.append(f"{index} {load_secret(root / str(index) / 'approvals.key').hex()}")
        except Exception as exc:  # every failure is what the test counts
            lines.append(f"{index} ERROR {type(exc).__name__}: {exc}")
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
