"""`telewire send --test-env` and the network settings as a real subprocess sees them."""

from __future__ import annotations

import json
import time
from pathlib import Path

from telewire.testing import EmulatorHandle, TestUser
from tests.conftest import run_cli


def test_telewire_send_test_env(
    emulator: EmulatorHandle, alice: TestUser, env: dict[str, str]
) -> None:
    result = run_cli("send", "--test-env", "from the test environment", env=env)
    assert result.returncode == 0, result.stderr
    deadline = time.monotonic() + 10
    while emulator.stats()["test_environment"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert emulator.stats()["test_environment"] == 1
    assert emulator.messages(alice.id)[-1].text == "from the test environment"


def test_setup_saves_the_proxy_and_send_uses_it(
    emulator: EmulatorHandle, alice: TestUser, env: dict[str, str], tmp_path: Path
) -> None:
    from tests.transports.proxyservers import PASSWORD, ProxyServer

    proxy = ProxyServer("socks5")
    try:
        setup_env = {k: v for k, v in env.items() if k != "TELEGRAM_CHAT_ID"}
        setup = run_cli(
            "setup", "--token", emulator.token, "--chat", str(alice.id),
            "--api-url", emulator.base_url, "--proxy", proxy.url(), env=setup_env,
        )  # fmt: skip
        assert setup.returncode == 0, setup.stderr
        assert PASSWORD not in setup.stdout + setup.stderr
        saved = json.loads((tmp_path / "config" / "telewire" / "config.json").read_text())
        assert saved["proxy"] == proxy.url()  # the file is 0600, like the token's
        sent = run_cli(
            "send", "through the saved proxy",
            env={"XDG_CONFIG_HOME": env["XDG_CONFIG_HOME"], "XDG_STATE_HOME": env["XDG_STATE_HOME"],
                 "TELEGRAM_BOT_TOKEN": "", "TELEGRAM_API_URL": "", "TELEGRAM_CHAT_ID": ""},
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
    finally:
        proxy.close()
    assert emulator.messages(alice.id)[-1].text == "through the saved proxy"
    assert len(proxy.targets) == 2  # setup's connection, then send's


def test_a_malformed_proxy_is_a_usage_error_that_hides_the_password(
    env: dict[str, str],
) -> None:
    result = run_cli("send", "x", "--proxy", "socks5://me:hunter2/x@@127.0.0.1:notaport", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("telewire send: invalid proxy: the port is not a number")
    assert "hunter2" not in result.stderr and len(result.stderr.splitlines()) == 1
    result = run_cli("send", "x", env={**env, "TELEGRAM_PROXY": "ftp://me:hunter2@h"})
    assert result.returncode == 2 and "scheme 'ftp' is not supported" in result.stderr
    assert "hunter2" not in result.stderr


def test_emulator_local_mode_from_the_command_line(tmp_path: Path) -> None:
    import re
    import signal
    import subprocess
    import sys

    from telewire import Bot
    from telewire.testing import EmulatorHandle

    token = "4243:" + "l" * 30
    folder = tmp_path / "files"
    command = ["emulator", "--port", "0", "--token", token, "--local", "--dir", str(folder)]
    process = subprocess.Popen(
        [sys.executable, "-m", "telewire.cli.main", *command],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(5)]  # type: ignore[union-attr]
        assert f"files in {folder}" in lines[4], lines
        url = re.search(r"http://127\.0\.0\.1:\d+", lines[1]).group(0)  # type: ignore[union-attr]
        handle = EmulatorHandle(url, token)
        alice = handle.user("Alice")
        handle.send(alice, "hi")
        source = tmp_path / "notes.txt"
        source.write_text("kept on the server's disk")
        with Bot(token, base_url=url, local_mode=True) as bot:
            sent = bot.send_document(chat_id=alice.id, document=source.as_uri())
            path = bot.get_file(file_id=sent.document.file_id).file_path
            assert path is not None and Path(path).is_relative_to(folder.resolve())
            assert bot.download(sent.document.file_id) == b"kept on the server's disk"
        handle.close()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
