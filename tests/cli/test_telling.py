"""`telewire setup`, `send` and `listen` as real subprocesses against the emulator."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

from telewire.testing import EmulatorHandle, TestUser
from tests.conftest import run_cli


def texts(emulator: EmulatorHandle, chat: int) -> list[str | None]:
    return [m.text or m.caption for m in emulator.messages(chat)]


def test_send_text_from_argument_and_stdin(
    emulator: EmulatorHandle, alice: TestUser, env: dict[str, str]
) -> None:
    assert run_cli("send", "Backup *done*", "--parse-mode", "MarkdownV2", env=env).returncode == 0
    assert run_cli("send", env=env, input="disk 91% full\n").returncode == 0
    assert run_cli("send", "--silent", "quiet", env=env).returncode == 0
    assert texts(emulator, alice.id)[-3:] == ["Backup done", "disk 91% full", "quiet"]


def test_send_long_text_is_split(
    emulator: EmulatorHandle, alice: TestUser, env: dict[str, str]
) -> None:
    result = run_cli("send", env=env, input=("line of log output\n" * 600))
    assert result.returncode == 0, result.stderr
    sent = texts(emulator, alice.id)[1:]
    assert len(sent) == 3 and all(len(t or "") <= 4096 for t in sent)


def test_send_files_and_photos(
    emulator: EmulatorHandle, alice: TestUser, env: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "report.txt"
    report.write_text("numbers")
    image = tmp_path / "chart.png"
    image.write_bytes(
        bytes.fromhex("89504e470d0a1a0a0000000d49484452000000080000000808") + b"\0" * 30
    )
    assert run_cli("send", "--file", str(report), "the report", env=env).returncode == 0
    assert run_cli("send", "--photo", str(image), env=env).returncode == 0
    document, photo = emulator.messages(alice.id)[-2:]
    assert (
        document.document
        and document.document.file_name == "report.txt"
        and document.caption == "the report"
    )
    assert photo.photo and photo.photo[0].width == 8


def test_send_exit_codes_and_messages(
    emulator: EmulatorHandle, env: dict[str, str], tmp_path: Path
) -> None:
    nothing = run_cli("send", env=env, input="")
    assert nothing.returncode == 2 and "nothing to send" in nothing.stderr
    refused = run_cli("send", "hi", "--chat", "123", env=env)
    assert (
        refused.returncode == 1
        and "chat not found" in refused.stderr
        and "Traceback" not in refused.stderr
    )
    missing = run_cli("send", "--file", str(tmp_path / "nope.pdf"), env=env)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    no_token = run_cli("send", "hi", env={**env, "TELEGRAM_BOT_TOKEN": ""})
    assert no_token.returncode == 2 and "telewire setup" in no_token.stderr
    bad_token = run_cli("send", "hi", env={**env, "TELEGRAM_BOT_TOKEN": "nonsense"})
    assert bad_token.returncode == 2 and "invalid bot token" in bad_token.stderr
    offline = run_cli("send", "hi", env={**env, "TELEGRAM_API_URL": "http://127.0.0.1:9"})
    assert offline.returncode == 1 and "cannot reach the API server" in offline.stderr
    assert emulator.token.split(":")[1] not in offline.stderr + bad_token.stderr + refused.stderr
    usage = run_cli("send", "--parse-mode", "Bogus", "x", env=env)
    assert usage.returncode == 2


def test_setup_finds_the_chat_and_saves_privately(emulator: EmulatorHandle, tmp_path: Path) -> None:
    owner = emulator.user("Owner")
    threading.Timer(1.0, emulator.send, args=(owner, "hi bot")).start()
    config_home = tmp_path / "cfg"
    result = run_cli(
        "setup",
        "--token",
        emulator.token,
        "--api-url",
        emulator.base_url,
        "--wait",
        "20",
        env={"XDG_CONFIG_HOME": str(config_home), "TELEGRAM_BOT_TOKEN": ""},
    )
    assert result.returncode == 0, result.stderr
    assert f"your chat id is {owner.id}" in result.stdout
    saved = config_home / "telewire" / "config.json"
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert (
        run_cli(
            "send",
            "configured",
            env={
                "XDG_CONFIG_HOME": str(config_home),
                "TELEGRAM_BOT_TOKEN": "",
                "TELEGRAM_API_URL": "",
                "TELEGRAM_CHAT_ID": "",
            },
        ).returncode
        == 0
    )
    assert emulator.messages(owner.id)[-1].text == "configured"
    wrong = run_cli(
        "setup",
        "--token",
        "123:" + "x" * 30,
        "--api-url",
        emulator.base_url,
        env={"XDG_CONFIG_HOME": str(config_home)},
    )
    assert wrong.returncode == 1 and "rejected this token" in wrong.stderr


def test_listen_prints_and_acknowledges(emulator: EmulatorHandle, env: dict[str, str]) -> None:
    bob = emulator.user("Bob")
    emulator.send(bob, "first")
    emulator.send(bob, "second")
    result = run_cli(
        "listen", "--count", "3", env=env, timeout=30
    )  # alice's /start, then bob's two
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert lines[1].endswith(f"Bob ({bob.id}): first") and lines[2].endswith("second")
    assert emulator.deliveries()["pending"] == []
    emulator.send(bob, "third")
    again = run_cli("listen", "--count", "1", "--json", env=env, timeout=30)
    assert '"text": "third"' in again.stdout


def test_send_starts_fast_without_loading_the_typed_surface(env: dict[str, str]) -> None:
    import subprocess
    import sys

    probe = (
        "import sys; from telewire.cli import main; "
        "import telewire.cli.send, telewire.client.blocking; "
        "heavy = ('msgspec', 'aiohttp', 'asyncio', 'telewire.api._generated.types'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env={**os.environ, **env}
    )
    assert result.stdout.strip() == "[]"
    assert time.perf_counter() > 0


def test_listen_says_what_it_listens_to(emulator: EmulatorHandle, env: dict[str, str]) -> None:
    result = run_cli("listen", "--count", "1", "--json", env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("telewire listen: listening as @")
    assert emulator.base_url in result.stderr and emulator.token not in result.stderr
    assert result.stdout.startswith("{")  # the banner stays out of the JSON lines
