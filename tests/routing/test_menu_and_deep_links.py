"""The commands menu published with setMyCommands, and signed deep links routed by /start."""

from __future__ import annotations

import asyncio

import pytest

from telewire import AsyncBot, Bot, Context, DeepLinks, Router, publish_commands
from telewire.testing import EmulatorHandle


def shop_router() -> Router:
    router = Router()
    admin = Router()

    @router.command("start", description="Start over")
    async def start(ctx: Context) -> None: ...

    @router.command("report", "sales", description={"": "Sales report", "de": "Umsatzbericht"})
    async def report(ctx: Context) -> None: ...

    @router.command("secret")  # no description: not in the menu
    async def secret(ctx: Context) -> None: ...

    @admin.command("stock", description="What is left")
    async def stock(ctx: Context) -> None: ...

    router.include(admin)
    return router


def menu(bot: Bot, language: str = "") -> dict[str, str]:
    options = {"language_code": language} if language else {}
    return {c.command: c.description for c in bot.get_my_commands(**options)}


def test_the_routers_commands_become_the_menu_per_language(bot: Bot) -> None:
    router = shop_router()
    assert publish_commands(bot, router) == 2
    assert menu(bot) == {
        "start": "Start over",
        "report": "Sales report",
        "sales": "Sales report",
        "stock": "What is left",
    }
    assert menu(bot, "de")["report"] == "Umsatzbericht"
    assert menu(bot, "de")["start"] == "Start over"  # the default where no German text


def test_an_async_bot_publishes_the_same(emulator: EmulatorHandle, bot: Bot) -> None:
    async def main() -> int:
        async with AsyncBot(emulator.token, base_url=emulator.base_url) as client:
            return await publish_commands(client, shop_router())

    assert asyncio.run(main()) == 2
    assert "stock" in menu(bot)


@pytest.mark.parametrize(
    ("name", "description", "message"),
    [
        ("sales-report", "x", "1-32 lowercase letters"),
        ("report", "", "must be 1-256 characters, not 0"),
        ("report", {"de": "x" * 257}, r"description \(de\) must be 1-256"),
    ],
)
def test_commands_telegram_would_refuse_are_refused_at_registration(
    name: str, description: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Router().command(name, description=description)  # type: ignore[arg-type]


# -- deep links ----------------------------------------------------------------------------------

SECRET = b"0123456789abcdef0123456789abcdef"


def test_deep_links_are_signed_and_checked() -> None:
    links = DeepLinks(SECRET)
    url = links.link("@shop_bot", "invite-42")
    assert url.startswith("https://t.me/shop_bot?start=invite-42-")
    start = url.split("=", 1)[1]
    assert len(start) <= 64 and links.read(start) == "invite-42"
    assert links.read(start.replace("invite-42", "invite-43")) is None
    assert links.read(start[:-1] + ("A" if start[-1] != "A" else "B")) is None
    assert DeepLinks(b"another secret, sixteen+").read(start) is None
    assert links.read("invite-42") is None and links.read(None) is None
    assert "startgroup=" in links.link("shop_bot", "team", group=True)
    assert "0123" not in repr(links)


def test_any_text_travels_encoded_and_what_does_not_fit_is_refused() -> None:
    encoded = DeepLinks(SECRET, encode=True)
    assert encoded.read(encoded.pack("ünïcode & spaces")) == "ünïcode & spaces"
    with pytest.raises(ValueError, match="encode=True"):
        DeepLinks(SECRET).pack("has spaces")
    with pytest.raises(ValueError, match="room for 47 characters, not 48"):
        DeepLinks(SECRET).pack("x" * 48)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        DeepLinks(b"short")


def test_start_with_a_signed_payload_is_routed(emulator: EmulatorHandle) -> None:
    alice = emulator.user("Alice")  # opens the bot through the link: her first message
    links = DeepLinks(SECRET)
    router = Router()

    @router.command("start", filter=links.filter())
    async def invited(ctx: Context) -> None:
        await ctx.reply(f"welcome, invited by {links.payload(ctx)}")

    @router.command("start")
    async def plain(ctx: Context) -> None:
        await ctx.reply("hello stranger")

    start = links.pack("ref-7")
    with emulator.run(router):
        emulator.send(alice, f"/start {start}")
        assert emulator.expect_reply(alice.id).text == "welcome, invited by ref-7"
        emulator.send(alice, "/start ref-8-" + start.rsplit("-", 1)[1])
        assert emulator.expect_reply(alice.id).text == "hello stranger"
        emulator.send(alice, "/start")
        assert emulator.expect_reply(alice.id).text == "hello stranger"
