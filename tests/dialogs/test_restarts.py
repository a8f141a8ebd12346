"""Dialogs across processes: kill -9 and restart, and one chat served by two processes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from telewire.testing import EmulatorHandle
from tests.conftest import ROOT


def start_order_bot(emulator: EmulatorHandle, storage: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEWIRE_STORAGE": storage,
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "order_dialog.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    assert "order bot running" in process.stdout.readline()
    return process


def kill_9(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert process.stdout is not None
    process.stdout.close()


def test_the_order_example_survives_kill_9_between_steps(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    storage = f"sqlite://{tmp_path / 'orders.sqlite3'}"
    alice = emulator.user("Alice")
    talk = emulator.dialog(alice)
    bot = start_order_bot(emulator, storage)
    try:
        talk.send("/order").expect("What would you like?", buttons=["Tea", "Coffee", "Cake"])
        talk.press("Cake").expect("How many? (Cake)", exact=True)
        kill_9(bot)
        bot = start_order_bot(emulator, storage)
        talk.send("forty").expect("Please send a number from 1 to 20.\nHow many? (Cake)")
        talk.send("3").expect("Which table?", exact=True)
        kill_9(bot)
        bot = start_order_bot(emulator, storage)
        talk.send("7").expect("3 x Cake to table 7?", buttons=["Yes", "No"])
        kill_9(bot)
        bot = start_order_bot(emulator, storage)
        talk.press("Yes").expect("Ordered: 3 x Cake to table 7.", exact=True)
    finally:
        kill_9(bot)
    assert talk.questions() == [
        "What would you like?",
        "How many? (Cake)",
        "How many? (Cake)",
        "Which table?",
        "3 x Cake to table 7?",
        "Ordered: 3 x Cake to table 7.",
    ]


def test_kill_9_at_random_moments_never_loses_or_mixes_up_an_answer(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """Killed right after an answer arrives (maybe mid-step): the dialog still completes,
    each answer used once, each question shown (at worst twice in a row, never skipped)."""
    storage = f"sqlite://{tmp_path / 'orders.sqlite3'}"
    rng = random.Random(11)
    for round in range(3):
        user = emulator.user(f"U{round}")
        talk = emulator.dialog(user, timeout=20)
        bot = start_order_bot(emulator, storage)
        try:
            talk.send("/order").expect("What would you like?")
            answers: list[tuple[str, str]] = [
                ("press", "Coffee"),
                ("send", "2"),
                ("send", f"{round + 10}"),
                ("press", "Yes"),
            ]
            expected = ["How many? (Coffee)", "Which table?", "2 x Coffee to table", "Ordered"]
            for (how, answer), question in zip(answers, expected):
                if how == "press":
                    assert talk.last is not None
                    emulator.press(user, talk.last, button=answer, timeout=0)
                else:
                    talk.send(answer)
                # the kill lands anywhere from before the update is fetched to after it
                # was handled and confirmed
                if rng.random() < 0.8:
                    time.sleep(rng.uniform(0, 0.15))
                    kill_9(bot)
                    bot = start_order_bot(emulator, storage)
                talk.expect(question)
        finally:
            kill_9(bot)
        shown = talk.questions()
        deduplicated = [q for i, q in enumerate(shown) if i == 0 or shown[i - 1] != q]
        assert deduplicated == [
            "What would you like?",
            "How many? (Coffee)",
            "Which table?",
            f"2 x Coffee to table {round + 10}?",
            f"Ordered: 2 x Coffee to table {round + 10}.",
        ], shown
