"""Dialogs against the real emulator: questions, answers, buttons, media, leaving, timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from telewire import Context, Router
from telewire.dialogs import Dialog, Dialogs, InvalidAnswer, Media
from telewire.testing import EmulatorHandle

if TYPE_CHECKING:
    from telewire.jobs import FakeClock, Scheduler


def order_bot(storage: str, **options: object) -> tuple[Router, Dialogs]:
    router = Router()
    dialogs = Dialogs(router, storage)

    @dialogs.dialog(command="order", **options)  # type: ignore[arg-type]
    async def order(d: Dialog) -> None:
        item = await d.ask("What item?")
        count = await d.ask("How many?", parse=int, invalid="Please send a whole number.")
        if await d.confirm(f"{count} x {item}?"):
            await d.reply(f"Ordered {count} x {item}.")
        else:
            await d.reply("Never mind.")

    @router.command("help")
    async def help(ctx: Context) -> None:
        await ctx.reply("help text")

    @router.message(lambda ctx: not (ctx.text or "").startswith("/"))
    async def fallback(ctx: Context) -> None:
        await ctx.reply(f"outside: {ctx.text}")

    return router, dialogs


def test_a_whole_dialog_with_a_re_ask_and_buttons(
    emulator: EmulatorHandle, any_storage: str, quiet: None
) -> None:
    router, _ = order_bot(any_storage)
    alice = emulator.user("Alice")
    talk = emulator.dialog(alice)
    with emulator.run(router):
        talk.send("/order").expect("What item?", exact=True)
        talk.send("tea").expect("How many?", exact=True)
        talk.send("two").expect("Please send a whole number.\nHow many?", exact=True)
        talk.send("2").expect("2 x tea?", buttons=["Yes", "No"])
        talk.press("Yes").expect("Ordered 2 x tea.", exact=True)
        talk.send("hello").expect("outside: hello", exact=True)
    assert talk.questions() == [
        "What item?",
        "How many?",
        "How many?",
        "2 x tea?",
        "Ordered 2 x tea.",
        "outside: hello",
    ]
    assert "2 x tea?\n» Yes" in talk.bot_texts()


def test_cancel_and_other_commands_leave_the_dialog(
    emulator: EmulatorHandle, storage_url: str
) -> None:
    router, _ = order_bot(storage_url)
    alice = emulator.user("Alice")
    talk = emulator.dialog(alice)
    with emulator.run(router):
        talk.send("/cancel").expect("There is nothing to cancel.", exact=True)
        talk.send("/order").expect("What item?")
        talk.send("/cancel").expect("Cancelled.", exact=True)
        talk.send("tea").expect("outside: tea", exact=True)
        talk.send("/order").expect("What item?")
        talk.send("coffee").expect("How many?")
        talk.send("/help").expect("help text", exact=True)  # another route: the dialog ends
        talk.send("3").expect("outside: 3", exact=True)
        talk.send("/order").expect("What item?")
        talk.send("/order").expect("What item?")  # starting again replaces it
        talk.send("/nosuchcommand").expect("How many?")  # no route took it: an answer
        talk.send("1").expect("1 x /nosuchcommand?")


def test_a_button_of_an_answered_or_ended_question_is_refused(
    emulator: EmulatorHandle, storage_url: str
) -> None:
    router, _ = order_bot(storage_url)
    alice = emulator.user("Alice")
    talk = emulator.dialog(alice)
    with emulator.run(router):
        talk.send("/order").expect("What item?")
        talk.send("tea").expect("How many?")
        talk.send("1").expect("1 x tea?")
        question = talk.last
        talk.send("yes").expect("Ordered 1 x tea.")  # a typed label answers a choice too
        assert question is not None
        answer = emulator.press(alice, question, button="No")
        assert answer is not None and answer["text"] == "This question is closed."
        talk.send("/order").expect("What item?")
        talk.send("tea").expect("How many?")
        talk.send("5").expect("5 x tea?")
        answer = emulator.press(alice, question, button="No")  # a button of an earlier run
        assert answer is not None and answer["text"] == "This question was answered already."
        talk.send("maybe").expect("Please choose one of the buttons.\n5 x tea?")
        talk.press("No").expect("Never mind.")


def test_parse_errors_choices_and_media_answers(emulator: EmulatorHandle, storage_url: str) -> None:
    router = Router()
    dialogs = Dialogs(router, storage_url)

    def age(text: str) -> int:
        value = int(text)
        if not 0 < value < 150:
            raise InvalidAnswer("An age between 1 and 149, please.")
        return value

    @dialogs.dialog(command="profile")
    async def profile(d: Dialog) -> None:
        years = await d.ask("How old are you?", parse=age)
        colour = await d.choose("Favourite colour?", {"Red": "#f00", "Blue": "#00f"}, columns=2)
        photo = await d.ask_photo("Send a photo of you.")
        document = await d.ask_media("And your CV?", kinds=("document",))
        assert isinstance(photo, Media) and isinstance(document, Media)
        await d.reply(
            f"{years} {colour} {photo.kind} {photo.caption} {document.file_name} "
            f"{document.mime_type} args={d.args}"
        )

    alice = emulator.user("Alice")
    talk = emulator.dialog(alice)
    with emulator.run(router):
        talk.send("/profile now").expect("How old are you?")
        talk.send("200").expect("An age between 1 and 149, please.\nHow old are you?")
        talk.send("x").expect("Sorry, I cannot use that answer.\nHow old are you?")
        talk.send_photo().expect("Please answer with text.\nHow old are you?")
        talk.send("33").expect("Favourite colour?", buttons=["Red", "Blue"])
        talk.press("Blue").expect("Send a photo of you.")
        talk.send("here").expect("Please send a photo.\nSend a photo of you.")
        talk.send_photo(caption="me").expect("And your CV?")
        talk.send_photo().expect("Please send a document.")
        talk.send_document(b"%PDF-1.4", filename="cv.pdf").expect("33 #00f photo me cv.pdf")
    assert "args=['now']" in talk.bot_texts()[-1]


def deadline_of(storage_url: str) -> float:
    """The deadline of the one dialog waiting in ``storage_url``."""
    import asyncio

    from telewire.dialogs.state import decode
    from telewire.storage import open_storage

    async def read() -> float:
        storage = open_storage(storage_url)
        try:
            (key,) = await storage.keys("dialog:")
            item = await storage.get(key)
            assert item is not None
            state = decode(item.value)
            assert state is not None and state.deadline is not None
            return state.deadline
        finally:
            await storage.close()

    return asyncio.run(read())


def test_a_silent_dialog_times_out_with_a_message(
    emulator: EmulatorHandle, storage_url: str, quiet: None
) -> None:
    router, _ = order_bot(storage_url, timeout=1.5)
    alice = emulator.user("Alice")
    talk = emulator.dialog(alice)
    timed_out = "This conversation timed out. Send /order to start again."
    with emulator.run(router):
        talk.send("/order").expect("What item?")
        talk.send("tea").expect("How many?")  # an answer moves the deadline on
        talk.expect(timed_out, exact=True, timeout=10)
        talk.send("2").expect("outside: 2", exact=True)
    assert talk.bot_texts().count(timed_out) == 1


def test_a_dialog_that_timed_out_while_the_bot_was_down_ends_on_the_next_message(
    emulator: EmulatorHandle, shared_storage: str
) -> None:
    import time

    first, _ = order_bot(shared_storage, timeout=3)
    alice = emulator.user("Alice")
    talk = emulator.dialog(alice)
    with emulator.run(first):
        talk.send("/order").expect("What item?")
    deadline = deadline_of(shared_storage)
    while time.time() <= deadline:  # the fact waited on: the deadline has passed
        time.sleep(0.05)
    second, _ = order_bot(shared_storage, timeout=3)
    with emulator.run(second):
        talk.send("tea").expect("This conversation timed out.")
        talk.expect("outside: tea", exact=True)


def test_scopes_user_in_chat_chat_and_user(
    emulator: EmulatorHandle, storage_url: str, quiet: None
) -> None:
    router = Router()
    dialogs = Dialogs(router, storage_url)

    @dialogs.dialog(command="mine")
    async def mine(d: Dialog) -> None:
        await d.reply(f"mine: {await d.ask('Yours?')} from {d.user_id}")

    @dialogs.dialog(command="ours", scope="chat")
    async def ours(d: Dialog) -> None:
        await d.reply(f"ours: {await d.ask('Anyone?')} from {d.user_id}")

    @dialogs.dialog(command="me", scope="user")
    async def me(d: Dialog) -> None:
        first = await d.ask("First?")
        await d.reply(f"me: {first}, {await d.ask('Second?')}")

    @router.message()
    async def fallback(ctx: Context) -> None:
        await ctx.reply(f"outside: {ctx.text} from {ctx.user_id}")

    alice, bob = emulator.user("Alice"), emulator.user("Bob")
    emulator.send(alice, "hi"), emulator.send(bob, "hi")
    group = emulator.group("Team", [alice, bob])
    in_group = emulator.dialog(alice, chat_id=group.id)
    with emulator.run(router):
        in_group.send("hello").expect("outside: hello")
        in_group.send("/mine").expect("Yours?")
        emulator.send(bob, "not for you", chat_id=group.id)
        in_group.expect(f"outside: not for you from {bob.id}", exact=True)
        in_group.send("blue").expect(f"mine: blue from {alice.id}", exact=True)

        in_group.send("/ours").expect("Anyone?")
        emulator.send(bob, "me!", chat_id=group.id)
        in_group.expect(f"ours: me! from {bob.id}", exact=True)

        in_group.send("/me").expect("First?")
        privately = emulator.dialog(alice)
        privately.send("one").expect("Second?")  # the dialog follows Alice, not the chat
        emulator.send(bob, "two?", chat_id=group.id)
        in_group.expect(f"outside: two? from {bob.id}", exact=True)
        in_group.send("two").expect("me: one, two", exact=True)


def test_once_runs_its_action_once_however_often_the_dialog_replays(
    emulator: EmulatorHandle, storage_url: str
) -> None:
    router = Router()
    dialogs = Dialogs(router, storage_url)
    calls: list[str] = []

    async def reserve() -> int:
        calls.append("reserve")
        return 42

    @dialogs.dialog(command="book")
    async def book(d: Dialog) -> None:
        calls.append("run")
        name = await d.ask("Name?")
        ticket = await d.once(reserve)
        when = await d.ask(f"Ticket {ticket}: when?")
        seat = await d.ask("Seat?")
        await d.reply(f"{name} {ticket} {when} {seat} replaying={d.replaying}")

    alice = emulator.user("Alice")
    talk = emulator.dialog(alice)
    with emulator.run(router):
        talk.send("/book").expect("Name?")
        talk.send("Al").expect("Ticket 42: when?")
        talk.send("noon").expect("Seat?")
        talk.send("7").expect("Al 42 noon 7 replaying=False", exact=True)
    assert calls.count("reserve") == 1
    assert calls.count("run") == 4


def test_a_changed_dialog_restarts_dialogs_in_progress_with_a_message(
    emulator: EmulatorHandle, shared_storage: str, quiet: None
) -> None:
    first, _ = order_bot(shared_storage)
    alice, bob = emulator.user("Alice"), emulator.user("Bob")
    talk, other = emulator.dialog(alice), emulator.dialog(bob)
    with emulator.run(first):
        talk.send("/order").expect("What item?")
        talk.send("tea").expect("How many?")
        other.send("/order").expect("What item?")

    router = Router()
    dialogs = Dialogs(router, shared_storage)

    @dialogs.dialog(command="order")
    async def order(d: Dialog) -> None:  # a new version: a size comes first
        size = await d.choose("Which size?", ["S", "L"])
        item = await d.ask("What item?")
        await d.reply(f"{size} {item}")

    with emulator.run(router):
        talk.send("2").expect("this bot was updated while we were talking; let's start again")
        talk.expect("Which size?", buttons=["S", "L"])
        talk.press("L").expect("What item?")
        talk.send("tea").expect("L tea", exact=True)
        other.send("coffee").expect("let's start again")
        other.expect("Which size?")


def test_a_changed_dialog_with_the_same_version_restarts_when_its_answers_do_not_fit(
    emulator: EmulatorHandle, storage_url: str
) -> None:
    def bot(second_question: str, as_choice: bool) -> Router:
        router = Router()
        dialogs = Dialogs(router, storage_url)

        @dialogs.dialog(command="order", version="1")
        async def order(d: Dialog) -> None:
            item = await d.ask("What item?")
            if as_choice:
                count: object = await d.choose(second_question, ["1", "2"])
            else:
                count = await d.ask(second_question, parse=int)
            await d.reply(f"{count} x {item}; {await d.ask('Where to?')}")

        return router

    alice = emulator.user("Alice")
    talk = emulator.dialog(alice)
    with emulator.run(bot("How many?", as_choice=False)):
        talk.send("/order").expect("What item?")
        talk.send("tea").expect("How many?")
        talk.send("2").expect("Where to?")
    with emulator.run(bot("How many cups?", as_choice=False)):  # same kinds: it goes on
        talk.send("home").expect("2 x tea; home", exact=True)
        talk.send("/order").expect("What item?")
        talk.send("tea").expect("How many cups?")
        talk.send("2").expect("Where to?")
    with emulator.run(bot("How many cups?", as_choice=True)):  # a choice now: restart
        talk.send("home").expect("let's start again")
        talk.expect("What item?", exact=True)


def test_a_failing_dialog_ends_and_its_update_is_parked(
    emulator: EmulatorHandle, storage_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    router = Router()
    dialogs = Dialogs(router, storage_url)

    @dialogs.dialog(command="divide")
    async def divide(d: Dialog) -> None:
        top = await d.ask("Top?", parse=int)
        bottom = await d.ask("Bottom?", parse=int)
        await d.reply(f"{top / bottom}")

    @router.message()
    async def fallback(ctx: Context) -> None:
        await ctx.reply(f"outside: {ctx.text}")

    talk = emulator.dialog(emulator.user("Alice"))
    with emulator.run(router):
        talk.send("/divide").expect("Top?")
        talk.send("1").expect("Bottom?")
        talk.send("0")
        talk.send("after").expect("outside: after", exact=True)
    assert any(isinstance(r.exc_info[1], ZeroDivisionError) for r in caplog.records if r.exc_info)


def test_dialogs_start_from_any_handler_and_keep_a_small_state(
    emulator: EmulatorHandle, storage_url: str
) -> None:
    import asyncio

    from telewire import InlineKeyboard
    from telewire.storage import open_storage

    router = Router()
    dialogs = Dialogs(router, storage_url)

    @dialogs.dialog()
    async def feedback(d: Dialog) -> None:
        stars = await d.choose("How many stars?", ["1", "2", "3", "4", "5"], columns=5)
        text = await d.ask("Anything to add?")
        why = await d.ask("Why?")
        await d.reply(f"Thanks for {stars} stars: {text} / {why}")

    @router.command("start")
    async def start(ctx: Context) -> None:
        keyboard = InlineKeyboard().button("Give feedback", "feedback")
        await ctx.reply("Welcome", reply_markup=keyboard.markup())

    @router.callback("feedback")
    async def begin(ctx: Context) -> None:
        await ctx.answer()
        await dialogs.start(ctx, feedback)

    talk = emulator.dialog(emulator.user("Alice"))
    with emulator.run(router):
        talk.send("/start").expect("Welcome")
        talk.press("Give feedback").expect("How many stars?")
        talk.press("4").expect("Anything to add?")
        talk.send("Lovely " * 10).expect("Why?")

        async def state_size() -> int:
            storage = open_storage(storage_url)
            try:
                (key,) = await storage.keys("dialog:")
                item = await storage.get(key)
                assert item is not None
                return len(item.value)
            finally:
                await storage.close()

        size = asyncio.run(state_size())
        assert size < 250 + 70, size  # the answers (70 bytes of text) and a little more
        talk.send("tea").expect("Thanks for 4 stars")


def test_a_dialog_removed_by_a_deploy_ends_with_a_message(
    emulator: EmulatorHandle, storage_url: str
) -> None:
    first, _ = order_bot(storage_url)
    talk = emulator.dialog(emulator.user("Alice"))
    with emulator.run(first):
        talk.send("/order").expect("What item?")
    router = Router()
    dialogs = Dialogs(router, storage_url)

    @dialogs.dialog(command="other")
    async def other(d: Dialog) -> None:  # the order dialog is gone; another remains
        await d.reply(await d.ask("Other?"))

    @router.message()
    async def fallback(ctx: Context) -> None:
        await ctx.reply(f"outside: {ctx.text}")

    with emulator.run(router):
        talk.send("tea").expect("Sorry, that conversation is no longer available.", exact=True)
        talk.expect("outside: tea", exact=True)


@contextmanager
def serving(router: Router, emulator: EmulatorHandle, jobs: Scheduler) -> Iterator[None]:
    """``start_polling(router, jobs=jobs)`` in a thread, as a bot runs it; cancelled after."""
    from telewire import start_polling

    started = threading.Event()
    state: dict[str, Any] = {}

    async def main() -> None:
        state["loop"] = asyncio.get_running_loop()
        state["task"] = asyncio.current_task()
        started.set()
        await start_polling(
            router,
            token=emulator.token,
            base_url=emulator.base_url,
            handle_signals=False,
            jobs=jobs,
        )

    def run() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # how the test stops it
            asyncio.run(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(10)
    try:
        yield
    finally:
        state["loop"].call_soon_threadsafe(state["task"].cancel)
        thread.join(15)
        assert not thread.is_alive()


def test_with_jobs_a_dialog_times_out_at_its_deadline_even_across_a_restart(
    emulator: EmulatorHandle, storage_url: str, fake_clock: FakeClock, quiet: None
) -> None:
    """The scheduler's fake clock is the dialogs' clock: no test waits for time to pass."""
    from telewire.jobs import Scheduler
    from telewire.storage import open_storage

    def bot() -> tuple[Router, Scheduler]:
        jobs = Scheduler(open_storage(storage_url), clock=fake_clock)
        router = Router()
        dialogs = Dialogs(router, storage_url, jobs=jobs)

        @dialogs.dialog(command="order", timeout=600)
        async def order(d: Dialog) -> None:
            item = await d.ask("What item?")
            count = await d.ask("How many?", parse=int)
            await d.reply(f"{count} x {item}")

        return router, jobs

    talk = emulator.dialog(emulator.user("Alice"))
    timed_out = "This conversation timed out. Send /order to start again."
    router, jobs = bot()
    with serving(router, emulator, jobs):
        talk.send("/order").expect("What item?")
    fake_clock.advance(601)  # the deadline passes while no bot runs
    router, jobs = bot()
    with serving(router, emulator, jobs):
        talk.expect(timed_out, exact=True)  # said by the job, nobody wrote
        talk.send("/order").expect("What item?")
        fake_clock.advance(500)
        talk.send("tea").expect("How many?")  # moves the deadline to 600 s from now
        fake_clock.advance(500)
        talk.send("2").expect("2 x tea", exact=True)
        talk.send("/order").expect("What item?")
        fake_clock.advance(600)
        talk.expect(timed_out, exact=True)
    assert talk.bot_texts().count(timed_out) == 2
