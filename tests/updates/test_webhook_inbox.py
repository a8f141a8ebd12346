"""The webhook inbox: acknowledged updates survive kill -9; a flood is refused, not dropped."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from telewire import AsyncBot, Bot, Context, Router, WebhookApp
from telewire.testing import EmulatorHandle, TestUser
from tests.updates.test_webhook import Served, free_port

APP = Path(__file__).with_name("webhook_app.py")
SECRET = "inbox-secret"


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class AppProcess:
    def __init__(self, emulator: EmulatorHandle, port: int, inbox: Path, delay: float) -> None:
        argv = [str(port), str(inbox), emulator.base_url, emulator.token, SECRET, str(delay)]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
        self.process = subprocess.Popen([sys.executable, str(APP), *argv], env=env)
        wait_until(lambda: listening(port) or self.process.poll() is not None, "the app")
        assert self.process.poll() is None, "the webhook app did not start"

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)


@pytest.fixture
def app_processes() -> Iterator[list[AppProcess]]:
    started: list[AppProcess] = []
    yield started
    for app in started:
        if app.process.poll() is None:
            app.kill()


def unfinished(inbox: Path) -> list[tuple[int, str]]:
    """(chat id, text) of every update the inbox holds as not done, read from the file."""
    with sqlite3.connect(inbox) as db:
        rows = db.execute("SELECT body FROM webhook_inbox WHERE done = 0").fetchall()
    messages = [json.loads(row[0])["message"] for row in rows]
    return [(m["chat"]["id"], m["text"]) for m in messages]


def answers(emulator: EmulatorHandle, user: TestUser) -> list[str]:
    return [
        m.text[4:]
        for m in emulator.messages(user.id)
        if m.from_user is not None and m.from_user.is_bot and m.text and m.text[:4] == "ans "
    ]


def test_kill_9_with_200_acknowledged_updates_in_flight_loses_none(
    emulator: EmulatorHandle, tmp_path: Path, app_processes: list[AppProcess]
) -> None:
    inbox, port = tmp_path / "inbox.db", free_port()
    app_processes.append(AppProcess(emulator, port, inbox, delay=1.0))
    bot = Bot(emulator.token, base_url=emulator.base_url)
    bot.set_webhook(url=f"http://127.0.0.1:{port}/", secret_token=SECRET, max_connections=40)
    chats, per_chat = 20, 15
    users = [emulator.user(f"K{c}") for c in range(chats)]
    for i in range(per_chat):
        for user in users:
            emulator.send(user, f"{i:02d}")
    # Every update acknowledged (none pending at "Telegram"), some answered, most in flight.
    wait_until(lambda: bot.get_webhook_info().pending_update_count == 0, "acknowledgements")
    wait_until(lambda: sum(len(answers(emulator, u)) for u in users) >= 2 * chats, "answers")
    app_processes[0].kill()
    in_flight = Counter(unfinished(inbox))
    assert len(in_flight) >= 200, f"only {len(in_flight)} updates were in flight"

    app_processes.append(AppProcess(emulator, port, inbox, delay=0.001))
    wait_until(
        lambda: all(len(set(answers(emulator, u))) == per_chat for u in users), "every answer"
    )
    for user in users:
        got = answers(emulator, user)
        assert sorted(set(got)) == [f"{i:02d}" for i in range(per_chat)], got
        assert got == sorted(got), f"chat {user.id} answered out of order: {got}"
        repeated = [text for text, n in Counter(got).items() if n > 1]
        assert all((user.id, text) in in_flight for text in repeated), (repeated, got)
    assert unfinished(inbox) == []


def test_a_flood_beyond_the_bound_is_refused_with_503_and_retried_none_lost(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    router = Router()
    handled: list[tuple[int, str]] = []

    @router.message()
    async def slow(ctx: Context) -> None:
        await asyncio.sleep(0.02)
        handled.append((ctx.chat_id or 0, ctx.text or ""))
        await ctx.reply(f"ans {ctx.text}")

    app = WebhookApp(
        router,
        bot=AsyncBot(emulator.token, base_url=emulator.base_url),
        secret_token=SECRET,
        inbox=tmp_path / "inbox.db",
        max_queued=8,
    )
    most = [0]
    served = Served(app)
    try:
        bot = Bot(emulator.token, base_url=emulator.base_url)
        bot.set_webhook(url=served.url, secret_token=SECRET)
        users = [emulator.user(f"F{c}") for c in range(10)]
        per_chat = 12
        for i in range(per_chat):
            for user in users:
                emulator.send(user, f"{i:02d}")
                most[0] = max(most[0], app.queued)

        def all_handled() -> bool:
            most[0] = max(most[0], app.queued)
            return len(handled) >= len(users) * per_chat

        wait_until(all_handled, "every update handled")
        info = bot.get_webhook_info()
        assert "503" in (info.last_error_message or ""), info
        assert most[0] <= 8
        assert sorted(handled) == sorted((u.id, f"{i:02d}") for u in users for i in range(per_chat))
        for user in users:
            mine = [text for chat, text in handled if chat == user.id]
            assert mine == sorted(mine)
            wait_until(lambda u=user: len(answers(emulator, u)) == per_chat, "the answers")  # type: ignore[misc]
    finally:
        served.stop()


def test_a_redelivered_update_is_acknowledged_and_not_handled_twice(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    router = Router()
    handled: list[Any] = []

    @router.message()
    async def record(ctx: Context) -> None:
        handled.append(ctx.update.update_id)

    app = WebhookApp(
        router,
        bot=AsyncBot(emulator.token, base_url=emulator.base_url),
        secret_token=SECRET,
        inbox=tmp_path / "inbox.db",
    )
    served = Served(app)
    try:
        body = json.dumps(
            {
                "update_id": 77,
                "message": {
                    "message_id": 1,
                    "date": 1,
                    "chat": {"id": 5, "type": "private"},
                    "text": "x",
                },
            }
        ).encode()
        header = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert served.post(body, header) == 200
        assert served.post(body, header) == 200
        wait_until(lambda: app.queued == 0 and handled == [77], "the update handled")
    finally:
        served.stop()


def test_reply_in_response_is_carried_out_by_the_emulator(emulator: EmulatorHandle) -> None:
    router = Router()
    returned: list[int] = []

    @router.message()
    async def answer(ctx: Context) -> None:
        first = await ctx.reply(f"in the response: {ctx.text}")
        returned.append(first.message_id)
        await ctx.reply("sent by request")  # only the first reply travels in the response

    app = WebhookApp(
        router,
        bot=AsyncBot(emulator.token, base_url=emulator.base_url),
        secret_token=SECRET,
        reply_in_response=True,
    )
    served = Served(app)
    try:
        Bot(emulator.token, base_url=emulator.base_url).set_webhook(
            url=served.url, secret_token=SECRET
        )
        user = emulator.user("Replied")
        emulator.send(user, "hello")
        emulator.wait_for(user.id, lambda m: m.text == "in the response: hello")
        texts = [m.text for m in emulator.bot_messages(user.id)]
        # The method in the response runs after the request ended: after the handler's
        # other calls. Its result never reaches the bot: message_id 0 stands in.
        assert texts == ["sent by request", "in the response: hello"]
        assert returned == [0]
        assert app.queued == 0
    finally:
        served.stop()


def test_the_app_starts_and_acknowledges_without_reaching_the_bot_api(tmp_path: Path) -> None:
    router = Router()
    handled: list[int] = []

    @router.message()
    async def record(ctx: Context) -> None:
        handled.append(ctx.update.update_id)

    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens: any API call would fail
    app = WebhookApp(
        router,
        bot=AsyncBot("123:" + "A" * 35, base_url=nowhere),
        secret_token=SECRET,
        inbox=tmp_path / "inbox.db",
    )
    served = Served(app)
    try:
        assert served.server.started
        update = {
            "update_id": 5,
            "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}},
        }
        header = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        assert served.post(json.dumps(update).encode(), header) == 200
        wait_until(lambda: handled == [5], "the update handled")
    finally:
        served.stop()
