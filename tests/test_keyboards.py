"""Keyboard builders: what they send, what the emulator shows, and the errors for bad input."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from telewire import Bot, Context, InlineKeyboard, ReplyKeyboard, Router
from telewire.callback_data import CallbackData
from telewire.testing import EmulatorHandle, TestUser


def test_a_reply_keyboard_reaches_the_chat_and_is_removed_again(
    bot: Bot, emulator: EmulatorHandle, alice: TestUser
) -> None:
    keyboard = (
        ReplyKeyboard(one_time=True, placeholder="Pick one")
        .buttons("Yes", "No", "Maybe")
        .row()
        .contact("Share my number")
        .location("Where am I")
        .row()
        .poll("New quiz", "quiz")
        .users("Invite", max_quantity=3, user_is_bot=False)
        .chat("A channel", channel=True)
    )
    bot.send_message(chat_id=alice.id, text="Choose", reply_markup=keyboard.markup())
    state = emulator.chat_state(alice.id)
    shown = state["reply_keyboard"]
    assert [[b["text"] for b in row] for row in shown["keyboard"]] == [
        ["Yes", "No", "Maybe"],
        ["Share my number", "Where am I"],
        ["New quiz", "Invite", "A channel"],
    ]
    assert shown["one_time_keyboard"] is True and shown["resize_keyboard"] is True
    assert shown["input_field_placeholder"] == "Pick one"
    row = shown["keyboard"][2]
    assert row[0]["request_poll"] == {"type": "quiz"}
    assert row[1]["request_users"] == {"request_id": 1, "max_quantity": 3, "user_is_bot": False}
    assert row[2]["request_chat"] == {"request_id": 2, "chat_is_channel": True}
    assert shown["keyboard"][1][0]["request_contact"] is True

    bot.send_message(chat_id=alice.id, text="Thanks", reply_markup=ReplyKeyboard.remove())
    state = emulator.chat_state(alice.id)
    assert state["reply_keyboard"] is None


def test_adjust_lays_buttons_out_in_rows_of_the_given_sizes() -> None:
    keyboard = ReplyKeyboard().buttons(*"abcdefg").adjust(3, 2)
    assert [[b.text for b in row] for row in keyboard.markup().keyboard] == [
        ["a", "b", "c"],
        ["d", "e"],
        ["f", "g"],
    ]
    inline = InlineKeyboard()
    for n in range(5):
        inline.button(str(n), f"n:{n}")
    assert [len(row) for row in inline.adjust(2).markup().inline_keyboard] == [2, 2, 1]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ReplyKeyboard().markup(), "at least one button"),
        (lambda: ReplyKeyboard(placeholder="x" * 65), "1-64 characters, not 65"),
        (lambda: ReplyKeyboard().button(""), "needs text"),
        (lambda: ReplyKeyboard().poll("p", "exam"), '"quiz", "regular"'),
        (lambda: ReplyKeyboard().users("u", max_quantity=11), "1-10, not 11"),
        (lambda: ReplyKeyboard().button("a").adjust(0), "1 or more"),
        (lambda: InlineKeyboard().button("x", "é" * 33), "1-64 bytes in UTF-8, not 66"),
    ],
)
def test_bad_keyboards_are_refused_with_what_to_do(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


# -- typed callback data ---------------------------------------------------------------------


class Size(enum.Enum):
    small = "s"
    large = "l"


class OrderAction(CallbackData):
    prefix = "order"
    action: str
    item_id: int
    size: Size = Size.small
    gift: bool = False
    note: str | None = None


def test_callback_data_packs_and_unpacks_every_kind_of_value() -> None:
    order = OrderAction(action="buy", item_id=42, size=Size.large, gift=True, note="hi")
    assert order.pack() == "order:buy:42:l:1:hi"
    assert OrderAction.unpack(order.pack()) == order
    plain = OrderAction(action="buy", item_id=7)
    assert plain.pack() == "order:buy:7:s:0:"
    assert OrderAction.unpack(plain.pack()) == plain
    assert OrderAction.parse("other:buy:7:s:0:") is None
    assert OrderAction.parse("order:buy:seven:s:0:") is None
    assert OrderAction.parse("order:buy") is None
    with pytest.raises(ValueError, match="is not OrderAction callback data"):
        OrderAction.unpack("order:buy")


def test_callback_data_that_does_not_fit_is_refused_when_the_button_is_built() -> None:
    with pytest.raises(ValueError, match=r"packs to 7\d bytes .* 64-byte limit"):
        InlineKeyboard().button("Buy", OrderAction(action="x" * 60, item_id=1))
    with pytest.raises(ValueError, match="cannot contain ':'"):
        OrderAction(action="a:b", item_id=1).pack()
    with pytest.raises(TypeError, match="needs a short prefix"):

        class NoPrefix(CallbackData):
            x: int

    with pytest.raises(TypeError, match="has no field colour"):
        OrderAction.filter(colour="red")


def test_presses_are_routed_by_typed_callback_data(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    router = Router()

    @router.command("shop")
    async def shop(ctx: Context) -> None:
        keyboard = (
            InlineKeyboard()
            .button("Buy", OrderAction(action="buy", item_id=42))
            .button("Gift", OrderAction(action="buy", item_id=42, gift=True))
            .button("Return", OrderAction(action="return", item_id=42))
        )
        await ctx.reply("Item 42", reply_markup=keyboard.markup())

    @router.callback(OrderAction.filter(action="buy", gift=True))
    async def gift(ctx: Context) -> None:
        await ctx.answer(f"gift of {OrderAction.of(ctx).item_id}")

    @router.callback(OrderAction.filter(action="buy"))
    async def buy(ctx: Context) -> None:
        await ctx.answer(f"bought {OrderAction.of(ctx).item_id}")

    @router.callback(OrderAction.filter())
    async def anything_else(ctx: Context) -> None:
        await ctx.answer(f"{OrderAction.of(ctx).action}?")

    with emulator.run(router):
        emulator.send(alice, "/shop")
        message = emulator.expect_reply(alice.id)
        assert emulator.press(alice, message, button="Buy")["text"] == "bought 42"
        assert emulator.press(alice, message, button="Gift")["text"] == "gift of 42"
        assert emulator.press(alice, message, button="Return")["text"] == "return?"
