"""The outbox's faces: :class:`Outbox` (a sender thread) and :class:`AsyncOutbox` (a task)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar

import msgspec

from telewire.core.errors import TelewireError
from telewire.core.flood import SENDER, FloodGate, Limits
from telewire.core.retry import RetryPolicy
from telewire.deadlines import wait_event
from telewire.features.outbox.courier import Courier
from telewire.features.outbox.store import open_store
from telewire.features.outbox.table import Row
from telewire.storage.base import StorageUnavailable

if TYPE_CHECKING:
    import os
    import ssl

    from telewire.api._generated.types import InlineKeyboardMarkup
    from telewire.features.outbox.table import ProgramConnection

T = TypeVar("T")
NO_RETRY = RetryPolicy(attempts=1)  # the outbox keeps its own account of attempts
STANDBY = 1.0  # how often a process that is not the deliverer asks for the lock
OUTAGE_PAUSE = 1.0  # how often the sender tries its database again while it is down
log = logging.getLogger("telewire.outbox")


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
        limits: Limits | FloodGate | None = SENDER,
        max_backoff: float = 60.0,
        proxy: str | None = None,
        tls: ssl.SSLContext | str | os.PathLike[str] | None = None,
        test_environment: bool = False,
    ) -> None:
        """``path``: the outbox's SQLite file (default: in the state directory), or a
        ``postgresql://`` URL, whose server must be reachable now
        (:class:`~telewire.storage.StorageUnavailable` otherwise). ``limits``: Telegram's flood
        limits as this process counts them, None for none, or a shared count
        (:func:`telewire.distributed.shared_flood_limit`: the same one the bot's ``telewire
        serve`` workers keep in Redis, so their sends and the outbox's add up to no more
        than Telegram allows). ``proxy``, ``tls``,
        ``test_environment``: as on :class:`~telewire.Bot`; the proxy and CA bundle also
        come from the environment or ``telewire setup``."""
        from telewire import settings

        found = settings.resolve(token=token, api_url=base_url, proxy=proxy)
        found.test_environment = test_environment
        self.token, self.base_url = found.token, found.api_url
        self.client_options = found.client_options()
        if tls is not None:
            self.client_options["tls"] = tls
        self.chat_id = (
            chat_id
            if chat_id is not None
            else (settings.parse_chat_id(found.chat_id) if found.chat_id else None)
        )
        self.store = open_store(path or default_path())
        self.courier = Courier(self.store, limits, max_backoff)
        self.lock = self.store.delivery_lock()
        self._outage = False

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

    @staticmethod
    def _one(method: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        if any(hasattr(v, "read") for v in params.values()):
            raise ValueError("the outbox stores JSON; upload the file first and queue its file_id")
        return [(method, params)]

    def _enqueue(
        self, items: list[tuple[str, dict[str, Any]]], connection: ProgramConnection | None
    ) -> list[int]:
        ids = self.store.enqueue(items, connection=connection)
        self._wake()  # a shared transaction's rows are seen once committed (within ~1 s)
        return ids

    def _wake(self) -> None:
        raise NotImplementedError

    def _next_step(self) -> Row | float:
        """The message to send now, or how long to wait: only the lock's holder sends."""
        if not self.lock.acquire():
            return STANDBY
        step = self.courier.take()
        if isinstance(step, float) or self.lock.held:
            return step
        self.courier.sent(step)  # not sent after all: give back its place in the windows
        return STANDBY

    def _down(self, error: StorageUnavailable) -> float:
        """The outbox's database is unreachable: say so once, and wait a little."""
        if not self._outage:
            log.warning("outbox paused: %s; trying again every second", error)
        self._outage = True
        return OUTAGE_PAUSE

    def _up(self) -> None:
        if self._outage:
            log.warning("outbox database %s is reachable again; delivering", self.store.where)
        self._outage = False

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
        limits: Limits | FloodGate | None = SENDER,
        max_backoff: float = 60.0,
        proxy: str | None = None,
        tls: ssl.SSLContext | str | os.PathLike[str] | None = None,
        test_environment: bool = False,
        start: bool = True,
    ) -> None:
        super().__init__(
            path,
            token=token,
            base_url=base_url,
            chat_id=chat_id,
            limits=limits,
            max_backoff=max_backoff,
            proxy=proxy,
            tls=tls,
            test_environment=test_environment,
        )
        from telewire.client.blocking import BlockingClient

        self.client = BlockingClient(self.token, retry=NO_RETRY, **self.client_options)
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
        connection: ProgramConnection | None = None,
    ) -> list[int]:
        """Queue ``text`` (split if long); returns once it is safely on disk (or committed
        on the PostgreSQL server).

        ``connection``: the program's own connection to the outbox's database (a
        ``sqlite3`` connection to its file, or a ``psycopg`` one to its PostgreSQL
        database), inside the program's transaction. The message is then part of that
        transaction: sent if it commits, never if it rolls back (the transactional outbox
        pattern). Raises :class:`~telewire.storage.StorageUnavailable` when PostgreSQL
        cannot be reached: the message was not queued.
        """
        items = self._items(text, chat_id, parse_mode, disable_notification, reply_markup)
        return self._enqueue(items, connection)

    def queue(
        self, method: str, /, *, connection: ProgramConnection | None = None, **params: Any
    ) -> int:
        """Queue any sending method (its parameters must be JSON: file_ids, not uploads).

        ``params`` are the Bot API method's own parameters, which differ per method, hence
        untyped here; :meth:`notify` is the typed way to queue text. ``connection``: see
        :meth:`notify`.
        """
        return self._enqueue(self._one(method, params), connection)[0]

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
                try:
                    self._deliver_one()
                    self._up()
                except StorageUnavailable as error:
                    self._pause(self._down(error))
        finally:
            self.lock.release()

    def _pause(self, seconds: float) -> None:
        with self._wakeup:
            if not self._stopping:
                self._wakeup.wait(seconds)

    def _deliver_one(self) -> None:
        step = self._next_step()
        if isinstance(step, float):
            self._pause(step)
            return
        try:
            result = self.client.request(step.method, step.params)
        except TelewireError as error:
            self.courier.failed(step, error)
            return
        self.courier.sent(step)
        while True:  # Telegram has it: losing that record would send it again
            try:
                self.courier.delivered(step, result)
                return
            except StorageUnavailable as error:
                if self._stopping:
                    log.error("outbox message %s was sent but not recorded: %s", step.id, error)
                    return
                self._pause(self._down(error))

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
        try:
            self.flush(timeout)
        except StorageUnavailable:
            pass  # the database is down: what is queued stays there for the next deliverer
        self._stopping = True
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout)
        self.client.close()
        self.store.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncOutbox(_OutboxBase):
    """A durable outbox for asyncio programs, delivering from a task.

    The twin of :class:`Outbox`: it starts delivering by itself (on the first message
    queued, or ``async with``), and its disk work (fsync'd commits) runs in a thread of
    its own, so the event loop never waits on the disk.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        token: str | None = None,
        base_url: str | None = None,
        chat_id: int | str | None = None,
        limits: Limits | FloodGate | None = SENDER,
        max_backoff: float = 60.0,
        proxy: str | None = None,
        tls: ssl.SSLContext | str | os.PathLike[str] | None = None,
        test_environment: bool = False,
    ) -> None:
        super().__init__(
            path,
            token=token,
            base_url=base_url,
            chat_id=chat_id,
            limits=limits,
            max_backoff=max_backoff,
            proxy=proxy,
            tls=tls,
            test_environment=test_environment,
        )
        from concurrent.futures import ThreadPoolExecutor

        from telewire.client.async_bot import AsyncBot

        self.client = AsyncBot(self.token, retry=NO_RETRY, **self.client_options)
        self._disk = ThreadPoolExecutor(1, thread_name_prefix="telewire-outbox-disk")
        self._event: asyncio.Event | None = None
        self._progress: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    async def _on_disk(self, work: Callable[..., T], *args: Any) -> T:
        """Run ``work`` in the outbox's own thread (one thread: one SQLite connection)."""
        return await asyncio.get_running_loop().run_in_executor(self._disk, work, *args)

    async def notify(
        self,
        text: str,
        *,
        chat_id: int | str | None = None,
        parse_mode: str | None = None,
        disable_notification: bool | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
        connection: ProgramConnection | None = None,
    ) -> list[int]:
        """The twin of :meth:`Outbox.notify`: returns once the text is on disk (or committed)."""
        items = self._items(text, chat_id, parse_mode, disable_notification, reply_markup)
        return await self._queue_items(items, connection)

    async def queue(
        self, method: str, /, *, connection: ProgramConnection | None = None, **params: Any
    ) -> int:
        """The twin of :meth:`Outbox.queue`: any sending method, JSON parameters."""
        return (await self._queue_items(self._one(method, params), connection))[0]

    async def _queue_items(
        self, items: list[tuple[str, dict[str, Any]]], connection: ProgramConnection | None
    ) -> list[int]:
        if connection is not None:  # the program's own transaction, on the program's thread
            ids = self._enqueue(items, connection)
        else:
            ids = await self._on_disk(self._enqueue, items, None)
        await self.start()
        return ids

    def _wake(self) -> None:
        if self._event is not None and self._loop is not None:  # maybe from the disk thread
            self._loop.call_soon_threadsafe(self._event.set)

    async def start(self) -> None:
        """Start delivering (idempotent; queueing and ``async with`` call it)."""
        if self._event is None:
            self._event, self._progress = asyncio.Event(), asyncio.Event()
            self._loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self._event is not None and self._progress is not None
        while True:
            try:
                step = await self._on_disk(self._next_step)
                self._up()
            except StorageUnavailable as error:
                step = self._down(error)
            if isinstance(step, float):
                self._event.clear()
                await wait_event(self._event, step)
                continue
            try:
                result = await self.client.request(step.method, step.params)
            except TelewireError as error:
                try:
                    await self._on_disk(self.courier.failed, step, error)
                except StorageUnavailable as down:
                    self._down(down)  # it stays due, and is tried again once the database is back
            else:
                self.courier.sent(step)
                await self._record(step, result)
            self._progress.set()

    async def _record(self, step: Row, result: Any) -> None:
        """Telegram has the message: losing that record would send it again, so retry it."""
        while True:
            try:
                await self._on_disk(self.courier.delivered, step, result)
                return
            except StorageUnavailable as error:
                await asyncio.sleep(self._down(error))

    async def flush(self, timeout: float = 30.0) -> bool:
        """Wait until nothing is pending (True), or ``timeout`` passed (False)."""
        deadline = time.monotonic() + timeout
        while await self._on_disk(self.store.pending):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self._progress is None:  # not delivering: nothing will change by waiting
                await asyncio.sleep(min(remaining, 0.05))
                continue
            self._progress.clear()
            await wait_event(self._progress, min(remaining, 1.0))
        return True

    async def close(self, timeout: float = 5.0) -> None:
        try:
            await self.flush(timeout)
        except StorageUnavailable:
            pass  # the database is down: what is queued stays there for the next deliverer
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await self._on_disk(self.lock.release)
        await self._on_disk(self.store.close)
        self._disk.shutdown(wait=False)
        await self.client.close()

    async def __aenter__(self) -> AsyncOutbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
