"""Building inline keyboards without nesting lists by hand.

InlineKeyboard().button("Approve", "ok").button("Deny", "no").row().url("Docs", URL)
"""

from __future__ import annotations

from telewire.api._generated.types import InlineKeyboardButton, InlineKeyboardMarkup


class InlineKeyboard:
    """Rows of inline buttons; ``.markup()`` gives the ``reply_markup`` to send."""

    def __init__(self) -> None:
        self._rows: list[list[InlineKeyboardButton]] = [[]]

    def button(self, text: str, data: str) -> InlineKeyboard:
        """A button that sends ``data`` (1-64 bytes) back as a callback query."""
        size = len(data.encode("utf-8"))
        if not 1 <= size <= 64:
            raise ValueError(
                f"callback data must be 1-64 bytes in UTF-8, not {size}: {data[:20]!r}"
            )
        self._rows[-1].append(InlineKeyboardButton(text=text, callback_data=data))
        return self

    def url(self, text: str, url: str) -> InlineKeyboard:
        self._rows[-1].append(InlineKeyboardButton(text=text, url=url))
        return self

    def row(self) -> InlineKeyboard:
        if self._rows[-1]:
            self._rows.append([])
        return self

    def markup(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[r for r in self._rows if r])
