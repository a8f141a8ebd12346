"""Replies beyond text from handlers (async and blocking), against the emulator."""

from __future__ import annotations

import asyncio
import threading
import urllib.request
from typing import Any

import pytest

from telewire import Context, InputFile, Router
from telewire.api._generated import types as t
from telewire.core import typed
from telewire.core.updates import chat_id_of, update_kind
from telewire.routing.context import SyncContext
from telewire.testing import EmulatorHandle

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000080000000808") + b"\0" * 30


class Events:
    """The emulator's live event stream, collected in a thread (to see chat actions)."""

    def __init__(self, emulator: EmulatorHandle) -> None:
        url = f"{emulator.base_url}/emulator/events?token={emulator.token}"
        self.response = urllib.request.urlopen(url, timeout=30)
        self.lines: list[str] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                with self.changed:
                    self.lines.append(raw.decode())
                    self.changed.notify_all()
        except Exception:  # closed under its feet at the end of the test
            pass

    def wait_for(self, *parts: str) -> None:
        with self.changed:
            seen = self.changed.wait_for(
                lambda: any(all(p in line for p in parts) for line in self.lines), 20
            )
        assert seen, self.lines


def media_router(blocking: bool) -> Router:
    router = Router()
    album = [InputFile(PNG, filename="a.png"), InputFile(PNG, filename="b.png")]

    if blocking:

        @router.command("media")
        def media_sync(ctx: SyncContext) -> None:
            with ctx.typing():
                ctx.reply_photo(InputFile(PNG, filename="chart.png"), caption="chart")
                ctx.reply_document(InputFile(b"a,b\n1,2\n", filename="data.csv"), caption="data")
                ctx.reply_media_group(album)
                ctx.reply_location(52.52, 13.40)
                ctx.reply_poll("Lunch?", ["Pizza", "Salad"])

        @router.command("pinme")
        def pin_sync(ctx: SyncContext) -> None:
            ctx.pin()

        @router.command("forget")
        def forget_sync(ctx: SyncContext) -> None:
            ctx.delete()
            ctx.reply("gone")

    else:

        @router.command("media")
        async def media(ctx: Context) -> None:
            async with ctx.typing():
                await asyncio.sleep(0.05)
                await ctx.reply_photo(InputFile(PNG, filename="chart.png"), caption="chart")
                await ctx.reply_document(
                    InputFile(b"a,b\n1,2\n", filename="data.csv"), caption="data"
                )
                await ctx.reply_media_group(album)
                await ctx.reply_location(52.52, 13.40)
                await ctx.reply_poll("Lunch?", ["Pizza", "Salad"])

        @router.command("pinme")
        async def pin(ctx: Context) -> None:
            await ctx.pin()

        @router.command("forget")
        async def forget(ctx: Context) -> None:
            await ctx.delete()
            await ctx.reply("gone")

    return router


@pytest.mark.parametrize("blocking", [False, True], ids=["async", "blocking"])
def test_media_typing_pin_and_delete(emulator: EmulatorHandle, blocking: bool) -> None:
    user = emulator.user("Media")
    events = Events(emulator)  # ends when the emulator shuts down after the test
    with emulator.run(media_router(blocking)):
        emulator.send(user, "/media")
        emulator.wait_for(user.id, lambda m: m.poll is not None, timeout=20, what="the poll")
        events.wait_for("action", "typing")
        sent = emulator.bot_messages(user.id)
        assert sent[0].photo is not None and sent[0].caption == "chart"
        assert sent[1].document is not None and sent[1].document.file_name == "data.csv"
        assert [m.photo is not None for m in sent[2:4]] == [True, True]
        assert sent[2].media_group_id is not None
        assert sent[2].media_group_id == sent[3].media_group_id
        assert sent[4].location is not None and sent[4].location.latitude == 52.52
        assert sent[5].poll is not None
        assert [o.text for o in sent[5].poll.options] == ["Pizza", "Salad"]

        pin_me = emulator.send(user, "/pinme")
        emulator.wait_for(
            user.id,
            lambda m: pin_me.message_id in emulator.chat_state(user.id)["pinned"],
            timeout=20,
            what="the pin",
        )
        forget = emulator.send(user, "/forget")
        assert emulator.expect_reply(user.id).text == "gone"
        assert forget.message_id not in [m.message_id for m in emulator.messages(user.id)]


def context(message: dict[str, Any]) -> Context:
    base = {"message_id": 5, "date": 0, "chat": {"id": -100, "type": "supergroup", "title": "F"}}
    update = typed.convert({"update_id": 1, "message": {**base, **message}}, t.Update)
    kind = update_kind(update)
    assert kind is not None
    return Context(update, kind, chat_id_of(update, kind), bot=None)  # type: ignore[arg-type]


def test_replies_stay_in_the_forum_topic_of_the_update() -> None:
    in_topic = context({"text": "hi", "message_thread_id": 17, "is_topic_message": True})
    assert in_topic._reply_params("yo", {}) == {
        "chat_id": -100,
        "message_thread_id": 17,
        "text": "yo",
    }
    assert in_topic._in_chat("a photo", {"photo": "x"})["message_thread_id"] == 17
    # a reply thread in a group without topics is not a topic: no thread id
    plain = context({"text": "hi", "message_thread_id": 3})
    assert "message_thread_id" not in plain._reply_params("yo", {})


def test_helpers_refuse_what_cannot_work() -> None:
    ctx = context({"text": "hi"})
    with pytest.raises(ValueError, match="2-10 items, not 1"):
        asyncio.run(ctx.reply_media_group(["one"]))
    pressed = typed.convert(
        {
            "update_id": 2,
            "inline_query": {
                "id": "q",
                "from": {"id": 1, "is_bot": False, "first_name": "A"},
                "query": "",
                "offset": "",
            },
        },
        t.Update,
    )
    chatless = Context(pressed, "inline_query", None, bot=None)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="no chat to send a photo to"):
        asyncio.run(chatless.reply_photo("x"))
    with pytest.raises(RuntimeError, match="no message to pin"):
        asyncio.run(chatless.pin())
