"""Rewrite the README's lists of emulated methods and user acts from the code.

``python scripts/emulator_readme.py`` rewrites the part between the ``emulator-catalogue``
markers; ``--check`` exits 1 if it is out of date (tests/emulator/test_catalogue.py runs
the same comparison).
"""

from __future__ import annotations

import sys
from pathlib import Path

from telewire.emulator.catalogue import markdown

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- emulator-catalogue:start -->", "<!-- emulator-catalogue:end -->"


def rendered(text: str) -> str:
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{markdown()}{END}{tail}"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} markers", file=sys.stderr)
        return 1
    new = rendered(text)
    if "--check" in sys.argv:
        if new != text:
            print("README.md's emulator lists are out of date: run scripts/emulator_readme.py")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
