"""Dialogs across processes: kill -9 and restart, and one chat served by two processes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import msgspec

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


def settled(emulator: EmulatorHandle) -> None:
    """The bot finished its step and confirmed the update (so a kill now is *between* steps;
    a kill inside a step is the random-moments test's)."""
    assert emulator.wait_until(lambda: emulator.deliveries()["pending"] == [], timeout=30)


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
        settled(emulator)
        kill_9(bot)
        bot = start_order_bot(emulator, storage)
        talk.send("forty").expect("Please send a number from 1 to 20.\nHow many? (Cake)")
        talk.send("3").expect("Which table?", exact=True)
        settled(emulator)
        kill_9(bot)
        bot = start_order_bot(emulator, storage)
        talk.send("7").expect("3 x Cake to table 7?", buttons=["Yes", "No"])
        settled(emulator)
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
                previous = talk.last
                while question not in (talk.expect().text or ""):
                    # the one repeat allowed: the previous question again, sent by a bot
                    # killed after sending it and before marking it sent
                    assert previous is not None and talk.last is not None
                    assert talk.last.text == previous.text, talk.bot_texts()
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


def test_a_press_handled_again_after_a_crash_repeats_its_question_and_nothing_else(
    emulator: EmulatorHandle, tmp_path: Path, quiet: None
) -> None:
    """The step's messages went out, the process died before marking them sent, Telegram
    delivers the press again: the press is not answered twice (Telegram refuses that) or
    taken as a second answer, the question after it goes out once more, and a delivery
    after the mark sends nothing."""
    import asyncio

    from telewire import AsyncBot, Router
    from telewire.dialogs import Dialog, Dialogs
    from telewire.dialogs.state import decode, encode
    from telewire.updates.dispatcher import HANDLED, Dispatcher

    storage_url = f"sqlite://{tmp_path / 'dialogs.sqlite3'}"
    user = emulator.user("Alice")

    async def scenario() -> None:
        router = Router()
        dialogs = Dialogs(router, storage_url)

        @dialogs.dialog(command="pick")
        async def pick(d: Dialog) -> None:
            colour = await d.choose("Colour?", ["Red", "Blue"])
            count = await d.ask(f"{colour}: how many?")
            await d.reply(f"{count} x {colour}")

        async with AsyncBot(emulator.token, base_url=emulator.base_url) as bot:
            dispatcher = Dispatcher(router, bot)
            await dispatcher.start()
            emulator.send(user, "/pick")
            (start,) = await bot.get_updates(timeout=5)
            assert await dispatcher.handle(start) == HANDLED
            question = emulator.expect_reply(user.id)
            emulator.press(user, question, button="Blue", timeout=0)
            (press,) = await bot.get_updates(offset=start.update_id + 1, timeout=5)
            assert await dispatcher.handle(press) == HANDLED

            (key,) = await dialogs.storage.keys("dialog:")
            item = await dialogs.storage.get(key)
            assert item is not None
            state = decode(item.value)
            assert state is not None and state.sent
            await dialogs.storage.set(key, encode(msgspec.structs.replace(state, sent=False)))
            assert await dispatcher.handle(press) == HANDLED  # delivered again
            assert await dispatcher.handle(press) == HANDLED  # and again, after the mark
            emulator.send(user, "3")
            (answer,) = await bot.get_updates(offset=press.update_id + 1, timeout=5)
            assert await dispatcher.handle(answer) == HANDLED
            await dispatcher.close()
            await dialogs.close()

    asyncio.run(scenario())
    texts = [m.text for m in emulator.bot_messages(user.id)]
    assert texts == ["Colour?\n» Blue", "Blue: how many?", "Blue: how many?", "3 x Blue"]
