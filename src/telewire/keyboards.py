"""Building keyboards without nesting lists by hand.

    InlineKeyboard().button("Approve", "ok").button("Deny", "no").row().url("Docs", URL)
    ReplyKeyboard(resize=True).button("Yes").button("No").row().contact("Share my number")

An inline keyboard hangs under a message and its buttons send callback queries; a reply
keyboard replaces the user's keyboard and its buttons send their text (or a contact, a
location, a chosen user or chat) as an ordinary message. ``ReplyKeyboard.remove()`` takes
a reply keyboard away again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from telewire.api._generated.types import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    KeyboardButtonPollType,
    KeyboardButtonRequestChat,
    KeyboardButtonRequestUsers,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_CALLBACK_BYTES = 64
PLACEHOLDER_LIMIT = 64


class Packable(Protocol):
    """Typed callback data (:class:`telewire.callback_data.CallbackData`): packs to a string."""

    def pack(self) -> str: ...


def check_callback_data(data: str) -> str:
    """``data`` if Telegram accepts it as callback data (1-64 bytes of UTF-8), else ValueError."""
    size = len(data.encode("utf-8"))
    if not 1 <= size <= MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data must be 1-64 bytes in UTF-8, not {size}: {data[:20]!r}")
    return data


def _rows_of(rows: list[list[Any]], sizes: Sequence[int]) -> list[list[Any]]:
    """All buttons laid out again in rows of ``sizes`` (the last size repeats)."""
    if not sizes or any(size < 1 for size in sizes):
        raise ValueError(f"row sizes must be 1 or more, not {list(sizes)}")
    buttons = [button for row in rows for button in row]
    laid: list[list[Any]] = []
    index = 0
    while buttons[index:]:
        size = sizes[min(len(laid), len(sizes) - 1)]
        laid.append(buttons[index : index + size])
        index += size
    return laid or [[]]


class InlineKeyboard:
    """Rows of inline buttons; ``.markup()`` gives the ``reply_markup`` to send."""

    def __init__(self) -> None:
        self._rows: list[list[InlineKeyboardButton]] = [[]]

    def button(self, text: str, data: str | Packable) -> InlineKeyboard:
        """A button that sends ``data`` (1-64 bytes, or typed callback data) back when pressed."""
        value = data if isinstance(data, str) else data.pack()
        check_callback_data(value)
        self._rows[-1].append(InlineKeyboardButton(text=text, callback_data=value))
        return self

    def url(self, text: str, url: str) -> InlineKeyboard:
        self._rows[-1].append(InlineKeyboardButton(text=text, url=url))
        return self

    def row(self) -> InlineKeyboard:
        if self._rows[-1]:
            self._rows.append([])
        return self

    def adjust(self, *sizes: int) -> InlineKeyboard:
        """Lay the buttons out again in rows of ``sizes`` (``adjust(2)``: two per row)."""
        self._rows = _rows_of(self._rows, sizes)
        return self

    def markup(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[r for r in self._rows if r])


class ReplyKeyboard:
    """Rows of reply-keyboard buttons; ``.markup()`` gives the ``reply_markup`` to send.

    ``resize`` fits the keyboard to its buttons (Telegram's default is a tall keyboard),
    ``one_time`` hides it after a press, ``persistent`` keeps it shown, ``placeholder``
    (at most 64 characters) is shown in the empty input field, and ``selective`` shows it
    only to users mentioned in, or replied to by, the message.
    """

    def __init__(
        self,
        *,
        resize: bool = True,
        one_time: bool = False,
        persistent: bool = False,
        placeholder: str | None = None,
        selective: bool = False,
    ) -> None:
        if placeholder is not None and not 1 <= len(placeholder) <= PLACEHOLDER_LIMIT:
            raise ValueError(f"a keyboard placeholder has 1-64 characters, not {len(placeholder)}")
        self._rows: list[list[KeyboardButton]] = [[]]
        self._resize, self._one_time, self._persistent = resize, one_time, persistent
        self._placeholder, self._selective = placeholder, selective
        self._request_ids = 0

    def _add(self, button: KeyboardButton) -> ReplyKeyboard:
        self._rows[-1].append(button)
        return self

    def button(self, text: str) -> ReplyKeyboard:
        """A button that sends its ``text`` as a message."""
        if not text:
            raise ValueError("a keyboard button needs text")
        return self._add(KeyboardButton(text=text))

    def buttons(self, *texts: str) -> ReplyKeyboard:
        """Several text buttons in the current row."""
        for text in texts:
            self.button(text)
        return self

    def contact(self, text: str) -> ReplyKeyboard:
        """Sends the user's phone number as a contact (private chats only)."""
        return self._add(KeyboardButton(text=text, request_contact=True))

    def location(self, text: str) -> ReplyKeyboard:
        """Sends the user's current location (private chats only)."""
        return self._add(KeyboardButton(text=text, request_location=True))

    def poll(self, text: str, kind: str | None = None) -> ReplyKeyboard:
        """Lets the user create a poll; ``kind`` "quiz" or "regular" restricts which."""
        if kind not in (None, "quiz", "regular"):
            raise ValueError(f'poll kind is "quiz", "regular" or None, not {kind!r}')
        return self._add(KeyboardButton(text=text, request_poll=KeyboardButtonPollType(type=kind)))

    def users(
        self, text: str, *, request_id: int | None = None, max_quantity: int = 1, **criteria: Any
    ) -> ReplyKeyboard:
        """Lets the user pick users; the bot gets a ``users_shared`` message with ``request_id``.

        ``criteria`` are KeyboardButtonRequestUsers fields (``user_is_bot=False``...).
        """
        if not 1 <= max_quantity <= 10:
            raise ValueError(f"max_quantity is 1-10, not {max_quantity}")
        request = KeyboardButtonRequestUsers(
            request_id=self._request_id(request_id), max_quantity=max_quantity, **criteria
        )
        return self._add(KeyboardButton(text=text, request_users=request))

    def chat(
        self, text: str, *, channel: bool = False, request_id: int | None = None, **criteria: Any
    ) -> ReplyKeyboard:
        """Lets the user pick a chat (a group, or a channel with ``channel=True``).

        The bot gets a ``chat_shared`` message with ``request_id``; ``criteria`` are
        KeyboardButtonRequestChat fields (``chat_is_forum=True``...).
        """
        request = KeyboardButtonRequestChat(
            request_id=self._request_id(request_id), chat_is_channel=channel, **criteria
        )
        return self._add(KeyboardButton(text=text, request_chat=request))

    def _request_id(self, given: int | None) -> int:
        """A request id unique within this keyboard, unless the caller chose one."""
        if given is not None:
            return given
        self._request_ids += 1
        return self._request_ids

    def row(self) -> ReplyKeyboard:
        if self._rows[-1]:
            self._rows.append([])
        return self

    def adjust(self, *sizes: int) -> ReplyKeyboard:
        """Lay the buttons out again in rows of ``sizes`` (``adjust(3, 2)``: 3, then 2s)."""
        self._rows = _rows_of(self._rows, sizes)
        return self

    def markup(self) -> ReplyKeyboardMarkup:
        rows = [r for r in self._rows if r]
        if not rows:
            raise ValueError("a reply keyboard needs at least one button")
        return ReplyKeyboardMarkup(
            keyboard=rows,
            resize_keyboard=self._resize or None,
            one_time_keyboard=self._one_time or None,
            is_persistent=self._persistent or None,
            input_field_placeholder=self._placeholder,
            selective=self._selective or None,
        )

    @staticmethod
    def remove(*, selective: bool = False) -> ReplyKeyboardRemove:
        """The ``reply_markup`` that takes a reply keyboard away."""
        return ReplyKeyboardRemove(remove_keyboard=True, selective=selective or None)

    @staticmethod
    def force_reply(*, placeholder: str | None = None, selective: bool = False) -> ForceReply:
        """The ``reply_markup`` that opens a reply to the bot's message, as if the user chose it."""
        return ForceReply(
            force_reply=True, input_field_placeholder=placeholder, selective=selective or None
        )
