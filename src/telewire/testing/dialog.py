"""Asserting a dialog step by step: ``emulator.dialog(user)`` talks as that user.

    talk = emulator.dialog(alice)
    talk.send("/order").expect("What item?")
    talk.send("tea").expect("How many?")
    talk.send("two").expect("whole number")       # a re-ask
    talk.send("2").expect("2 x tea?", buttons=["Yes", "No"])
    talk.press("Yes").expect("Ordered")
    assert talk.questions().count("How many?") == 1

Each ``expect`` waits for the bot's next new message after the last one seen (or after
what the user just did), so steps cannot be satisfied by an earlier message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.api._generated import types as t
    from telewire.testing.handle import EmulatorHandle, TestUser

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


class DialogScript:
    """One user talking to the bot in one chat (their private chat unless ``chat_id``)."""

    __test__ = False

    def __init__(
        self,
        emulator: EmulatorHandle,
        user: TestUser,
        *,
        chat_id: int | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.emulator = emulator
        self.user = user
        self.chat_id = chat_id if chat_id is not None else user.id
        self.timeout = timeout
        self.last: t.Message | None = None
        """The bot's last message this script saw (the one ``press`` presses on)."""
        self._after = self._newest()

    def _newest(self) -> int:
        try:
            return max((m.message_id for m in self.emulator.messages(self.chat_id)), default=0)
        except AssertionError:  # no such chat yet: a private chat appears on first message
            return 0

    def send(self, text: str) -> DialogScript:
        message = self.emulator.send(self.user, text, chat_id=self._group())
        self._after = max(self._after, message.message_id)
        return self

    def send_photo(self, data: bytes = PNG, *, caption: str | None = None) -> DialogScript:
        message = self.emulator.send_photo(self.user, data, caption=caption, chat_id=self._group())
        self._after = max(self._after, message.message_id)
        return self

    def send_document(
        self, data: bytes, *, filename: str = "file.bin", caption: str | None = None
    ) -> DialogScript:
        message = self.emulator.send_document(
            self.user, data, filename=filename, caption=caption, chat_id=self._group()
        )
        self._after = max(self._after, message.message_id)
        return self

    def press(self, button: str, message: t.Message | None = None) -> DialogScript:
        """Press the button labelled ``button`` under ``message`` (default: :attr:`last`)."""
        target = message or self.last
        if target is None:
            raise AssertionError("press() before any message of the bot was expected")
        self._after = max(self._after, self._newest())
        self.emulator.press(self.user, target, button=button, timeout=self.timeout)
        return self

    def expect(
        self,
        text: str | None = None,
        *,
        exact: bool = False,
        buttons: list[str] | None = None,
        timeout: float | None = None,
    ) -> t.Message:
        """Wait for the bot's next message; check it contains ``text`` (equals, if exact)."""
        message = self.emulator.expect_reply(
            self.chat_id, after=self._after, timeout=timeout or self.timeout
        )
        self._after = message.message_id
        self.last = message
        shown = message.text or message.caption or ""
        if text is not None:
            ok = shown == text if exact else text in shown
            assert ok, f"expected the bot to say {text!r}, it said {shown!r}"
        if buttons is not None:
            markup = message.reply_markup
            labels = [b.text for row in markup.inline_keyboard for b in row] if markup else []
            assert labels == buttons, f"expected buttons {buttons}, got {labels}"
        return message

    def bot_texts(self) -> list[str]:
        """Everything the bot said in this chat, in order (edits applied)."""
        return [m.text or m.caption or "" for m in self.emulator.bot_messages(self.chat_id)]

    def questions(self) -> list[str]:
        """The bot's messages, each cut to its last line (a re-ask's question, without the
        complaint above it; a pressed question, without the chosen answer below it)."""
        lines = []
        for text in self.bot_texts():
            parts = [p for p in text.split("\n") if not p.startswith("» ")]
            lines.append(parts[-1] if parts else "")
        return lines

    def _group(self) -> Any:
        return None if self.chat_id == self.user.id else self.chat_id
