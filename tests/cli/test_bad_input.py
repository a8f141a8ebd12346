"""Bad input to the CLI: one clear line, exit 2, nothing sent or created, no secret shown."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from telewire.testing import EmulatorHandle, TestUser
from tests.conftest import run_cli
from tests.core.test_token import MALFORMED, leaks

CLOSED = "http://127.0.0.1:9"  # nothing listens there: a token that got through would fail late


def one_error_line(command: str, stderr: str) -> str:
    """The error line of ``telewire COMMAND``, after checking it is the only one."""
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"telewire {command}: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def run_with_bytes(
    args: list[str], env: dict[str, str], data: bytes
) -> subprocess.CompletedProcess[str]:
    """``telewire ARGS`` with raw bytes (not text) on standard input."""
    done = subprocess.run(
        [sys.executable, "-m", "telewire.cli.main", *args],
        input=data,
        capture_output=True,
        env={**os.environ, **env},
        timeout=60,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


@pytest.mark.parametrize("bad", MALFORMED.values(), ids=MALFORMED.keys())
def test_send_never_prints_a_malformed_token(bad: str, tmp_path: Path) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": bad,
        "TELEGRAM_API_URL": CLOSED,
        "TELEGRAM_CHAT_ID": "42",
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    result = run_cli("send", "hi", env=env)
    assert result.returncode == 2, result.stderr
    line = one_error_line("send", result.stderr)
    assert "invalid bot token" in line and "20-80 letters" in line
    assert not leaks(bad, result.stdout + result.stderr)


@pytest.mark.parametrize(
    "command",
    [
        ["send", "hi", "--token", "{bad}"],
        ["setup", "--token", "{bad}"],
        ["listen"],
        ["emulator", "--token", "{bad}", "--port", "0"],
        ["demo", "--token", "{bad}"],
        ["approve", "Deploy?", "--timeout", "5"],
    ],
    ids=lambda c: c[0],
)
def test_no_command_prints_a_malformed_token(command: list[str], tmp_path: Path) -> None:
    for bad in (MALFORMED["no colon"], MALFORMED["space in the secret"], MALFORMED["too long"]):
        env = {
            "TELEGRAM_BOT_TOKEN": bad,
            "TELEGRAM_API_URL": CLOSED,
            "TELEGRAM_CHAT_ID": "42",
            "XDG_CONFIG_HOME": str(tmp_path),
            "XDG_STATE_HOME": str(tmp_path),
        }
        result = run_cli(*[a.replace("{bad}", bad) for a in command], env=env)
        assert result.returncode != 0 and "invalid bot token" in result.stderr, result.stderr
        assert not leaks(bad, result.stdout + result.stderr), result.stderr
        assert "Traceback" not in result.stderr


def test_a_malformed_saved_token_is_not_printed_either(tmp_path: Path) -> None:
    from telewire.settings import Settings

    bad = MALFORMED["too short"]
    Settings(token=bad, chat_id="42").save(tmp_path / "telewire" / "config.json")
    result = run_cli(
        "send",
        "hi",
        env={"XDG_CONFIG_HOME": str(tmp_path), "TELEGRAM_BOT_TOKEN": "", "TELEGRAM_CHAT_ID": ""},
    )
    assert result.returncode == 2 and not leaks(bad, result.stderr), result.stderr


def test_send_refuses_bad_input_before_sending_anything(
    emulator: EmulatorHandle, alice: TestUser, env: dict[str, str], tmp_path: Path
) -> None:
    before = len(emulator.messages(alice.id))
    cases = {
        "binary": run_with_bytes(["send"], env, b"\x89PNG\r\n\x1a\n\x00\xff\xfe"),
        "nul": run_cli("send", env=env, input="text\0with a NUL"),
        "directory": run_cli("send", "--photo", str(tmp_path), env=env),
        "missing": run_cli("send", "--file", str(tmp_path / "nope.pdf"), env=env),
        "empty argument": run_cli("send", "", env=env),
        "blank argument": run_cli("send", "  \t ", env=env),
        "blank stdin": run_cli("send", env=env, input="  \n\t\n"),
        "no stdin": run_cli("send", env=env, input=""),
        "bad chat": run_cli("send", "hi", "--chat", "not a chat", env=env),
        "both files": run_cli("send", "--file", "a", "--photo", "b", env=env),
        "usage": run_cli("send", "--parse-mode", "Bogus", "x", env=env),
    }
    for name, result in cases.items():
        assert result.returncode == 2, (name, result.stderr)
        one_error_line("send", result.stderr)
    assert "not UTF-8 text (byte 0 is 0x89)" in cases["binary"].stderr
    assert "is a directory" in cases["directory"].stderr
    assert "no such file" in cases["missing"].stderr
    nothing = {cases[n].stderr for n in ("empty argument", "blank argument", "blank stdin")}
    assert len(nothing) == 1 and "nothing to send" in nothing.pop()
    assert "invalid chat id" in cases["bad chat"].stderr
    assert len(emulator.messages(alice.id)) == before
    assert not (tmp_path / "state").exists()


def test_a_user_who_never_wrote_gets_the_hint(
    emulator: EmulatorHandle, env: dict[str, str]
) -> None:
    stranger = emulator.user("Stranger")
    result = run_cli("send", "hi", "--chat", str(stranger.id), env=env)
    assert result.returncode == 1
    line = one_error_line("send", result.stderr)
    assert "chat not found" in line and "must start a chat with the bot first" in line


def test_every_command_reports_errors_in_one_form(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.db"
    damaged.write_text("not a database")
    no_token = {"TELEGRAM_BOT_TOKEN": "", "XDG_CONFIG_HOME": str(tmp_path)}
    cases = [
        ("emulator", ["emulator", "--faults", "bogus=1", "--port", "0"], {}),
        ("send", ["send", "hi"], no_token),
        ("listen", ["listen"], no_token),
        ("outbox", ["outbox", "--path", str(damaged)], {}),
        ("outbox", ["outbox", "frobnicate"], {}),
        ("setup", ["setup", "--token", "nonsense"], {}),
    ]
    for command, args, env in cases:
        result = run_cli(*args, env=env)
        assert result.returncode in (1, 2), (args, result.stderr)
        one_error_line(command, result.stderr)


def test_help_names_the_real_state_directory(tmp_path: Path) -> None:
    env = {"XDG_STATE_HOME": str(tmp_path / "st"), "COLUMNS": "500"}  # no wrapping
    for command, name in (
        ("outbox", "outbox.db"),
        ("audit", "audit.db"),
        ("approve", "approvals.db"),
    ):
        shown = run_cli(command, "--help", env=env).stdout
        assert str(tmp_path / "st" / "telewire" / name) in shown, shown
        assert "in the state directory" not in shown
    config = {"XDG_CONFIG_HOME": str(tmp_path / "cf"), "COLUMNS": "500", "TELEWIRE_CONFIG": ""}
    shown = run_cli("setup", "--help", env=config).stdout
    assert str(tmp_path / "cf" / "telewire" / "config.json") in shown


def _damage(path: Path, row_id: int) -> None:
    with sqlite3.connect(path) as db:
        db.execute('UPDATE outbox SET params = \'{"chat_id": 42, "te\' WHERE id = ?', (row_id,))


def test_outbox_names_a_damaged_row_and_delivers_the_rest(
    emulator: EmulatorHandle, alice: TestUser, env: dict[str, str], tmp_path: Path
) -> None:
    from telewire.features.outbox.store import OutboxStore

    path = tmp_path / "outbox.db"
    store = OutboxStore(path)
    damaged, dead_damaged, fine = store.enqueue(
        [("sendMessage", {"chat_id": alice.id, "text": t}) for t in ("one", "two", "three")]
    )
    store.bury(dead_damaged, "refused")
    store.close()
    _damage(path, damaged)
    _damage(path, dead_damaged)
    shown = run_cli("outbox", "--path", str(path), env=env)
    assert shown.returncode == 0, shown.stderr
    assert f"dead #{dead_damaged} to {alice.id}: row {dead_damaged} is damaged" in shown.stdout
    assert f"pending #{damaged} to {alice.id}: row {damaged} is damaged" in shown.stdout
    assert "not valid JSON" in shown.stdout
    delivered = run_cli("outbox", "deliver", "--path", str(path), "--timeout", "20", env=env)
    assert delivered.returncode == 0, delivered.stderr
    assert emulator.messages(alice.id)[-1].text == "three"
    after = run_cli("outbox", "--path", str(path), env=env).stdout
    assert f"dead #{damaged} to {alice.id}: row {damaged} is damaged" in after
    assert fine


BAD_ARGUMENTS = [
    ("listen", ["listen", "--count", "-1"], "is not a count"),
    ("outbox", ["outbox", "deliver", "--timeout", "nan"], "is not a number of seconds"),
    ("outbox", ["outbox", "deliver", "--timeout", "inf"], "is not a number of seconds"),
    ("outbox", ["outbox", "deliver", "--timeout", "-5"], "is not a number of seconds"),
    ("setup", ["setup", "--wait", "inf"], "is not a number of seconds"),
    ("approve", ["approve", "x", "--timeout", "inf"], "is not a number of seconds"),
    ("approve", ["approve", "x", "--timeout", "nan"], "is not a number of seconds"),
    ("approve", ["approve", "x", "--timeout", "0"], "is not a number of seconds"),
    ("emulator", ["emulator", "--port", "70000"], "is not a port"),
    ("demo", ["demo", "--port", "-1"], "is not a port"),
    ("store demo", ["store", "demo", "--port", "x"], "is not a port"),
    ("send", ["send", "hi", "--api-url", "notaurl"], "invalid API base URL"),
]


@pytest.mark.parametrize(
    ("command", "args", "said"), BAD_ARGUMENTS, ids=[" ".join(a[1]) for a in BAD_ARGUMENTS]
)
def test_bad_argument_values_stop_before_anything_is_created(
    command: str, args: list[str], said: str, tmp_path: Path
) -> None:
    env = {
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TELEGRAM_BOT_TOKEN": "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
        "TELEGRAM_CHAT_ID": "42",
        "TELEGRAM_API_URL": CLOSED,
    }
    result = run_cli(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert said in one_error_line(command, result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_looking_at_an_outbox_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    for action in ("status", "retry", "purge", "deliver"):
        result = run_cli("outbox", action, env={"XDG_STATE_HOME": str(tmp_path / "state")})
        assert result.returncode == 0 and "no file yet" in result.stdout, result.stderr
    assert list(tmp_path.iterdir()) == []
