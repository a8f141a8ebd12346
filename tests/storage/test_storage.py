"""The Storage contract, pinned down once and run on every backend."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from telewire.storage import DELETED, Item, Storage, open_storage


def run(url: str, scenario: Callable[[Storage], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        storage = open_storage(url)
        try:
            return await scenario(storage)
        finally:
            await storage.close()

    return asyncio.run(main())


async def eventually_absent(storage: Storage, key: str) -> float:
    started = time.monotonic()
    while await storage.get(key) is not None:
        assert time.monotonic() - started < 10, f"{key} never expired"
        await asyncio.sleep(0.01)
    return time.monotonic() - started


def test_every_backend_speaks_the_protocol(storage_url: str) -> None:
    async def scenario(storage: Storage) -> None:
        assert isinstance(storage, Storage)

    run(storage_url, scenario)


def test_a_missing_key_is_none_and_a_written_one_comes_back_with_its_version(
    storage_url: str,
) -> None:
    async def scenario(storage: Storage) -> None:
        assert await storage.get("missing") is None
        first = await storage.set("k", b"one")
        assert await storage.get("k") == Item(b"one", first)
        second = await storage.set("k", b"two")
        assert second > first
        assert await storage.get("k") == Item(b"two", second)

    run(storage_url, scenario)


def test_values_are_opaque_bytes_nul_and_empty_included(storage_url: str) -> None:
    async def scenario(storage: Storage) -> None:
        blob = bytes(range(256)) * 40
        await storage.set("blob", blob)
        await storage.set("empty", b"")
        assert (await storage.get("blob")).value == blob  # type: ignore[union-attr]
        assert (await storage.get("empty")).value == b""  # type: ignore[union-attr]

    run(storage_url, scenario)


def test_compare_and_set_writes_only_at_the_expected_version(storage_url: str) -> None:
    async def scenario(storage: Storage) -> None:
        created = await storage.compare_and_set("k", b"a", expected=None)
        assert created is not None
        assert await storage.compare_and_set("k", b"b", expected=None) is None
        assert await storage.compare_and_set("k", b"b", expected=created + 1000) is None
        assert (await storage.get("k")) == Item(b"a", created)
        replaced = await storage.compare_and_set("k", b"b", expected=created)
        assert replaced is not None and replaced > created
        assert await storage.compare_and_set("k", b"c", expected=created) is None
        assert (await storage.get("k")) == Item(b"b", replaced)

    run(storage_url, scenario)


def test_compare_and_set_with_none_deletes_only_at_the_expected_version(storage_url: str) -> None:
    async def scenario(storage: Storage) -> None:
        version = await storage.set("k", b"v")
        assert await storage.compare_and_set("k", None, expected=version + 1) is None
        assert await storage.get("k") is not None
        assert await storage.compare_and_set("k", None, expected=version) == DELETED
        assert await storage.get("k") is None
        assert await storage.compare_and_set("k", None, expected=version) is None
        assert await storage.compare_and_set("k", None, expected=None) == DELETED
        await storage.set("k", b"again")
        assert await storage.compare_and_set("k", None, expected=None) is None

    run(storage_url, scenario)


def test_a_key_written_again_after_deletion_never_reuses_a_version(storage_url: str) -> None:
    """No ABA: a compare-and-set holding a version from before the deletion must fail."""

    async def scenario(storage: Storage) -> None:
        stale = await storage.set("k", b"old")
        await storage.delete("k")
        await storage.set("k", b"new")
        assert await storage.compare_and_set("k", b"lost update", expected=stale) is None
        assert (await storage.get("k")).value == b"new"  # type: ignore[union-attr]

    run(storage_url, scenario)


def test_delete_removes_and_tolerates_missing_keys(storage_url: str) -> None:
    async def scenario(storage: Storage) -> None:
        await storage.set("k", b"v")
        await storage.delete("k")
        await storage.delete("k")
        assert await storage.get("k") is None

    run(storage_url, scenario)


def test_an_expired_key_is_absent_everywhere(storage_url: str) -> None:
    async def scenario(storage: Storage) -> None:
        await storage.set("long", b"v", ttl=60)
        await storage.set("short", b"v", ttl=0.05)
        version = await storage.compare_and_set("cas", b"v", expected=None, ttl=0.05)
        await eventually_absent(storage, "short")
        await eventually_absent(storage, "cas")
        assert await storage.keys("") == ["long"]
        assert await storage.compare_and_set("cas", b"x", expected=version) is None
        assert await storage.compare_and_set("short", b"new", expected=None) is not None
        assert (await storage.get("long")).value == b"v"  # type: ignore[union-attr]

    run(storage_url, scenario)


def test_writing_without_ttl_clears_an_earlier_expiry(storage_url: str) -> None:
    async def scenario(storage: Storage) -> None:
        version = await storage.set("k", b"v", ttl=0.05)
        await storage.compare_and_set("k", b"w", expected=version)
        await storage.set("other", b"v", ttl=0.05)
        await eventually_absent(storage, "other")
        assert (await storage.get("k")).value == b"w"  # type: ignore[union-attr]

    run(storage_url, scenario)


def test_keys_lists_live_keys_by_literal_prefix(storage_url: str) -> None:
    async def scenario(storage: Storage) -> None:
        for key in ["job:1", "job:2", "job%x", "job_y", "job*z", "job[1]", "jobs", "user:1"]:
            await storage.set(key, b"")
        assert await storage.keys("job:") == ["job:1", "job:2"]
        assert await storage.keys("job%") == ["job%x"]
        assert await storage.keys("job_") == ["job_y"]
        assert await storage.keys("job*") == ["job*z"]
        assert await storage.keys("job[") == ["job[1]"]
        assert await storage.keys("nothing") == []
        assert len(await storage.keys("")) == 8

    run(storage_url, scenario)


def test_bad_keys_and_ttls_are_refused_clearly(storage_url: str) -> None:
    async def scenario(storage: Storage) -> None:
        with pytest.raises(ValueError, match="non-empty strings"):
            await storage.set("", b"v")
        with pytest.raises(ValueError, match="without NUL"):
            await storage.get("a\0b")
        with pytest.raises(ValueError, match="at most 1024"):
            await storage.set("k" * 1025, b"v")
        with pytest.raises(ValueError, match="ttl must be a positive"):
            await storage.set("k", b"v", ttl=0)
        with pytest.raises(ValueError, match="ttl must be a positive"):
            await storage.compare_and_set("k", b"v", expected=None, ttl=-1)
        assert await storage.get("k") is None

    run(storage_url, scenario)


def test_what_is_written_survives_reopening(shared_storage_url: str) -> None:
    version = run(shared_storage_url, lambda storage: storage.set("k", b"kept"))
    assert run(shared_storage_url, lambda storage: storage.get("k")) == Item(b"kept", version)


def test_one_storage_serves_several_event_loops_and_threads(storage_url: str) -> None:
    """A bot's loop, a sync handler's asyncio.run in a thread, a test's own loop: one object."""
    import threading

    storage = open_storage(storage_url)

    def in_a_thread(n: int) -> None:
        asyncio.run(storage.set(f"thread:{n}", str(n).encode()))

    threads = [threading.Thread(target=in_a_thread, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    async def check() -> list[str]:
        found = await storage.keys("thread:")
        await storage.close()
        return found

    assert asyncio.run(check()) == ["thread:0", "thread:1", "thread:2"]


def test_many_concurrent_calls_in_one_loop_each_get_their_own_answer(storage_url: str) -> None:
    """Redis batches concurrent calls into pipelines; every caller must get its own reply."""

    async def scenario(storage: Storage) -> None:
        versions = await asyncio.gather(*(storage.set(f"k{n}", b"%d" % n) for n in range(300)))
        assert len(set(versions)) == 300
        items = await asyncio.gather(*(storage.get(f"k{n}") for n in range(300)))
        assert [item.value for item in items] == [b"%d" % n for n in range(300)]  # type: ignore[union-attr]
        outcomes = await asyncio.gather(
            *(storage.compare_and_set("k0", b"x", expected=items[0].version) for _ in range(20))  # type: ignore[union-attr]
        )
        assert sum(outcome is not None for outcome in outcomes) == 1

    run(storage_url, scenario)


def test_redis_forgetting_our_scripts_is_recovered(redis_server: Any) -> None:
    import redis

    from tests.backends import empty

    empty(redis_server.url)

    async def scenario(storage: Storage) -> None:
        await storage.set("k", b"1")
        with redis.Redis.from_url(redis_server.url) as client:
            client.script_flush()
        versions = await asyncio.gather(storage.set("k", b"2"), storage.set("j", b"3"))
        assert all(versions)
        assert (await storage.get("k")).value == b"2"  # type: ignore[union-attr]

    run(redis_server.url, scenario)


def test_redis_one_refused_command_in_a_batch_leaves_the_others_alone(redis_server: Any) -> None:
    import redis

    from tests.backends import empty

    empty(redis_server.url)
    with redis.Redis.from_url(redis_server.url) as client:
        client.set("telewire:kv:alien", b"a plain string someone else wrote")
        client.client_kill_filter(_type="normal", skipme=True)  # a stale connection, too

    async def scenario(storage: Storage) -> None:
        await storage.set("mine", b"1")
        with redis.Redis.from_url(redis_server.url) as client:
            client.client_kill_filter(_type="normal", skipme=True)  # drop ours while idle
        outcomes = await asyncio.gather(
            storage.get("mine"), storage.get("alien"), storage.set("more", b"2"),
            return_exceptions=True,
        )  # fmt: skip
        assert outcomes[0] == Item(b"1", outcomes[0].version)  # type: ignore[union-attr]
        assert isinstance(outcomes[1], redis.exceptions.ResponseError)
        assert "WRONGTYPE" in str(outcomes[1])
        assert isinstance(outcomes[2], int)

    run(redis_server.url, scenario)


def test_keys_may_be_any_text_and_values_large(storage_url: str) -> None:
    async def scenario(storage: Storage) -> None:
        keys = [
            "user:Ülrich",
            "chat:-100123:名前",
            "emoji:🙂",
            "quote:'\"",
            "space: a b",
            "k" * 1024,
        ]
        for n, key in enumerate(keys):
            await storage.set(key, b"%d" % n)
        assert [(await storage.get(key)).value for key in keys] == [  # type: ignore[union-attr]
            b"%d" % n for n in range(len(keys))
        ]
        assert await storage.keys("emoji:") == ["emoji:🙂"]
        big = bytes(range(256)) * 4096  # 1 MiB
        await storage.set("big", big)
        assert (await storage.get("big")).value == big  # type: ignore[union-attr]

    run(storage_url, scenario)
