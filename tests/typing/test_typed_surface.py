"""telewire's public surface type-checks in users' code, under mypy and pyright, strictly.

A small user program (user_program.py) must pass ``mypy --strict --disallow-any-expr``
(so no ``Any`` from telewire's surface reaches it) and ``pyright --strict``; a list of
mistakes (mistakes.py) must be caught by both, each on its line.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
MISTAKES = [
    n
    for n, line in enumerate((HERE / "mistakes.py").read_text().splitlines(), 1)
    if "# error:" in line
]


def mypy(program: Path, cwd: Path) -> tuple[int, list[int], str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--disallow-any-expr",
            "--config-file=",
            "--python-version=3.10",
            "--no-error-summary",
            "--cache-dir",
            str(cwd / "cache"),
            str(program),
        ],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )
    lines = [int(n) for n in re.findall(rf"{program.name}:(\d+): error", done.stdout)]
    return done.returncode, lines, done.stdout + done.stderr


def pyright(program: Path, cwd: Path) -> tuple[list[int], str]:
    (cwd / "pyrightconfig.json").write_text(
        json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.10"})
    )
    done = subprocess.run(
        [str(BIN / "pyright"), "--outputjson", "--pythonpath", sys.executable, str(program)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )
    report = json.loads(done.stdout)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    return [d["range"]["start"]["line"] + 1 for d in errors], json.dumps(errors, indent=1)


@pytest.mark.slow
def test_a_user_program_passes_mypy_strict_with_no_any_from_telewire(tmp_path: Path) -> None:
    code, lines, output = mypy(HERE / "user_program.py", tmp_path)
    assert (code, lines) == (0, []), output


@pytest.mark.slow
def test_a_user_program_passes_pyright_strict(tmp_path: Path) -> None:
    lines, output = pyright(HERE / "user_program.py", tmp_path)
    assert lines == [], output


@pytest.mark.slow
def test_mistakes_are_caught_by_mypy_on_their_lines(tmp_path: Path) -> None:
    _, lines, output = mypy(HERE / "mistakes.py", tmp_path)
    assert sorted(set(lines)) == MISTAKES, output


@pytest.mark.slow
def test_mistakes_are_caught_by_pyright_on_their_lines(tmp_path: Path) -> None:
    lines, output = pyright(HERE / "mistakes.py", tmp_path)
    assert sorted(set(lines)) == MISTAKES, output
