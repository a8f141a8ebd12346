"""Choosing a backend by URL, and the one-line errors for URLs that cannot work."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from telewire.storage import StorageError, open_storage
from telewire.storage.memory import MemoryStorage
from telewire.storage.sqlite import SQLiteStorage


def test_the_default_is_a_sqlite_file_in_the_state_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEWIRE_STORAGE", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    storage = open_storage()
    assert isinstance(storage, SQLiteStorage)
    assert storage.path == tmp_path / "telewire" / "storage.sqlite3"
    assert storage.path.exists()
    storage.close_now()


def test_the_environment_chooses_when_no_url_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEWIRE_STORAGE", "memory://")
    assert isinstance(open_storage(), MemoryStorage)
    monkeypatch.setenv("TELEWIRE_STORAGE", f"sqlite://{tmp_path}/env.db")
    assert open_storage().path == tmp_path / "env.db"  # type: ignore[attr-defined]


def test_sqlite_paths_may_be_relative_or_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert open_storage("sqlite://here.db").path == Path("here.db")  # type: ignore[attr-defined]
    durable = open_storage(f"sqlite://{tmp_path}/d.db?durable=1")
    assert durable.path == tmp_path / "d.db"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("localhost:6379", "has no scheme"),
        ("mongodb://db/x", "unknown storage URL scheme 'mongodb'"),
        ("sqlite:///tmp/x.db?fast=1", "unknown sqlite storage option"),
    ],
)
def test_bad_urls_get_a_one_line_reason(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message) as caught:
        open_storage(url)
    assert "\n" not in str(caught.value)


def test_a_password_never_appears_in_errors_or_reprs() -> None:
    with pytest.raises(StorageError) as caught:
        open_storage("ftp://me:s3cret@host/x")
    assert "s3cret" not in str(caught.value)
    storage = open_storage("redis://me:s3cret@127.0.0.1:1/0")
    assert "s3cret" not in repr(storage)


def test_an_unusable_sqlite_path_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "not-a-db").write_bytes(b"hello, this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot use"):
        open_storage(f"sqlite://{tmp_path}/not-a-db")


def test_an_unreachable_postgres_is_a_clear_error() -> None:
    from telewire.storage import StorageUnavailable
    from telewire.testing.servers import free_port

    storage = open_storage(f"postgresql://telewire:pw@127.0.0.1:{free_port()}/postgres")

    async def main() -> None:
        with pytest.raises(StorageUnavailable, match="cannot use PostgreSQL") as caught:
            await storage.get("k")
        assert "pw@" not in str(caught.value)

    asyncio.run(main())


def test_an_unreachable_redis_is_a_clear_error() -> None:
    from telewire.storage import StorageUnavailable
    from telewire.testing.servers import free_port

    storage = open_storage(f"redis://:pw@127.0.0.1:{free_port()}/0")

    async def main() -> None:
        with pytest.raises(StorageUnavailable, match="cannot reach Redis") as caught:
            await storage.set("k", b"v")
        assert "pw" not in str(caught.value)
        await storage.close()

    asyncio.run(main())
