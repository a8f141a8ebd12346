"""The router with real updates from the emulator: every kind of route, filters, middlewares."""

from __future__ import annotations

import threading

import pytest

from telewire import Context, F, NetworkError, RetryPolicy, Router
from telewire.routing.context import SyncContext
from telewire.routing.middleware import owner_only
from telewire.testing import EmulatorHandle


def test_commands_texts_and_fallbacks(emulator: EmulatorHandle) -> None:
    router = Router()

    @router.command("start", "help")
    async def start(ctx: Context) -> None:
        await ctx.reply(f"start args={ctx.args}")

    @router.text("hello", ignore_case=True)
    async def hello(ctx: Context) -> None:
        await ctx.reply("hey")

    @router.text(pattern=r"^order (\d+)$")
    async def order(ctx: Context) -> None:
        assert ctx.match is not None
        await ctx.reply(f"order #{ctx.match.group(1)}")

    @router.text(contains="price", ignore_case=True)
    async def price(ctx: Context) -> None:
        await ctx.reply("prices are fair")

    @router.message(F.photo)
    async def photo(ctx: Context) -> None:
        await ctx.reply("nice photo")

    @router.message()
    async def other(ctx: Context) -> None:
        await ctx.reply("fallback")

    me = emulator.user("Router")
    cases = [
        ("/start", "start args=[]"),
        ("/help me now", "start args=['me', 'now']"),
        ("/START@emulated_" + emulator.token.split(":")[0] + "_bot x", "start args=['x']"),
        ("/start@some_other_bot", "fallback"),
        ("  HeLLo ", "hey"),
        ("hello there", "fallback"),
        ("order 42", "order #42"),
        ("what PRICE?", "prices are fair"),
    ]
    with emulator.run(router):
        for text, expected in cases:
            emulator.send(me, text)
            assert emulator.expect_reply(me.id).text == expected, text
        emulator.send_photo(me, b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
        assert emulator.expect_reply(me.id).text == "nice photo"


def test_callbacks_by_data_prefix_and_pattern(emulator: EmulatorHandle) -> None:
    from telewire import InlineKeyboard

    router = Router()

    @router.command("menu")
    async def menu(ctx: Context) -> None:
        keyboard = (
            InlineKeyboard()
            .button("Exact", "exact")
            .button("Pref", "vote:7")
            .row()
            .button("Pat", "item-99")
            .button("Nobody routes this", "unrouted")
        )
        await ctx.reply("menu", reply_markup=keyboard.markup())

    @router.callback("exact")
    async def exact(ctx: Context) -> None:
        await ctx.answer("exact!")

    @router.callback(prefix="vote:")
    async def vote(ctx: Context) -> None:
        await ctx.answer(f"voted {ctx.callback_data}")
        await ctx.edit("thanks for voting")

    @router.callback(pattern=r"item-(\d+)")
    async def item(ctx: Context) -> None:
        assert ctx.match is not None
        await ctx.answer(f"item {ctx.match.group(1)}", show_alert=True)

    user = emulator.user("Clicker")
    with emulator.run(router):
        emulator.send(user, "/menu")
        menu_message = emulator.expect_reply(user.id)
        assert emulator.press(user, menu_message, "exact") == {
            "text": "exact!",
            "show_alert": False,
        }
        assert emulator.press(user, menu_message, "item-99") == {
            "text": "item 99",
            "show_alert": True,
        }
        assert emulator.press(user, menu_message, "unrouted", timeout=0.5) is None
        assert emulator.press(user, menu_message, "vote:7") == {
            "text": "voted vote:7",
            "show_alert": False,
        }
        emulator.wait_for(user.id, lambda m: m.text == "thanks for voting")


def test_sync_handlers_run_in_threads_with_a_blocking_context(emulator: EmulatorHandle) -> None:
    router = Router()
    seen: list[tuple[str, bool]] = []

    @router.message()
    def blocking(ctx: SyncContext) -> None:
        seen.append((threading.current_thread().name, isinstance(ctx, SyncContext)))
        ctx.reply(f"sync {ctx.text}")

    user = emulator.user("Sync")
    with emulator.run(router):
        emulator.send(user, "one")
        assert emulator.expect_reply(user.id).text == "sync one"
    assert seen and seen[0][0].startswith("telewire-handler") and seen[0][1]


def test_filters_combine_with_and_or_not(emulator: EmulatorHandle) -> None:
    router = Router()
    boss, guest = emulator.user("Boss"), emulator.user("Guest")
    group = emulator.group("Office", [boss, guest])

    @router.message(F.private & F.from_users(boss.id))
    async def boss_private(ctx: Context) -> None:
        await ctx.reply("yes boss")

    @router.message(F.group & ~F.from_users(boss.id))
    async def group_guest(ctx: Context) -> None:
        await ctx.reply("hello guest")

    @router.message(F.chats(group.id) | F.private)
    async def rest(ctx: Context) -> None:
        await ctx.reply("rest")

    with emulator.run(router):
        emulator.send(boss, "hi")
        assert emulator.expect_reply(boss.id).text == "yes boss"
        emulator.send(guest, "hi")
        assert emulator.expect_reply(guest.id).text == "rest"
        emulator.send(guest, "hi all", chat_id=group.id)
        assert emulator.expect_reply(group.id).text == "hello guest"
        emulator.send(boss, "hi all", chat_id=group.id)
        assert emulator.expect_reply(group.id).text == "rest"


def test_owner_only_middleware_errors_and_nested_routers(emulator: EmulatorHandle) -> None:
    owner, stranger = emulator.user("Owner"), emulator.user("Stranger")
    root = Router("root")
    root.use(owner_only([owner.id]))
    admin = root.include(Router("admin"))
    failures: list[str] = []

    @admin.command("boom")
    async def boom(ctx: Context) -> None:
        raise RuntimeError("kaboom")

    @admin.error
    async def on_error(ctx: Context, exc: BaseException) -> None:
        failures.append(str(exc))
        await ctx.reply("something went wrong, sorry")

    @admin.message()
    async def echo(ctx: Context) -> None:
        await ctx.reply(f"owner said {ctx.text}")

    order: list[str] = []

    async def outer(ctx: Context, call_next):  # type: ignore[no-untyped-def]
        order.append("before")
        result = await call_next()
        order.append("after")
        return result

    root.use(outer)
    with emulator.run(root):
        emulator.send(owner, "hi")
        assert emulator.expect_reply(owner.id).text == "owner said hi"
        emulator.send(stranger, "let me in")
        assert emulator.expect_reply(stranger.id).text == "Sorry, this bot only serves its owner."
        emulator.send(owner, "/boom")
        assert emulator.expect_reply(owner.id).text == "something went wrong, sorry"
    assert failures == ["kaboom"]
    assert order[:2] == ["before", "after"]


def test_any_update_kind_can_be_routed(emulator: EmulatorHandle) -> None:
    router = Router()
    joined: list[int] = []

    @router.on("my_chat_member")
    async def added(ctx: Context) -> None:
        joined.append(ctx.chat_id or 0)
        await ctx.bot.send_message(chat_id=ctx.chat_id, text="thanks for adding me")

    owner = emulator.user("Owner")
    with emulator.run(router):
        group = emulator.group("New group", [owner])
        assert emulator.expect_reply(group.id, after=0).text == "thanks for adding me"
    assert joined == [group.id]


def test_a_failing_handler_does_not_stop_the_bot(emulator: EmulatorHandle) -> None:
    router = Router()

    @router.message()
    async def flaky(ctx: Context) -> None:
        if ctx.text == "fail":
            raise ValueError("handler bug")
        await ctx.reply("fine")

    user = emulator.user("U")
    with emulator.run(router):
        emulator.send(user, "fail")
        emulator.send(user, "after")
        assert emulator.expect_reply(user.id).text == "fine"


def test_error_handlers_are_chosen_by_type_and_never_take_transient_errors(
    emulator: EmulatorHandle,
) -> None:
    router = Router()
    seen: list[str] = []
    runs = 0

    @router.command("key")
    async def key(ctx: Context) -> None:
        raise KeyError("k")

    @router.command("value")
    async def value(ctx: Context) -> None:
        raise ValueError("v")

    @router.command("outage")
    async def outage(ctx: Context) -> None:
        nonlocal runs
        runs += 1
        if runs == 1:  # Telegram unreachable the first time: must be retried, not swallowed
            raise NetworkError("unreachable", sent=False)
        await ctx.reply("sent after the outage")

    @router.error(LookupError)
    async def lookups(ctx: Context, exc: BaseException) -> None:
        seen.append(f"lookup {type(exc).__name__}")

    @router.error
    async def anything(ctx: Context, exc: BaseException) -> None:
        seen.append(f"any {type(exc).__name__}")

    with pytest.raises(ValueError, match="transient"):
        router.error(NetworkError)
    user = emulator.user("Typed")
    with emulator.run(router, reruns=RetryPolicy(attempts=3, backoff=0.01)):
        for text in ("/key", "/value", "/outage"):
            emulator.send(user, text)
        emulator.wait_for(user.id, lambda m: m.text == "sent after the outage")
    assert seen == ["lookup KeyError", "any ValueError"]
    assert runs == 2


def test_a_route_whose_filter_fails_leaves_no_args_or_match_behind(
    emulator: EmulatorHandle,
) -> None:
    router = Router()

    @router.command("go", filter=lambda ctx: False)
    async def never(ctx: Context) -> None:
        raise AssertionError("filtered out")

    @router.text(pattern=r"(\d+)", filter=lambda ctx: ctx.match is not None and False)
    async def never_either(ctx: Context) -> None:
        raise AssertionError("filtered out")

    @router.command("one", filter=lambda ctx: len(ctx.args) == 1)  # filters see what was found
    async def one(ctx: Context) -> None:
        await ctx.reply(f"one {ctx.args}")

    @router.message()
    async def rest(ctx: Context) -> None:
        await ctx.reply(f"args={ctx.args} match={ctx.match}")

    user = emulator.user("Clean")
    with emulator.run(router):
        emulator.send(user, "/go 42")
        assert emulator.expect_reply(user.id).text == "args=[] match=None"
        emulator.send(user, "/one a")
        assert emulator.expect_reply(user.id).text == "one ['a']"
        emulator.send(user, "/one a b")
        assert emulator.expect_reply(user.id).text == "args=[] match=None"


def test_an_inline_query_has_a_user_but_no_chat_so_reply_fails_clearly(
    emulator: EmulatorHandle,
) -> None:
    import asyncio

    from telewire import AsyncBot
    from telewire.core import typed
    from telewire.types import Update
    from telewire.updates.dispatcher import PARKED, Dispatcher

    update = typed.decode(
        b'{"update_id": 7, "inline_query": {"id": "q1", "query": "cats", "offset": "",'
        b' "from": {"id": 4242, "is_bot": false, "first_name": "Ina"}}}',
        Update,
    )
    router = Router()
    seen: list[tuple[int | None, int | None]] = []

    @router.on("inline_query")
    async def answer(ctx: Context) -> None:
        seen.append((ctx.chat_id, ctx.user_id))
        await ctx.reply("this must not become a private message")

    async def main() -> str:
        async with AsyncBot(emulator.token, base_url=emulator.base_url) as bot:
            dispatcher = Dispatcher(router, bot)
            outcome = await dispatcher.handle(update)
            [parked] = dispatcher.parked.listing()
            assert "no chat to reply to" in parked.error and "ctx.user_id" in parked.error
            return outcome

    assert asyncio.run(main()) == PARKED
    assert seen == [(None, 4242)]
    from telewire.testing.handle import ControlError

    with pytest.raises(ControlError, match="chat not found"):  # nothing was sent to the user
        emulator.messages(4242)
