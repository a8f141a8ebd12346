"""ctx.user_data / ctx.chat_data against the real emulator and a real SQLite file."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import msgspec
import pytest

from telewire import Context, Remember, Router
from telewire.routing.context import SyncContext
from telewire.routing.data import DataDoesNotFit, merge
from telewire.testing import EmulatorHandle
from tests.backends import BACKENDS, url_for


class Profile(msgspec.Struct):
    visits: int = 0
    names: list[str] = []
    city: str = ""


class Room(msgspec.Struct):
    messages: int = 0


@pytest.fixture
def storage_url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'data.sqlite3'}"


@pytest.fixture(params=BACKENDS)
def any_storage(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return url_for(request.param, request, tmp_path)


def test_user_and_chat_data_are_kept_per_user_and_per_chat(
    emulator: EmulatorHandle, storage_url: str
) -> None:
    router = Router()
    remember = Remember(storage_url, user=Profile, chat=Room)
    router.use(remember)

    @router.command("city")
    def city(ctx: SyncContext) -> None:  # sync handlers see the same objects
        ctx.user_data.city = ctx.args[0]
        ctx.reply("noted")

    @router.command("fail")
    async def fail(ctx: Context) -> None:
        remember.user(ctx).visits += 100
        raise ValueError("boom: nothing of this handler is saved")

    @router.message()
    async def count(ctx: Context) -> None:
        profile, room = remember.user(ctx), remember.chat(ctx)
        profile.visits += 1
        room.messages += 1
        await ctx.reply(f"{profile.visits} {room.messages} {profile.city}")

    alice, bob = emulator.user("Alice"), emulator.user("Bob")
    group = emulator.group("Team", [alice, bob])
    with emulator.run(router):
        a, b = emulator.dialog(alice), emulator.dialog(bob)
        team = emulator.dialog(alice, chat_id=group.id)
        a.send("one").expect("1 1 ", exact=True)
        a.send("/city Oslo").expect("noted")
        a.send("/fail")
        a.send("two").expect("2 2 Oslo", exact=True)
        b.send("one").expect("1 1 ", exact=True)
        team.send("in the group").expect("3 1 Oslo", exact=True)
        emulator.send(bob, "me too", chat_id=group.id)
        team.expect("2 2 ", exact=True)


def test_two_chats_of_one_user_at_once_lose_no_write(
    emulator: EmulatorHandle, any_storage: str
) -> None:
    storage_url = any_storage
    router = Router()
    remember = Remember(storage_url, user=Profile)
    router.use(remember)

    @router.message()
    async def count(ctx: Context) -> None:
        profile = remember.user(ctx)
        profile.visits += 1
        profile.names.append(ctx.text or "")
        await asyncio.sleep(0.01)  # both chats' handlers hold what they read
        if ctx.text == "last":
            await ctx.reply("done")

    alice, bob = emulator.user("Alice"), emulator.user("Bob")
    groups = [emulator.group(f"G{i}", [alice, bob]) for i in range(2)]
    rounds = 15
    with emulator.run(router, concurrency=8):
        for i in range(rounds):
            for group in groups:
                emulator.send(alice, f"{group.title}-{i}", chat_id=group.id)
        for group in groups:
            emulator.send(alice, "last", chat_id=group.id)
            emulator.dialog(alice, chat_id=group.id).expect("done")

    async def stored() -> Profile:
        from telewire.storage import open_storage

        memory = storage_url.startswith("memory")  # only the bot's own object holds it
        storage = remember.storage if memory else open_storage(storage_url)
        bot = emulator.token.split(":")[0]
        item = await storage.get(f"data:{bot}:user:{alice.id}")
        await storage.close()
        assert item is not None
        return msgspec.json.decode(item.value, type=Profile)

    profile = asyncio.run(stored())
    assert profile.visits == 2 * rounds + 2
    assert sorted(profile.names) == sorted(
        [f"G{g}-{i}" for g in range(2) for i in range(rounds)] + ["last", "last"]
    )


def test_merge_keeps_both_sides_changes() -> None:
    base = {"n": 1, "xs": [1], "name": "a", "d": {"k": 1}, "gone": 1}
    mine = {"n": 3, "xs": [1, 2], "name": "a", "d": {"k": 1, "m": 2}, "gone": 1}
    theirs = {"n": 2, "xs": [1, 3], "name": "b", "d": {"k": 5}}
    assert merge(base, mine, theirs) == {
        "n": 4,
        "xs": [1, 3, 2],
        "name": "b",
        "d": {"k": 5, "m": 2},
    }
    assert merge({"s": "x"}, {"s": "y"}, {"s": "z"}) == {"s": "y"}  # both set: the later wins
    assert merge({"b": False}, {"b": True}, {"b": True}) == {"b": True}
    assert merge({"f": 1.5}, {"f": 2.0}, {"f": 1.0}) == {"f": 1.5}


def test_stored_data_of_another_shape_fails_clearly_and_is_kept(
    emulator: EmulatorHandle, storage_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    class Changed(msgspec.Struct):
        visits: str = ""

    router = Router()
    router.use(Remember(storage_url, user=Profile))

    @router.message()
    async def count(ctx: Context) -> None:
        ctx.user_data.visits += 1
        await ctx.reply(f"ok {ctx.user_data.visits}")

    alice = emulator.user("Alice")
    with emulator.run(router):
        emulator.dialog(alice).send("one").expect("ok")
    changed = Router()
    changed.use(Remember(storage_url, user=Changed))

    @changed.message()
    async def nothing(ctx: Context) -> None:
        await ctx.reply("never")

    def failure() -> BaseException | None:
        for record in caplog.records:
            if record.exc_info and isinstance(record.exc_info[1], DataDoesNotFit):
                return record.exc_info[1]
        return None

    with emulator.run(changed):
        emulator.send(alice, "two")
        deadline = time.monotonic() + 10
        while failure() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    error = failure()
    assert error is not None, "the handler should have failed on the stored data"
    assert str(error).startswith("the data at data:") and "does not fit Changed" in str(error)
    assert "$.visits" in str(error)
    with emulator.run(router):
        emulator.dialog(alice).send("three").expect("ok 2", exact=True)
    assert "never" not in emulator.dialog(alice).bot_texts()


def test_remember_refuses_what_it_cannot_keep(storage_url: str) -> None:
    class NoDefaults(msgspec.Struct):
        name: str

    with pytest.raises(TypeError, match="give every field a default"):
        Remember(storage_url, user=NoDefaults)
    with pytest.raises(ValueError, match="needs user=<type> or chat=<type>"):
        Remember(storage_url)  # type: ignore[call-overload]


def test_user_data_without_remember_says_what_to_do(emulator: EmulatorHandle) -> None:
    router = Router()
    errors: list[str] = []

    @router.message()
    async def handler(ctx: Context) -> None:
        try:
            ctx.user_data
        except RuntimeError as exc:
            errors.append(str(exc))
        await ctx.reply("ok")

    with emulator.run(router):
        emulator.dialog(emulator.user()).send("x").expect("ok")
    assert "router.use(Remember(storage, user=<type>))" in errors[0]
