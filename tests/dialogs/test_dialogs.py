"""Dialogs against the real emulator: questions, answers, buttons, media, leaving, timeouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from telewire import Context, Router
from telewire.dialogs import Dialog, Dialogs, InvalidAnswer, Media
from telewire.testing import EmulatorHandle


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


@pytest.fixture
def storage_url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'dialogs.sqlite3'}"


def test_a_whole_dialog_with_a_re_ask_and_buttons(
    emulator: EmulatorHandle, storage_url: str
) -> None:
    router, _ = order_bot(storage_url)
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
