"""The sync and async faces behave alike: the same scenario, run through both.

Outbox / AsyncOutbox: both start delivering by themselves, both have ``notify`` and
``queue`` (the async ones awaitable), both report the same status; the async one keeps
its disk work off the event loop. Bot / AsyncBot: ``download`` gives the same results.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from telewire import AsyncBot, Bot, InputFile
from telewire.features.outbox import AsyncOutbox, Outbox, OutboxStatus
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import File

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000002000000030806000000") + b"\0" * 40


def options(emulator: EmulatorHandle, alice: TestUser) -> dict[str, Any]:
    return {
        "token": emulator.token,
        "base_url": emulator.base_url,
        "chat_id": alice.id,
        "limits": None,
    }


def sync_scenario(path: Path, emulator: EmulatorHandle, alice: TestUser) -> OutboxStatus:
    outbox = Outbox(path, **options(emulator, alice))  # delivering from here on
    outbox.notify("twin text")
    outbox.queue("sendMessage", chat_id=alice.id, text="twin queued")
    assert outbox.flush(10)
    status = outbox.status()
    outbox.close()
    return status


def async_scenario(path: Path, emulator: EmulatorHandle, alice: TestUser) -> OutboxStatus:
    async def main() -> OutboxStatus:
        outbox = AsyncOutbox(path, **options(emulator, alice))  # no start() called
        await outbox.notify("twin text")
        await outbox.queue("sendMessage", chat_id=alice.id, text="twin queued")
        assert await outbox.flush(10)
        status = outbox.status()
        await outbox.close()
        return status

    return asyncio.run(main())


def test_both_outboxes_start_themselves_and_deliver_alike(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    sync = sync_scenario(tmp_path / "sync.db", emulator, alice)
    texts_after_sync = [m.text for m in emulator.bot_messages(alice.id)]
    asynchronous = async_scenario(tmp_path / "async.db", emulator, alice)
    texts = [m.text for m in emulator.bot_messages(alice.id)]
    assert sync == asynchronous == {"pending": 0, "delivered": 2, "dead": 0}
    assert texts_after_sync == ["twin text", "twin queued"]
    assert texts == ["twin text", "twin queued"] * 2


def test_the_async_outbox_never_touches_the_disk_on_the_event_loop(
    emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    """Its commits are fsync'd (milliseconds each): on the loop they would stall every task."""
    disk_threads: set[str] = set()

    async def main() -> str:
        outbox = AsyncOutbox(tmp_path / "o.db", **options(emulator, alice))
        store = outbox.store
        for name in ("enqueue", "due", "delivered", "pending"):
            original = getattr(store, name)

            def watched(*args: Any, __original: Any = original, **kwargs: Any) -> Any:
                disk_threads.add(threading.current_thread().name)
                return __original(*args, **kwargs)

            setattr(store, name, watched)
        for i in range(3):
            await outbox.notify(f"off the loop {i}")
        assert await outbox.flush(10)
        await outbox.close()
        return threading.current_thread().name

    loop_thread = asyncio.run(main())
    assert disk_threads and loop_thread not in disk_threads, disk_threads


def test_both_downloads_give_bytes_or_a_path_alike(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser, tmp_path: Path
) -> None:
    sent = bot.send_document(chat_id=alice.id, document=InputFile(PNG, filename="f.png"))
    assert sent.document is not None
    file_id = sent.document.file_id
    info = bot.get_file(file_id=file_id)
    assert isinstance(info, File)

    async def downloads() -> tuple[bytes, bytes, Path]:
        async with AsyncBot(emulator.token, base_url=emulator.base_url) as client:
            by_id = await client.download(file_id)
            by_file = await client.download(info)
            written = await client.download(file_id, tmp_path / "async" / "f.png")
            return by_id, by_file, written

    async_by_id, async_by_file, async_written = asyncio.run(downloads())
    sync_written = bot.download(file_id, tmp_path / "sync" / "f.png")
    assert bot.download(file_id) == bot.download(info) == async_by_id == async_by_file == PNG
    assert sync_written.read_bytes() == async_written.read_bytes() == PNG
