"""Replies beyond text, for handlers: photos, files, albums, places, polls, typing, pin, delete.

    await ctx.reply_photo(InputFile("chart.png"), caption="This week")
    async with ctx.typing():                    # "typing…" shown while the work runs
        report = await build_report()
    await ctx.pin()                             # the message the update is about
    await ctx.delete()

Mixed into :class:`~telewire.routing.context.Context` (coroutines) and
:class:`~telewire.routing.context.SyncContext` (blocking). Every send goes to the
update's chat and, in a forum supergroup, to the update's topic: Telegram would otherwise
post it in "General". Options of the underlying method (``reply_markup``,
``disable_notification``...) pass through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from telewire.api._generated import types as t
from telewire.core.errors import TelewireError

if TYPE_CHECKING:
    from telewire.api._generated.types import Update
    from telewire.client.async_bot import AsyncBot
    from telewire.client.bot import Bot

log = logging.getLogger("telewire.routing")
TYPING_EVERY = 4.5  # Telegram shows an action for 5 s, or until the bot's next message
MEDIA_GROUP = range(2, 11)


class Targets:
    """Where a reply goes and which message an update is about; shared by both faces."""

    __slots__ = ()
    if TYPE_CHECKING:
        update: Update
        kind: str
        chat_id: int | None

        @property
        def message(self) -> t.Message | None: ...

    def _in_chat(self, what: str, options: dict[str, Any]) -> dict[str, Any]:
        if self.chat_id is None:
            raise RuntimeError(f"this {self.kind} update has no chat to send {what} to")
        params: dict[str, Any] = {"chat_id": self.chat_id}
        thread = self._topic()
        if thread is not None:
            params["message_thread_id"] = thread
        return {**params, **options}

    def _topic(self) -> int | None:
        """The forum topic of the update's message, if it is in one."""
        message = self.message
        if message is not None and message.is_topic_message:
            return message.message_thread_id
        return None

    def _the_message(self, action: str) -> dict[str, Any]:
        message = self.message
        if message is None:
            raise RuntimeError(f"a {self.kind} update has no message to {action}")
        return {"chat_id": message.chat.id, "message_id": message.message_id}


def _album(media: Sequence[Any], options: dict[str, Any]) -> dict[str, Any]:
    if len(media) not in MEDIA_GROUP:
        raise ValueError(f"a media group has 2-10 items, not {len(media)}")
    items = [m if isinstance(m, t.TelegramObject) else t.InputMediaPhoto(media=m) for m in media]
    return {"media": items, **options}


class AsyncReplies(Targets):
    """The coroutine helpers of :class:`~telewire.routing.context.Context`."""

    __slots__ = ()
    if TYPE_CHECKING:
        bot: AsyncBot

    async def reply_photo(
        self, photo: Any, caption: str | None = None, **options: Any
    ) -> t.Message:
        """Send a photo (an ``InputFile``, a file_id or a URL) to the update's chat."""
        params = self._in_chat("a photo", {"photo": photo, "caption": caption, **options})
        return await self.bot.send_photo(**params)  # type: ignore[no-any-return]

    async def reply_document(
        self, document: Any, caption: str | None = None, **options: Any
    ) -> t.Message:
        """Send a file (an ``InputFile``, a file_id or a URL) as a document."""
        params = self._in_chat("a document", {"document": document, "caption": caption, **options})
        return await self.bot.send_document(**params)  # type: ignore[no-any-return]

    async def reply_media_group(self, media: Sequence[Any], **options: Any) -> list[t.Message]:
        """Send 2-10 items as an album; plain files or ids become photos."""
        params = self._in_chat("an album", _album(media, options))
        return await self.bot.send_media_group(**params)  # type: ignore[no-any-return]

    async def reply_location(self, latitude: float, longitude: float, **options: Any) -> t.Message:
        params = self._in_chat(
            "a location", {"latitude": latitude, "longitude": longitude, **options}
        )
        return await self.bot.send_location(**params)  # type: ignore[no-any-return]

    async def reply_poll(self, question: str, options: Sequence[str], **more: Any) -> t.Message:
        """Send a poll; ``options`` are the answers' texts (2-12)."""
        answers = [t.InputPollOption(text=text) for text in options]
        params = self._in_chat("a poll", {"question": question, "options": answers, **more})
        return await self.bot.send_poll(**params)  # type: ignore[no-any-return]

    @contextlib.asynccontextmanager
    async def typing(self, action: str = "typing") -> AsyncIterator[None]:
        """Show "typing…" (or ``upload_photo``...) in the chat while the block runs.

        Repeated every 4.5 s, since Telegram shows an action for 5 s; a failure to show it
        is logged and ignored, because the work matters more than the indicator.
        """
        params = self._in_chat("an action", {"action": action})

        async def keep_showing() -> None:
            while True:
                try:
                    await self.bot.send_chat_action(**params)
                except TelewireError as exc:
                    log.debug("could not show %s: %s", action, exc)
                await asyncio.sleep(TYPING_EVERY)

        task = asyncio.get_running_loop().create_task(keep_showing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def delete(self) -> bool:
        """Delete the message (for a button press: the message under the button)."""
        return await self.bot.delete_message(**self._the_message("delete"))  # type: ignore[no-any-return]

    async def pin(self, *, notify: bool = False) -> bool:
        """Pin the message in its chat (silently unless ``notify``)."""
        params = {**self._the_message("pin"), "disable_notification": not notify}
        return await self.bot.pin_chat_message(**params)  # type: ignore[no-any-return]


class SyncReplies(Targets):
    """The blocking helpers of :class:`~telewire.routing.context.SyncContext`."""

    __slots__ = ()
    if TYPE_CHECKING:
        bot: Bot

    def reply_photo(self, photo: Any, caption: str | None = None, **options: Any) -> t.Message:
        params = self._in_chat("a photo", {"photo": photo, "caption": caption, **options})
        return self.bot.send_photo(**params)  # type: ignore[no-any-return]

    def reply_document(
        self, document: Any, caption: str | None = None, **options: Any
    ) -> t.Message:
        params = self._in_chat("a document", {"document": document, "caption": caption, **options})
        return self.bot.send_document(**params)  # type: ignore[no-any-return]

    def reply_media_group(self, media: Sequence[Any], **options: Any) -> list[t.Message]:
        return self.bot.send_media_group(**self._in_chat("an album", _album(media, options)))  # type: ignore[no-any-return]

    def reply_location(self, latitude: float, longitude: float, **options: Any) -> t.Message:
        params = self._in_chat(
            "a location", {"latitude": latitude, "longitude": longitude, **options}
        )
        return self.bot.send_location(**params)  # type: ignore[no-any-return]

    def reply_poll(self, question: str, options: Sequence[str], **more: Any) -> t.Message:
        answers = [t.InputPollOption(text=text) for text in options]
        params = self._in_chat("a poll", {"question": question, "options": answers, **more})
        return self.bot.send_poll(**params)  # type: ignore[no-any-return]

    @contextlib.contextmanager
    def typing(self, action: str = "typing") -> Iterator[None]:
        """Show "typing…" while the block runs (from a helper thread, every 4.5 s)."""
        params = self._in_chat("an action", {"action": action})
        done = threading.Event()

        def keep_showing() -> None:
            while not done.is_set():
                try:
                    self.bot.send_chat_action(**params)
                except TelewireError as exc:
                    log.debug("could not show %s: %s", action, exc)
                done.wait(TYPING_EVERY)

        shower = threading.Thread(target=keep_showing, name="telewire-typing", daemon=True)
        shower.start()
        try:
            yield
        finally:
            done.set()
            shower.join()

    def delete(self) -> bool:
        return self.bot.delete_message(**self._the_message("delete"))  # type: ignore[no-any-return]

    def pin(self, *, notify: bool = False) -> bool:
        params = {**self._the_message("pin"), "disable_notification": not notify}
        return self.bot.pin_chat_message(**params)  # type: ignore[no-any-return]
