"""The outbox's faces: :class:`Outbox` (a sender thread) and :class:`AsyncOutbox` (a task)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import msgspec

from telewire.core.errors import TelewireError
from telewire.core.flood import SENDER, Limits
from telewire.core.retry import RetryPolicy
from telewire.deadlines import wait_event
from telewire.features.outbox.courier import Courier
from telewire.features.outbox.lock import DeliveryLock
from telewire.features.outbox.store import OutboxStore

if TYPE_CHECKING:
    from telewire.api._generated.types import InlineKeyboardMarkup

NO_RETRY = RetryPolicy(attempts=1)  # the outbox keeps its own account of attempts


def default_path() -> Path:
    from telewire.paths import state_dir

    return state_dir() / "outbox.db"


class OutboxStatus(TypedDict):
    """How many messages are in each state (see :mod:`telewire.features.outbox.store`)."""

    pending: int
    delivered: int
    dead: int


class _OutboxBase:
    def __init__(
        self,
        path: str | Path | None = None,
        *,
        token: str | None = None,
        base_url: str | None = None,
        chat_id: int | str | None = None,
        limits: Limits | None = SENDER,
        max_backoff: float = 60.0,
    ) -> None:
        from telewire import settings

        found = settings.resolve(token=token, api_url=base_url)
        self.token, self.base_url = found.token, found.api_url
        self.chat_id = (
            chat_id
            if chat_id is not None
            else (settings.parse_chat_id(found.chat_id) if found.chat_id else None)
        )
        self.store = OutboxStore(path or default_path())
        self.courier = Courier(self.store, limits, max_backoff)
        self.lock = DeliveryLock(self.store.path)

    def _items(
        self,
        text: str,
        chat_id: int | str | None,
        parse_mode: str | None,
        disable_notification: bool | None,
        reply_markup: InlineKeyboardMarkup | None,
    ) -> list[tuple[str, dict[str, Any]]]:
        from telewire.text import text_messages

        chat = chat_id if chat_id is not None else self.chat_id
        if chat is None:
            raise ValueError(
                "no chat to notify: pass chat_id, set TELEGRAM_CHAT_ID, or run `telewire setup`"
            )
        extra: dict[str, Any] = {}
        if disable_notification is not None:
            extra["disable_notification"] = disable_notification
        pieces = text_messages(text, parse_mode)
        items = []
        for number, piece in enumerate(pieces, 1):
            params = {"chat_id": chat, **extra, **{k: v for k, v in piece.items() if v is not None}}
            if reply_markup is not None and number == len(pieces):  # buttons under the end
                params["reply_markup"] = msgspec.to_builtins(reply_markup)
            items.append(("sendMessage", params))
        return items

    def queue(
        self, method: str, /, *, connection: sqlite3.Connection | None = None, **params: Any
    ) -> int:
        """Queue any sending method (its parameters must be JSON: file_ids, not uploads).

        ``params`` are the Bot API method's own parameters, which differ per method, hence
        untyped here; :meth:`notify` is the typed way to queue text. ``connection``: see
        :meth:`notify`.
        """
        if any(hasattr(v, "read") for v in params.values()):
            raise ValueError("the outbox stores JSON; upload the file first and queue its file_id")
        return self._enqueue([(method, params)], connection)[0]

    def _enqueue(
        self, items: list[tuple[str, dict[str, Any]]], connection: sqlite3.Connection | None
    ) -> list[int]:
        ids = self.store.enqueue(items, connection=connection)
        self._wake()  # a shared transaction's rows are seen once committed (within ~1 s)
        return ids

    def _wake(self) -> None:
        raise NotImplementedError

    def status(self) -> OutboxStatus:
        counts = self.store.counts()
        return OutboxStatus(
            pending=counts.get("pending", 0),
            delivered=counts.get("delivered", 0),
            dead=counts.get("dead", 0),
        )


class Outbox(_OutboxBase):
    """A durable outbox for blocking programs, delivering from a daemon thread."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        token: str | None = None,
        base_url: str | None = None,
        chat_id: int | str | None = None,
        limits: Limits | None = SENDER,
        max_backoff: float = 60.0,
        start: bool = True,
    ) -> None:
        super().__init__(
            path,
            token=token,
            base_url=base_url,
            chat_id=chat_id,
            limits=limits,
            max_backoff=max_backoff,
        )
        from telewire.client.blocking import BlockingClient

        self.client = BlockingClient(self.token, base_url=self.base_url, retry=NO_RETRY)
        self._wakeup = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        if start:
            self.start()

    def notify(
        self,
        text: str,
        *,
        chat_id: int | str | None = None,
        parse_mode: str | None = None,
        disable_notification: bool | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        connection: sqlite3.Connection | None = None,
    ) -> list[int]:
        """Queue ``text`` (split if long); returns once it is safely on disk.

        ``connection``: the program's own connection to the outbox's file, inside the
        program's transaction. The message is then part of that transaction: sent if it
        commits, never if it rolls back (the transactional outbox pattern).
        """
        items = self._items(text, chat_id, parse_mode, disable_notification, reply_markup)
        return self._enqueue(items, connection)

    def _wake(self) -> None:
        with self._wakeup:
            self._wakeup.notify_all()

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="telewire-outbox", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stopping:
                self._deliver_one()
        finally:
            self.lock.release()

    def _deliver_one(self) -> None:
        step = self.courier.take() if self.lock.acquire() else 1.0
        if isinstance(step, float):
            with self._wakeup:
                if not self._stopping:
                    self._wakeup.wait(step)
            return
        try:
            result = self.client.request(step.method, step.params)
        except TelewireError as error:
            self.courier.failed(step, error)
        else:
            self.courier.delivered(step, result)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until nothing is pending (True), or ``timeout`` passed (False)."""
        deadline = time.monotonic() + timeout
        while self.store.pending():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Stop the sender after at most ``timeout`` seconds of delivering what is due."""
        self.flush(timeout)
        self._stopping = True
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout)
        self.client.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOutbox(_OutboxBase):
    """A durable outbox for asyncio programs, delivering from a task (``await start()``)."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        token: str | None = None,
        base_url: str | None = None,
        chat_id: int | str | None = None,
        limits: Limits | None = SENDER,
        max_backoff: float = 60.0,
    ) -> None:
        super().__init__(
            path,
            token=token,
            base_url=base_url,
            chat_id=chat_id,
            limits=limits,
            max_backoff=max_backoff,
        )
        from telewire.client.async_bot import AsyncBot

        self.client = AsyncBot(self.token, base_url=self.base_url, retry=NO_RETRY)
        self._event: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    async def notify(
        self,
        text: str,
        *,
        chat_id: int | str | None = None,
        parse_mode: str | None = None,
        disable_notification: bool | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        connection: sqlite3.Connection | None = None,
    ) -> list[int]:
        """The twin of :meth:`Outbox.notify` (it does not wait on the network either)."""
        items = self._items(text, chat_id, parse_mode, disable_notification, reply_markup)
        return self._enqueue(items, connection)

    def _wake(self) -> None:
        if self._event is not None:
            self._event.set()

    async def start(self) -> None:
        self._event = asyncio.Event()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self._event is not None
        while True:
            step = self.courier.take() if self.lock.acquire() else 1.0
            if isinstance(step, float):
                self._event.clear()
                await wait_event(self._event, step)
                continue
            try:
                result = await self.client.request(step.method, step.params)
            except TelewireError as error:
                self.courier.failed(step, error)
            else:
                self.courier.delivered(step, result)

    async def flush(self, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while self.store.pending():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)
        return True

    async def close(self, timeout: float = 5.0) -> None:
        await self.flush(timeout)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self.lock.release()
        await self.client.close()

    async def __aenter__(self) -> AsyncOutbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
