"""Two processes serving one bot on one storage, each given every other update."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

from telewire import Bot
from telewire.storage import open_storage
from telewire.testing import EmulatorHandle

HERE = Path(__file__).parent


@contextmanager
def two_processes(emulator: EmulatorHandle, storage: str) -> Iterator[list[int]]:
    """Start two worker processes and split the bot's updates between them by update id
    parity; yields the ids both handled. On leaving, the workers finish and exit."""
    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
    }
    workers = [
        subprocess.Popen(
            [sys.executable, str(HERE / "worker_bot.py"), storage, name],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B")
    ]
    handled: list[int] = []
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"

    def collect(worker: subprocess.Popen[str]) -> None:
        assert worker.stdout is not None
        for line in worker.stdout:
            handled.append(int(line.split()[1]))

    readers = [threading.Thread(target=collect, args=(w,), daemon=True) for w in workers]
    stop = threading.Event()

    def feed() -> None:
        offset = 0
        with Bot(emulator.token, base_url=emulator.base_url) as bot:
            while not stop.is_set():
                for update in bot.get_updates(offset=offset, timeout=1):
                    worker = workers[update.update_id % 2]
                    assert worker.stdin is not None
                    worker.stdin.write(msgspec.json.encode(update).decode() + "\n")
                    worker.stdin.flush()
                    offset = update.update_id + 1

    feeder = threading.Thread(target=feed, daemon=True)
    for thread in [*readers, feeder]:
        thread.start()
    try:
        yield handled
    finally:
        stop.set()
        feeder.join(10)
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.close()
        for worker in workers:
            assert worker.wait(30) == 0


def test_dialogs_carry_on_whichever_process_gets_the_answer(
    emulator: EmulatorHandle, shared_storage: str
) -> None:
    users = [emulator.user(f"U{i}") for i in range(4)]
    talks = [emulator.dialog(user, timeout=15) for user in users]
    with two_processes(emulator, shared_storage):
        for talk in talks:
            talk.send("/order").expect("What item?")
        for i, talk in enumerate(talks):
            talk.send(f"item{i}").expect("How many?")
        for i, talk in enumerate(talks):
            talk.send("x").expect("Sorry, I cannot use that answer.\nHow many?")
            talk.send(str(i + 1)).expect(f"{i + 1} x item{i}?")
        for i, talk in enumerate(talks):
            talk.press("Yes").expect(f"Ordered {i + 1} x item{i}.", exact=True)
    for i, talk in enumerate(talks):
        assert talk.questions() == [
            "What item?",
            "How many?",
            "How many?",
            f"{i + 1} x item{i}?",
            f"Ordered {i + 1} x item{i}.",
        ]


def test_user_data_written_from_two_processes_at_once_loses_nothing(
    emulator: EmulatorHandle, shared_storage: str
) -> None:
    alice, bob = emulator.user("Alice"), emulator.user("Bob")
    groups = [emulator.group(f"G{i}", [alice, bob]) for i in range(2)]
    rounds = 20
    with two_processes(emulator, shared_storage):
        for i in range(rounds):
            for group in groups:
                emulator.send(alice, f"{group.title}-{i}", chat_id=group.id)
        for group in groups:
            emulator.send(alice, "last", chat_id=group.id)
            emulator.dialog(alice, chat_id=group.id).expect("done by")

    async def stored() -> dict[str, Any]:
        storage = open_storage(shared_storage)
        try:
            item = await storage.get(f"data:{emulator.token.split(':')[0]}:user:{alice.id}")
        finally:
            await storage.close()
        assert item is not None
        return msgspec.json.decode(item.value)  # type: ignore[no-any-return]

    counter = asyncio.run(stored())
    assert counter["count"] == 2 * rounds + 2
    assert sorted(counter["seen"]) == sorted(
        [f"G{g}-{i}" for g in range(2) for i in range(rounds)] + ["last", "last"]
    )
