"""Local mode against the emulator's ``--local`` mode (telegram-bot-api ``--local``).

The server names files by absolute path (``download`` copies them from disk), reads
``file://`` URIs itself, takes uploads over 50 MB and serves files over 20 MB.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from telewire import AsyncBot, BadRequest, Bot, InputFile
from telewire.emulator import Emulator
from telewire.testing import EmulatorHandle

OVER_50_MB = 50 * 1024 * 1024 + 1


@pytest.fixture
def local_server(tmp_path: Path) -> Iterator[tuple[Emulator, EmulatorHandle]]:
    server = Emulator(local=True, local_dir=tmp_path / "server-files").in_thread()
    handle = EmulatorHandle(server.base_url, server.token)
    try:
        yield server, handle
    finally:
        handle.close()
        server.close()


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "backup 1.bin"
    with open(path, "wb") as handle:
        handle.write(os.urandom(1024) * (OVER_50_MB // 1024))
        handle.write(b"!")
    assert path.stat().st_size == OVER_50_MB
    return path


def test_upload_by_file_uri_and_download_by_absolute_path(
    local_server: tuple[Emulator, EmulatorHandle], big_file: Path, tmp_path: Path
) -> None:
    server, handle = local_server
    alice = handle.user("Alice")
    handle.send(alice, "hi")
    with Bot(server.token, base_url=server.base_url, local_mode=True) as bot:
        sent = bot.send_document(chat_id=alice.id, document=big_file.as_uri())
        assert sent.document.file_size == OVER_50_MB  # over the 50 MB of api.telegram.org
        found = bot.get_file(file_id=sent.document.file_id)  # no 20 MB limit either
        assert found.file_path is not None and os.path.isabs(found.file_path)
        assert Path(found.file_path).is_relative_to(tmp_path / "server-files")
        copy = bot.download(found, tmp_path / "copy" / "backup.bin")
        assert copy == tmp_path / "copy" / "backup.bin"
        assert copy.read_bytes() == big_file.read_bytes()
        small = bot.send_document(chat_id=alice.id, document=InputFile(b"tiny", filename="t.txt"))
        assert bot.download(small.document.file_id) == b"tiny"  # bytes, read from disk
    requests = handle.stats()["requests"]

    async def in_asyncio() -> bytes:
        async with AsyncBot(server.token, base_url=server.base_url, local_mode=True) as bot:
            data: bytes = await bot.download(sent.document.file_id)
            return data

    assert asyncio.run(in_asyncio()) == big_file.read_bytes()
    assert handle.stats()["requests"] == requests + 1  # getFile only: no HTTP download


def test_a_large_multipart_upload_is_taken_in_local_mode(
    local_server: tuple[Emulator, EmulatorHandle], big_file: Path
) -> None:
    server, handle = local_server
    alice = handle.user("Alice")
    handle.send(alice, "hi")
    with Bot(server.token, base_url=server.base_url, local_mode=True) as bot:
        sent = bot.send_document(chat_id=alice.id, document=InputFile(big_file))
    assert sent.document.file_size == OVER_50_MB


def test_without_local_mode_the_limits_and_file_uris_are_telegrams(
    emulator: EmulatorHandle, big_file: Path
) -> None:
    alice = emulator.user("Alice")
    emulator.send(alice, "hi")
    with Bot(emulator.token, base_url=emulator.base_url) as bot:
        with pytest.raises(BadRequest, match="local_mode=True"):
            bot.send_document(chat_id=alice.id, document=big_file.as_uri())
        with pytest.raises(Exception, match="Request Entity Too Large"):
            bot.send_document(chat_id=alice.id, document=InputFile(big_file))
        over_20 = bot.send_document(
            chat_id=alice.id, document=InputFile(b"x" * (20 * 1024 * 1024 + 1), filename="b")
        )
        with pytest.raises(BadRequest, match="file is too big"):
            bot.get_file(file_id=over_20.document.file_id)


def test_the_server_refuses_a_file_uri_it_cannot_read(
    local_server: tuple[Emulator, EmulatorHandle], tmp_path: Path
) -> None:
    server, handle = local_server
    alice = handle.user("Alice")
    handle.send(alice, "hi")
    with Bot(server.token, base_url=server.base_url, local_mode=True) as bot:
        with pytest.raises(BadRequest, match="file not found"):
            bot.send_document(chat_id=alice.id, document=(tmp_path / "missing").as_uri())
