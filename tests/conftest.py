"""Shared fixtures. The ``emulator`` fixture itself comes from telewire's pytest plugin."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from telewire import Bot, RetryPolicy
from telewire.testing import EmulatorHandle, TestUser

# Time limits per example measure the machine, not the code: a loaded 2-core CI box takes
# 300 ms for what takes 20 here. Examples stay bounded by each test's max_examples.
settings.register_profile(
    "telewire", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("telewire")

ROOT = Path(__file__).resolve().parent.parent
FAST_RETRY = RetryPolicy(attempts=4, backoff=0.01, max_backoff=0.05)


@pytest.fixture(autouse=True)
def own_config_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads the settings `telewire setup` saved on the machine running the suite."""
    if "TELEWIRE_CONFIG" not in os.environ:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture
def bot(emulator: EmulatorHandle) -> Iterator[Bot]:
    """A sync client of the emulator's bot, retrying quickly."""
    with Bot(emulator.token, base_url=emulator.base_url, retry=FAST_RETRY) as client:
        yield client


@pytest.fixture
def quiet(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail the test if anything (a server thread too) logged an error or a traceback."""
    with caplog.at_level(logging.WARNING):
        yield
    loud = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not loud, [r.getMessage() for r in loud]


@pytest.fixture
def alice(emulator: EmulatorHandle) -> TestUser:
    """A user who has started a private chat with the bot (so the bot may write to her)."""
    user = emulator.user("Alice", username="alice")
    emulator.send(user, "/start")
    return user


def run_cli(
    *args: str, env: dict[str, str] | None = None, input: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``telewire ARGS`` as a real subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "telewire.cli.main", *args],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
    )
