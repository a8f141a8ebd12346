"""``telewire new``: the project it writes passes its own tests, and its bot runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from telewire.testing import EmulatorHandle
from tests.conftest import run_cli


def project_env() -> dict[str, str]:
    """The environment a user has after installing telewire: its python first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def test_new_writes_a_project_that_passes_its_own_tests(tmp_path: Path) -> None:
    made = run_cli("new", "mybot", "--dir", str(tmp_path / "mybot"))
    assert made.returncode == 0, made.stderr
    project = tmp_path / "mybot"
    for part in (
        "README.md",
        "pyproject.toml",
        "mybot/bot.py",
        "mybot/__main__.py",
        "tests/test_bot.py",
    ):
        assert (project / part).is_file(), part
    readme = (project / "README.md").read_text()
    assert "python -m pytest" in readme and "python -m mybot" in readme
    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=project_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "3 passed" in tested.stdout, tested.stdout


def test_the_new_bot_runs_against_the_emulator(tmp_path: Path, emulator: EmulatorHandle) -> None:
    assert run_cli("new", "greeter", "--dir", str(tmp_path / "greeter")).returncode == 0
    env = {
        **project_env(),
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
    }
    bot = subprocess.Popen(
        [sys.executable, "-m", "greeter"],
        cwd=tmp_path / "greeter",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        ann = emulator.user("Ann")
        emulator.send(ann, "/start")
        assert emulator.expect_reply(ann.id, timeout=30).text.startswith("Hi Ann!")
    finally:
        bot.send_signal(signal.SIGINT)
        output, _ = bot.communicate(timeout=30)
    assert bot.returncode == 0, output
    assert "Traceback" not in output, output
    assert (tmp_path / "greeter" / "greeter.offset").exists()


def test_bad_names_and_existing_folders_are_refused(tmp_path: Path) -> None:
    bad = run_cli("new", "My-Bot", "--dir", str(tmp_path / "x"))
    assert bad.returncode == 2
    assert bad.stderr.startswith("telewire new: 'My-Bot' cannot be a project name")
    assert not (tmp_path / "x").exists()
    (tmp_path / "taken").mkdir()
    taken = run_cli("new", "taken", "--dir", str(tmp_path / "taken"))
    assert taken.returncode == 2 and "already exists" in taken.stderr
    for name in ("class", "telewire", "9lives"):
        assert run_cli("new", name, "--dir", str(tmp_path / "y")).returncode == 2, name
