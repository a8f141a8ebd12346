"""Filters on any field, composed with & | ~, over real Updates as Telegram sends them."""

from __future__ import annotations

from typing import Any

import pytest

from telewire import Context, F, Router
from telewire.api._generated import types as t
from telewire.core import typed
from telewire.core.updates import chat_id_of, update_kind
from telewire.routing.router import Runtime
from telewire.testing import EmulatorHandle

BOT = {"id": 99, "is_bot": True, "first_name": "Bot", "username": "shop_bot"}
ANN = {"id": 7, "is_bot": False, "first_name": "Ann", "language_code": "de"}


def context(message: dict[str, Any] | None = None, **update: Any) -> Context:
    if message is not None:
        base = {"message_id": 5, "date": 0, "chat": {"id": 7, "type": "private"}, "from": ANN}
        update["message"] = {**base, **message}
    parsed = typed.convert({"update_id": 1, **update}, t.Update)
    kind = update_kind(parsed)
    assert kind is not None
    ctx = Context(parsed, kind, chat_id_of(parsed, kind), bot=None)  # type: ignore[arg-type]
    ctx.data["runtime"] = Runtime(None, lambda: None, bot_username="shop_bot")  # type: ignore[arg-type,return-value]
    return ctx


def test_text_predicates() -> None:
    ctx = context({"text": "Order 42 please"})
    assert F.text(ctx)
    assert F.text.startswith("Order")(ctx) and not F.text.startswith("order")(ctx)
    assert F.text.startswith("order", ignore_case=True)(ctx)
    assert F.text.endswith("please")(ctx) and F.text.contains("42")(ctx)
    assert F.text.contains("ORDER", ignore_case=True)(ctx)
    assert F.text.regex(r"\d+")(ctx) and not F.text.regex(r"^\d+$")(ctx)
    assert F.text.in_({"order 42 please"}, ignore_case=True)(ctx)
    assert not F.text.in_({"yes", "no"})(ctx)
    assert (F.text == "Order 42 please")(ctx) and (F.text != "x")(ctx)
    assert F.text.len(1, 20)(ctx) and not F.text.len(1, 5)(ctx)
    assert F.text.func(lambda text: text.split()[1].isdigit())(ctx)
    photo = context({"photo": [{"file_id": "a", "file_unique_id": "a", "width": 1, "height": 1}]})
    assert not F.text(photo) and not F.text.startswith("")(photo)  # missing: false, no error


def test_content_types_and_message_shapes() -> None:
    located = context({"location": {"latitude": 1.0, "longitude": 2.0}})
    assert F.location(located) and F.content("photo", "location")(located)
    assert not F.photo(located) and not F.content("document")(located)
    with pytest.raises(ValueError, match="not message content"):
        F.content("smell")
    forwarded = context(
        {
            "text": "fwd",
            "forward_origin": {"type": "hidden_user", "date": 0, "sender_user_name": "X"},
        }
    )
    assert F.forwarded(forwarded) and not F.forwarded(context({"text": "own"}))
    reply_to_bot = context(
        {
            "text": "yes",
            "reply_to_message": {
                "message_id": 4,
                "date": 0,
                "chat": {"id": 7, "type": "private"},
                "from": BOT,
                "text": "?",
            },
        }
    )
    assert F.reply_to_bot(reply_to_bot) and F.reply(reply_to_bot)
    other_bot = {**BOT, "username": "other_bot"}
    reply_to_other = context(
        {
            "text": "yes",
            "reply_to_message": {
                "message_id": 4,
                "date": 0,
                "chat": {"id": 7, "type": "private"},
                "from": other_bot,
            },
        }
    )
    assert not F.reply_to_bot(reply_to_other) and not F.reply_to_bot(context({"text": "x"}))


def test_entities_chat_types_and_user_predicates() -> None:
    linked = context(
        {"text": "see https://x.org", "entities": [{"type": "url", "offset": 4, "length": 13}]}
    )
    captioned = context(
        {
            "caption": "@ann",
            "caption_entities": [{"type": "mention", "offset": 0, "length": 4}],
            "document": {"file_id": "d", "file_unique_id": "d"},
        }
    )
    assert F.entity("url")(linked) and not F.entity("mention")(linked)
    assert F.entity("mention")(captioned) and F.caption.startswith("@")(captioned)
    assert F.private(linked) and not F.group(linked)
    group = context({"text": "hi", "chat": {"id": -5, "type": "supergroup", "title": "T"}})
    assert F.group(group) and F.chat_type("supergroup")(group)
    assert F.user(lambda user: user.language_code == "de")(linked)
    assert (F.field("from_user.language_code") == "de")(linked)
    assert F.field("from_user.language_code").in_({"de", "at"})(linked)
    assert not F.field("from_user.no.such.path")(linked)  # a missing link is None, not an error
    assert F.message(lambda m: m.message_id == 5)(linked)


def test_composition_and_names() -> None:
    ctx = context({"text": "hello"})
    both = F.text.startswith("he") & F.private
    either = F.photo | F.text.endswith("lo")
    neither = ~(F.photo | F.document)
    assert both(ctx) and either(ctx) and neither(ctx)
    assert not (both & F.photo)(ctx)
    assert (F.private & (lambda c: c.text == "hello"))(ctx)  # plain callables compose too
    assert repr(both) == "Filter((text.startswith('he',) & private))"


def test_callback_data_as_a_value() -> None:
    pressed = context(
        callback_query={"id": "q", "from": ANN, "chat_instance": "c", "data": "vote:up"}
    )
    assert F.data.startswith("vote:")(pressed) and not F.text(pressed)
    assert not F.photo(pressed) and not F.forwarded(pressed)


def test_filters_route_real_updates(emulator: EmulatorHandle) -> None:
    router = Router()

    @router.message(F.text.in_({"yes", "no"}, ignore_case=True) & F.private)
    async def answer(ctx: Context) -> None:
        await ctx.reply("noted")

    @router.message(F.document | F.photo)
    async def file(ctx: Context) -> None:
        await ctx.reply("a file")

    @router.message(~F.text.startswith("/"))
    async def other(ctx: Context) -> None:
        await ctx.reply("other")

    bob = emulator.user("Bob")
    with emulator.run(router):
        emulator.send(bob, "YES")
        assert emulator.expect_reply(bob.id).text == "noted"
        emulator.send_document(bob, b"data", filename="a.txt")
        assert emulator.expect_reply(bob.id).text == "a file"
        emulator.send(bob, "maybe")
        assert emulator.expect_reply(bob.id).text == "other"
