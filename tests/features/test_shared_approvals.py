"""Approvals in a shared storage: the file book's rules (approvers only, once, in time,
signed buttons) hold when the asker and the presses are on different machines, here two
books on two connections to one real redis-server or PostgreSQL (and memory://)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

import telewire
from telewire import AsyncBot, Decision, Router, SharedApprovalBook, approvals_router, open_storage
from telewire.storage import Storage
from telewire.testing import EmulatorHandle, TestUser
from telewire.testing.servers import PostgresServer, RedisServer
from telewire.types import InlineKeyboardMarkup

OWNER, OTHER = 501, 502
ANN = {"id": OWNER, "first_name": "Ann"}


@pytest.fixture(params=["memory", "redis", "postgres"])
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://"
    else:
        server: RedisServer | PostgresServer = request.getfixturevalue(f"{request.param}_server")
        yield server.url


def books(url: str, namespace: str) -> tuple[SharedApprovalBook, SharedApprovalBook]:
    """Two machines' books, each with its own connection (memory:// is one store)."""
    first = open_storage(url)
    second = first if url == "memory://" else open_storage(url)
    return (SharedApprovalBook(first, approvers=[OWNER], namespace=namespace),
            SharedApprovalBook(second, approvers=[OWNER], namespace=namespace))  # fmt: skip


async def close(*storages: Storage) -> None:
    for storage in {id(s): s for s in storages}.values():
        await storage.close()


def data_of(markup: InlineKeyboardMarkup, label: str) -> str:
    return next(
        str(b.callback_data) for row in markup.inline_keyboard for b in row if label in b.text
    )


def test_two_machines_pressing_at_once_decide_once(url: str) -> None:
    async def main() -> None:
        here, there = books(url, f"approvals:{url[:5]}:once:")
        try:
            for _ in range(20):
                request = await here.create("Refund 12.50 of bill #17", 60)
                markup = await there.buttons(request)  # the same key on both machines
                assert markup == await here.buttons(request)
                outcomes = await asyncio.gather(
                    here.press(data_of(markup, "Approve"), ANN),
                    there.press(data_of(markup, "Deny"), {"id": OWNER, "first_name": "Ann"}),
                )
                made = [o.decision for o in outcomes if o is not None and o.decision]
                assert len(made) == 1, outcomes
                loser = next(o for o in outcomes if o is not None and o.decision is None)
                assert loser.alert and loser.answer.startswith("Already decided:")
                assert (await there.decision(request)).status == made[0].status
                assert (await here.decision(request)).by == made[0].by
        finally:
            await close(here.storage, there.storage)

    asyncio.run(main())


def test_only_approvers_in_time_with_signed_buttons(url: str) -> None:
    async def main() -> None:
        here, there = books(url, f"approvals:{url[:5]}:rules:")
        try:
            request = await here.create("Export customer data", 60, note="asked by\nbob")
            approve = data_of(await here.buttons(request), "Approve")
            assert await there.press("not:an:approval", ANN) is None
            forged = approve[:-3] + ("AAA" if not approve.endswith("AAA") else "BBB")
            assert (await there.press(forged, ANN)).answer == "⚠️ This button is not valid."  # type: ignore[union-attr]
            stranger = await there.press(approve, {"id": OTHER, "first_name": "Eve"})
            assert stranger is not None and stranger.answer.startswith("⛔")
            assert (await here.decision(request)).status == "pending"
            late = await there.press(approve, ANN, now=10**10)
            assert late is not None and late.answer.startswith("⌛ Too late")
            assert (await here.decision(request)).status == "expired"
            assert "Expired" in await here.outcome_text(request)
            unknown = approve.replace(request, "0123456789")
            assert (await there.press(unknown, ANN)) is not None
            with pytest.raises(ValueError, match="positive number"):
                await here.create("Deploy", 0)
        finally:
            await close(here.storage, there.storage)

    asyncio.run(main())


def test_ask_async_on_one_machine_hears_a_press_answered_on_another(
    emulator: EmulatorHandle, alice: TestUser, redis_server: RedisServer
) -> None:
    """The bot (one machine) answers the press; the asker (another) sees the decision."""
    namespace = f"approvals:{emulator.token.split(':')[0]}:"
    bots_book = SharedApprovalBook(open_storage(redis_server.url), approvers=[alice.id],
                                   namespace=namespace)  # fmt: skip
    router = Router()
    router.include(approvals_router(bots_book))

    async def ask() -> Decision:
        storage = open_storage(redis_server.url)
        book = SharedApprovalBook(storage, approvers=[alice.id], namespace=namespace)
        try:
            async with AsyncBot(emulator.token, base_url=emulator.base_url) as bot:
                return await telewire.ask_async("Ship v2?", book=book, client=bot, timeout=30)
        finally:
            await storage.close()

    decided: list[Decision] = []
    asking = threading.Thread(target=lambda: decided.append(asyncio.run(ask())), daemon=True)
    with emulator.run(router):
        asking.start()
        asked = emulator.wait_for(alice.id, lambda m: "Ship v2?" in (m.text or ""), timeout=15)
        answer = emulator.press(alice, asked, button="Approve", timeout=10)
        assert answer is not None and answer["text"] == "✅ Approved"
        asking.join(30)
        edited = emulator.wait_for(
            alice.id, lambda m: m.message_id == asked.message_id and "Approved by" in (m.text or "")
        )
    assert edited.reply_markup is None or not edited.reply_markup.inline_keyboard
    assert [d.status for d in decided] == ["approved"]
    assert decided[0].by is not None and decided[0].by.id == alice.id


def test_the_blocking_ask_says_to_use_ask_async() -> None:
    book = SharedApprovalBook(open_storage("memory://"), approvers=[OWNER])
    with pytest.raises(ValueError, match="await ask_async"):
        telewire.ask("Deploy?", book=book)  # type: ignore[arg-type]
