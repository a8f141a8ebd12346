"""``telewire new NAME``: write a small bot project that passes its own tests at once.

    telewire new mybot && cd mybot && python -m pytest

The project: ``NAME/bot.py`` (a Router with a command, a text route and buttons),
``python -m NAME`` to run it, ``tests/test_bot.py`` playing users against the emulator
through telewire's pytest plugin, a pyproject and a README with the two commands. The
templates live beside this module (``project/*.tmpl``); nothing is overwritten.
"""

from __future__ import annotations

import argparse
import keyword
import re
from importlib import resources
from pathlib import Path

from telewire.cli.connect import UsageError

NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
FILES = {  # template -> where it goes in the project
    "README.md.tmpl": "README.md",
    "pyproject.toml.tmpl": "pyproject.toml",
    "gitignore.tmpl": ".gitignore",
    "init.py.tmpl": "{name}/__init__.py",
    "main.py.tmpl": "{name}/__main__.py",
    "bot.py.tmpl": "{name}/bot.py",
    "test_bot.py.tmpl": "tests/test_bot.py",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the project's name: a Python package name (mybot)")
    parser.add_argument(
        "--dir", metavar="PATH", help="where to create it (default: ./NAME); must not exist"
    )


def check_name(name: str) -> str:
    if not NAME.fullmatch(name) or keyword.iskeyword(name) or name == "telewire":
        raise UsageError(
            f"{name!r} cannot be a project name: use lowercase letters, digits and _ "
            "(a Python package name such as mybot)"
        )
    return name


def create(name: str, target: Path) -> list[Path]:
    """Write the project into ``target`` (which must not exist); return the files."""
    if target.exists():
        raise UsageError(f"{target} already exists; pick another name or --dir")
    templates = resources.files("telewire.cli") / "project"
    written = []
    for template, relative in FILES.items():
        path = target / relative.format(name=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = (templates / template).read_text(encoding="utf-8")
        path.write_text(text.replace("{{name}}", name), encoding="utf-8")
        written.append(path)
    return written


def run(args: argparse.Namespace) -> int:
    name = check_name(args.name)
    target = Path(args.dir) if args.dir else Path(name)
    for path in create(name, target):
        print(f"  wrote {path}")
    print(f"\nNext:\n  cd {target}\n  python -m pytest          # passes as it is")
    print(f"  TELEGRAM_BOT_TOKEN=... python -m {name}")
    return 0
