"""The pieces on a real redis-server: partitioning, the ingress's checks and dedup, the
shared flood limiter, leases."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import pytest

from telewire.distributed.flood import SharedFloodLimiter
from telewire.distributed.ingress import IngressApp
from telewire.distributed.layout import Layout
from telewire.distributed.leases import Leases
from telewire.distributed.redis_client import agree_on_partitions, connect
from telewire.testing.servers import RedisServer, free_port


def update(update_id: int, chat_id: int) -> bytes:
    message = {"message_id": update_id, "date": 0, "text": "hi",
               "chat": {"id": chat_id, "type": "private"}}  # fmt: skip
    return msgspec.json.encode({"update_id": update_id, "message": message})


def on_redis(test: Callable[[Any], Awaitable[None]]) -> Callable[[RedisServer], None]:
    """Run an async test with a fresh client on the session's redis-server."""

    def run(redis_server: RedisServer) -> None:
        async def main() -> None:
            client = connect(redis_server.url)
            try:
                await test(client)
            finally:
                await client.aclose()

        asyncio.run(main())

    run.__name__ = test.__name__
    return run


def test_a_chat_has_the_same_partition_in_every_process() -> None:
    code = (
        "import msgspec; from telewire.distributed.layout import Layout; "
        "from telewire.api._generated.types import Update; "
        f"u = msgspec.json.decode({update(1, 123456789)!r}, type=Update); "
        "print(Layout('x', 64).partition_of(u))"
    )
    seen = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env=env, check=True)  # fmt: skip
        seen.add(ran.stdout)
    assert len(seen) == 1


def test_chats_spread_over_the_partitions() -> None:
    layout = Layout("x", 16)
    decode = msgspec.json.Decoder(dict)
    counts = [0] * 16
    for chat in range(1600):
        raw = decode.decode(update(chat, chat + 1000))
        counts[layout.partition_of(msgspec.convert(raw, _update_type()))] += 1
    assert min(counts) > 60 and max(counts) < 140


def _update_type() -> Any:
    from telewire.api._generated.types import Update

    return Update


def test_partition_count_cannot_change() -> None:
    with pytest.raises(ValueError, match="between 1 and 4096"):
        Layout("x", 0)


@on_redis
async def test_partition_count_is_fixed_once_used(client: Any) -> None:
    name = f"fixed:{id(client)}"
    await agree_on_partitions(client, Layout(name, 8))
    with pytest.raises(ValueError, match="set up with 8 partitions, not 16; pass --partitions 8"):
        await agree_on_partitions(client, Layout(name, 16))


async def call(app: Any, body: bytes, *, method: str = "POST", secret: bytes = b"s") -> int:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    headers = [(b"x-telegram-bot-api-secret-token", secret)]
    await app({"type": "http", "method": method, "headers": headers}, receive, send)
    return int(sent[0]["status"])


@on_redis
async def test_ingress_appends_each_update_once_and_refuses_bad_requests(client: Any) -> None:
    layout = Layout(f"ingress:{id(client)}", 4)
    app = IngressApp(client, layout, secret_token="s")
    assert await call(app, update(1, 42)) == 200
    assert await call(app, update(1, 42)) == 200  # Telegram's retry: answered, not appended
    assert await call(app, update(2, 42)) == 200
    stream = layout.stream(layout.partition_of(app.appender.decode(update(1, 42))))
    entries = await client.xrange(stream)
    assert [msgspec.json.decode(fields[b"u"])["update_id"] for _, fields in entries] == [1, 2]
    assert await call(app, update(3, 42), secret=b"wrong") == 403
    assert await call(app, update(3, 42), method="GET") == 405
    assert await call(app, b'{"update_id": "x"}') == 400
    assert await call(app, b"x" * (2 * 1024 * 1024)) == 413
    assert await client.xlen(stream) == 2


def test_ingress_answers_503_when_redis_is_away() -> None:
    async def main() -> None:
        unreachable = connect(f"redis://127.0.0.1:{free_port()}/0")
        app = IngressApp(unreachable, Layout("away", 4), secret_token="s")
        assert await call(app, update(1, 42)) == 503
        assert app.metrics.counters["telewire_ingress_refused_total"] == 1
        await unreachable.aclose()

    asyncio.run(main())


@on_redis
async def test_limiters_share_one_window_and_one_pause(client: Any) -> None:
    layout = Layout(f"flood:{id(client)}", 4)
    first, second = SharedFloodLimiter(client, layout), SharedFloodLimiter(client, layout)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for n in range(30):  # 30 chats, alternating limiters: one window of 30 overall
        limiter = first if n % 2 else second
        await limiter.sent(n, await limiter.admit(n))
    assert loop.time() - started < 0.5
    await second.sent(99, await second.admit(99))  # the 31st waits for the window
    assert loop.time() - started >= 1.0
    await first.pause(0.5)  # a 429 seen by one...
    paused = loop.time()
    await second.sent(100, await second.admit(100))  # ...slows the other
    assert loop.time() - paused >= 0.45


@on_redis
async def test_a_lease_is_held_by_one_until_it_expires_or_is_given_back(client: Any) -> None:
    one, two = Leases(client, "one", 300), Leases(client, "two", 300)
    await client.delete("lease")
    assert await one.take("lease")
    assert not await two.take("lease")
    assert not await two.renew("lease")
    await two.give_back("lease")  # not two's to give: nothing happens
    assert await one.renew("lease")
    await asyncio.sleep(0.4)
    assert await two.take("lease")
    assert not await one.renew("lease")
    await two.give_back("lease")
    assert await one.take("lease")


@on_redis
async def test_the_pump_appends_a_batch_once_and_only_while_it_leads(client: Any) -> None:
    from telewire.distributed.appender import Appender

    layout = Layout(f"batch:{id(client)}", 4)
    appender = Appender(client, layout)
    lease, offset = layout.pump_lease, layout.pump_offset
    await client.set(lease, "pump-1", px=300)
    options = {"lease": lease, "holder": "pump-1", "lease_ms": 5000, "offset": offset}
    first = [update(1, 42), update(2, 42), update(3, 43)]
    assert await appender.append_batch(first, **options) == (3, 4)
    assert int(await client.get(offset)) == 4
    assert await client.pttl(lease) > 1000  # renewed in the same step
    # A replay (the pump died before Telegram heard the offset) adds only what is new.
    assert await appender.append_batch([update(2, 42), update(3, 43), update(4, 42)],
                                       **options) == (1, 5)  # fmt: skip
    stream = layout.stream(layout.partition_of(appender.decode(update(1, 42))))
    entries = await client.xrange(stream)
    assert [msgspec.json.decode(fields[b"u"])["update_id"] for _, fields in entries] == [1, 2, 4]
    assert entries[0][1][b"u"] == update(1, 42)  # the bytes as they came
    # Another pump took over: nothing is appended, the offset is left alone.
    await client.set(lease, "pump-2", px=5000)
    assert await appender.append_batch([update(5, 42)], **options) is None
    assert await client.xlen(stream) == 3
    assert int(await client.get(offset)) == 5
    assert await client.get(layout.seen(5)) is None


@on_redis
async def test_a_worker_acknowledges_and_deletes_many_entries_per_stream(client: Any) -> None:
    from telewire.client.async_bot import AsyncBot
    from telewire.distributed.layout import GROUP
    from telewire.distributed.worker import Worker
    from telewire.routing.router import Router

    layout = Layout(f"acks:{id(client)}", 4)
    bot = AsyncBot("123:" + "A" * 35, base_url="http://127.0.0.1:9")
    worker = Worker(client, layout, Router(), bot)
    counts = {0: 1203, 2: 3, 3: 500}  # past the script's 500 ids per XACK, and exactly it
    for partition, count in counts.items():
        stream = layout.stream(partition)
        await client.xgroup_create(stream, GROUP, id="0", mkstream=True)
        for n in range(count):
            await client.xadd(stream, {"u": b"%d" % n})
        read = await client.xreadgroup(GROUP, "w", {stream: ">"}, count=count)
        worker._acks += [(partition, entry_id) for entry_id, _ in read[0][1]]
        worker.in_flight[partition] = count
    await client.xadd(layout.stream(2), {"u": b"unread"})  # still waiting: kept
    await worker._flush_acks()
    assert worker.in_flight == {0: 0, 2: 0, 3: 0}
    assert [await client.xlen(layout.stream(p)) for p in range(4)] == [0, 0, 1, 0]
    for partition in counts:
        assert (await client.xpending(layout.stream(partition), GROUP))["pending"] == 0
    await bot.close()


@on_redis
async def test_a_worker_holds_no_more_than_max_in_flight_entries(client: Any) -> None:
    """XREADGROUP's COUNT is per stream: reading 10 from each of 4 streams would put 40 in
    hand, and a crash repeats whatever is in hand."""
    for room in (10, 3):  # more than the 4 streams, and fewer
        await _hold_at_most(client, Layout(f"room:{id(client)}:{room}", 4), room)


async def _hold_at_most(client: Any, layout: Layout, room: int) -> None:
    from telewire.api._generated.types import Update
    from telewire.client.async_bot import AsyncBot
    from telewire.core import typed
    from telewire.distributed.layout import GROUP
    from telewire.distributed.worker import Worker
    from telewire.routing.router import Router
    from telewire.updates.dispatcher import Dispatcher

    router = Router()
    never = asyncio.Event()

    @router.message()
    async def stuck(ctx: Any) -> None:
        await never.wait()

    bot = AsyncBot("123:" + "A" * 35, base_url="http://127.0.0.1:9")
    worker = Worker(client, layout, router, bot, max_in_flight=room)
    worker._decoder = typed.decoder(Update)
    worker._dispatcher = Dispatcher(router, bot, on_finished=worker._finished)
    for partition in range(4):
        stream = layout.stream(partition)
        await client.xgroup_create(stream, GROUP, id="0", mkstream=True)
        for n in range(20):
            await client.xadd(stream, {"u": update(partition * 100 + n + 1, partition * 100 + n)})
    worker.owned = worker.reading = {0, 1, 2, 3}
    worker._leases_valid_until = asyncio.get_running_loop().time() + 60
    reading = asyncio.create_task(worker._read_forever())
    await asyncio.sleep(0.5)
    pending = sum([(await client.xpending(layout.stream(p), GROUP))["pending"] for p in range(4)])
    assert worker.busy == pending == room
    worker._stopping.set()
    never.set()
    await reading
    await bot.close()
