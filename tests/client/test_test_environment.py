"""Telegram's test environment, ``/bot<token>/test/<method>``, by one flag on every face."""

from __future__ import annotations

import asyncio

import pytest

from telewire import AsyncBot, Bot, Context, InputFile, Router, WebhookApp, start_polling
from telewire.testing import EmulatorHandle, TestUser


def test_the_clients_call_the_test_environment(emulator: EmulatorHandle, alice: TestUser) -> None:
    with Bot(emulator.token, base_url=emulator.base_url) as production:
        production.get_me()
    assert emulator.stats()["test_environment"] == 0
    with Bot(emulator.token, base_url=emulator.base_url, test_environment=True) as bot:
        sent = bot.send_document(chat_id=alice.id, document=InputFile(b"test env", filename="t"))
        assert bot.download(sent.document.file_id) == b"test env"  # /file/bot<token>/test/...

    async def call() -> None:
        async with AsyncBot(
            emulator.token, base_url=emulator.base_url, test_environment=True
        ) as bot:
            await bot.get_me()

    asyncio.run(call())
    assert emulator.stats()["test_environment"] == 3  # sendDocument, getFile, getMe


def test_polling_in_the_test_environment(emulator: EmulatorHandle, alice: TestUser) -> None:
    router = Router()

    @router.message()
    async def echo(ctx: Context) -> None:
        await ctx.reply(f"test env: {ctx.text}")

    async def poll() -> None:
        task = asyncio.create_task(
            start_polling(
                router,
                token=emulator.token,
                base_url=emulator.base_url,
                test_environment=True,
                handle_signals=False,
            )
        )
        emulator.send(alice, "ping")
        await asyncio.to_thread(emulator.expect_reply, alice.id)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(poll())
    assert emulator.bot_messages(alice.id)[-1].text == "test env: ping"
    assert emulator.stats()["test_environment"] >= 3  # getMe, getUpdates, sendMessage


def test_webhook_registered_in_the_test_environment(
    emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", emulator.token)
    monkeypatch.setenv("TELEGRAM_API_URL", emulator.base_url)
    app = WebhookApp(Router(), test_environment=True)

    async def register() -> None:
        assert await app.register("http://127.0.0.1:9/hook")
        info = await app.bot.get_webhook_info()
        assert info.url == "http://127.0.0.1:9/hook"
        assert await app.unregister()
        await app.bot.close()

    asyncio.run(register())
    assert emulator.stats()["test_environment"] == 3
