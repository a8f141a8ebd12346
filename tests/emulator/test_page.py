"""The chat page in real headless Chromium: write, read the bot's answer, press, see the edit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from telewire.apps.hello_bot import router
from telewire.testing import EmulatorHandle

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture
def page(emulator: EmulatorHandle) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        browser.close()
        assert errors == [], errors


def test_a_person_chats_with_the_hello_bot(page: Any, emulator: EmulatorHandle) -> None:
    with emulator.run(router):
        page.goto(emulator.page_url + "?user=5151")
        page.fill("#text", "HeLLo")
        page.press("#text", "Enter")
        page.wait_for_selector(".msg:not(.mine) >> text=Hey there!", timeout=10_000)
        assert page.locator(".msg.mine .text").first.inner_text() == "HeLLo"
        page.click(".keyboard button:has-text('Great')")
        page.wait_for_selector("text=You chose: 👍 Great", timeout=10_000)
        assert page.locator("#toast").inner_text() == "Thanks!"
        assert "edited" in page.locator(".msg:not(.mine) .meta").first.inner_text()
        page.fill("#text", "something else")
        page.click("#send")
        page.wait_for_selector("text=Try saying hello", timeout=10_000)


def test_entities_alerts_photos_and_live_deletes(
    page: Any, emulator: EmulatorHandle, bot: Any
) -> None:
    from telewire import InputFile
    from telewire.types import InlineKeyboardButton, InlineKeyboardMarkup

    user = emulator.user("Page", id=6161)
    emulator.send(user, "hi")
    page.goto(emulator.page_url + "?user=6161")
    page.wait_for_selector("text=hi")
    bot.send_message(
        chat_id=user.id, text="<b>bold</b> and <a href='http://x.test'>link</a>", parse_mode="HTML"
    )
    page.wait_for_selector(".msg b:has-text('bold')")
    assert page.locator(".msg a:has-text('link')").get_attribute("href") == "http://x.test"
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 30
    bot.send_photo(chat_id=user.id, photo=InputFile(png, filename="p.png"), caption="a photo")
    page.wait_for_selector(".msg img[src*='/file/bot']")
    doomed = bot.send_message(chat_id=user.id, text="soon gone")
    page.wait_for_selector("text=soon gone")
    bot.delete_message(chat_id=user.id, message_id=doomed.message_id)
    page.wait_for_selector("text=soon gone", state="detached")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Alert me", callback_data="a")]]
    )
    bot.send_message(chat_id=user.id, text="press", reply_markup=markup)
    page.wait_for_selector("button:has-text('Alert me')")

    import threading

    def answer_when_pressed() -> None:
        import time

        for _ in range(100):
            for update in bot.get_updates(timeout=0):
                if update.callback_query:
                    bot.answer_callback_query(
                        callback_query_id=update.callback_query.id, text="Careful!", show_alert=True
                    )
                    return
            time.sleep(0.05)

    threading.Thread(target=answer_when_pressed, daemon=True).start()
    page.click("button:has-text('Alert me')")
    page.wait_for_selector("#alert:not([hidden]) >> text=Careful!")


def test_reply_keyboards_are_buttons_that_send_their_text(
    page: Any, emulator: EmulatorHandle, bot: Any
) -> None:
    from telewire.types import KeyboardButton, ReplyKeyboardMarkup

    user = emulator.user("Keys", id=7171)
    emulator.send(user, "menu please")
    page.goto(emulator.page_url + "?user=7171")
    page.wait_for_selector("text=menu please")
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Coffee"), KeyboardButton(text="Tea")]]
    )
    bot.send_message(chat_id=user.id, text="What would you like?", reply_markup=keyboard)
    page.wait_for_selector("#reply-keyboard button:has-text('Tea')")
    page.click("#reply-keyboard button:has-text('Tea')")
    sent = emulator.wait_for(
        user.id, lambda m: m.text == "Tea" and m.from_user is not None and not m.from_user.is_bot
    )
    assert sent.from_user.id == user.id  # type: ignore[union-attr]
