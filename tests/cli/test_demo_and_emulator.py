"""The CLI as a user meets it: real subprocesses."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

from tests.conftest import run_cli


def test_demo_script_plays_a_whole_conversation() -> None:
    result = run_cli("demo", "--script", "--port", "0", timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Ada: hello" in out and "bot: Hey there!" in out
    assert "Try saying hello" in out and "(answers the press: 'Thanks!')" in out
    assert "(edits its greeting) Glad you like it!" in out


def test_emulator_command_prints_its_urls_and_serves_until_terminated() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "telewire.cli.main",
            "emulator",
            "--port",
            "0",
            "--token",
            "4242:" + "t" * 30,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(4)]  # type: ignore[union-attr]
        url = re.search(r"http://127\.0\.0\.1:\d+", lines[1]).group(0)  # type: ignore[union-attr]
        assert "4242:" + "t" * 30 in lines[2] and lines[3].strip().endswith("/")
        with urllib.request.urlopen(f"{url}/bot4242:{'t' * 30}/getMe") as reply:
            assert b'"is_bot":true' in reply.read()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0


def test_cli_errors_are_one_clear_line() -> None:
    result = run_cli("emulator", "--faults", "bogus=1", "--port", "0")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("telewire emulator: unknown fault 'bogus'")
    assert "Traceback" not in result.stderr
    usage = run_cli("emulator", "--port", "notaport")
    assert usage.returncode == 2 and "is not a port" in usage.stderr


def test_import_telewire_is_light() -> None:
    code = (
        "import sys, telewire; heavy = [m for m in ('msgspec', 'aiohttp', 'asyncio', "
        "'telewire.api._generated.types') if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ
    )
    assert result.stdout.strip() == "[]"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import telewire"], check=True)
    assert time.perf_counter() - started < 5  # sanity only; the benchmark measures it properly


def test_damaged_state_files_get_one_clear_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "state.db"
    bad.write_text("not a database")
    for args in (
        ["emulator", "--state", str(bad), "--port", "0"],
        ["audit", "show", "--path", str(bad)],
        ["outbox", "--path", str(tmp_path)],
    ):
        result = run_cli(*args)
        assert result.returncode == 1, args
        assert (
            result.stderr.startswith(f"telewire {args[0]}: cannot use ")
            and "Traceback" not in result.stderr
        )
