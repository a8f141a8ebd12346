"""The webhook ASGI app under uvicorn, fed by the emulator's webhook delivery."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from telewire import Bot, Context, Router, WebhookApp
from telewire.testing import EmulatorHandle


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    def __init__(self, app: WebhookApp) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(self.url, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def served(
    emulator: EmulatorHandle, tmp_path: Path
) -> Iterator[tuple[Served, WebhookApp, dict[int, list[str]]]]:
    router = Router()
    seen: dict[int, list[str]] = defaultdict(list)

    @router.message()
    async def echo(ctx: Context) -> None:
        await asyncio.sleep(0.001)
        seen[ctx.chat_id or 0].append(ctx.text or "")
        await ctx.reply(f"hook: {ctx.text}")

    from telewire import AsyncBot

    app = WebhookApp(
        router,
        bot=AsyncBot(emulator.token, base_url=emulator.base_url),
        secret_token="s3cret",
        inbox=tmp_path / "inbox.db",
    )
    server = Served(app)
    yield server, app, seen
    server.stop()


UPDATE = {
    "update_id": 1,
    "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}, "text": "x"},
}


def test_wrong_or_missing_secret_is_403(served: Any) -> None:
    server, _, seen = served
    body = json.dumps(UPDATE).encode()
    assert server.post(body, {"Content-Type": "application/json"}) == 403
    assert server.post(body, {"X-Telegram-Bot-Api-Secret-Token": "guess"}) == 403
    assert seen == {}


def test_bodies_that_are_not_updates_are_400(served: Any) -> None:
    server, _, _ = served
    secret = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
    assert server.post(b"not json", secret) == 400
    assert server.post(json.dumps({"update_id": "one"}).encode(), secret) == 400
    assert server.post(json.dumps(UPDATE).encode(), secret) == 200


@pytest.mark.parametrize(
    "body",
    [
        b'{"update_id": 1, "message": {"text": "\xff"}}',
        b'{"update_id": 1, "unknown": "\xc3\x28"}',  # a field msgspec would skip unread
        b'{"update_id": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b"[1, 2]",
    ],
    ids=["bad-utf8", "bad-utf8-unknown-field", "deep", "array"],
)
def test_a_body_that_is_no_update_gets_400_and_one_warning_line(
    served: Any, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    server, _, seen = served
    with caplog.at_level(logging.WARNING):
        assert server.post(body, {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}) == 400
    assert seen == {}
    warnings = [r for r in caplog.records if r.name == "telewire.webhook"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert "not a Telegram Update" in warnings[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_updates_from_the_emulator_are_routed_in_order(
    served: Any, emulator: EmulatorHandle
) -> None:
    server, app, seen = served
    Bot(emulator.token, base_url=emulator.base_url).set_webhook(
        url=server.url, secret_token=app.secret_token
    )
    users = [emulator.user(f"W{c}") for c in range(10)]
    for i in range(10):
        for user in users:
            emulator.send(user, str(i))
    deadline = time.monotonic() + 20
    while sum(map(len, seen.values())) < 100 and time.monotonic() < deadline:
        time.sleep(0.05)
    for user in users:
        assert seen[user.id] == [str(i) for i in range(10)]
    emulator.wait_for(users[0].id, lambda m: m.text == "hook: 9")


def test_register_points_the_bot_at_the_app(served: Any, emulator: EmulatorHandle) -> None:
    import asyncio

    from telewire import AsyncBot

    server, app, seen = served

    async def register() -> None:
        async with AsyncBot(emulator.token, base_url=emulator.base_url) as bot:
            other = WebhookApp(app.router, bot=bot, secret_token=app.secret_token)
            assert await other.register(server.url, max_connections=5)
            info = await bot.get_webhook_info()
            assert (info.url, info.max_connections) == (server.url, 5)

    asyncio.run(register())
    user = emulator.user("Hooked")
    emulator.send(user, "via register")
    assert emulator.expect_reply(user.id).text == "hook: via register"
    assert seen[user.id] == ["via register"]
