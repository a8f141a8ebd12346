"""Where a webhook update waits between "acknowledged to Telegram" and "handled".

Telegram forgets an update once the webhook answered 200, so the app writes it down first:
:meth:`Inbox.keep` returns once the update is durable, the app answers 200, the handler
runs, and :meth:`Inbox.done` marks it finished. A process that dies in between (kill -9,
OOM, a deploy) finds the unfinished updates with :meth:`Inbox.unfinished` on its next
start and handles them, in arrival order, so the only repeats are updates that were in
flight.

:class:`SQLiteInbox` is the default (one file, embedded). Writes are group-committed:
every update that arrives while a commit is being prepared joins it, so one commit serves
many requests, and no ``fsync`` happens per commit unless ``fsync=True`` (WAL with
``synchronous=NORMAL`` survives a killed process; ``fsync`` also survives a power cut).
Another backend (a Redis inbox for several processes) implements the same four methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

log = logging.getLogger("telewire.webhook")
KEEP_DONE = 10_000
"""How many finished update ids the inbox remembers, so a redelivery is not handled twice."""


class Inbox(Protocol):
    async def keep(self, update_id: int, body: bytes) -> bool:
        """Make the update durable; False if this inbox already holds it (a redelivery)."""
        ...

    def done(self, update_id: int) -> None:
        """The update was handled; written soon, not awaited (a crash before: one repeat)."""
        ...

    async def unfinished(self) -> list[bytes]:
        """Bodies of updates kept but not done, in the order they arrived."""
        ...

    async def close(self) -> None: ...


class SQLiteInbox:
    """The inbox in one SQLite file (WAL), group-committed.

    Without ``fsync`` a commit only appends to the WAL (tens of microseconds), so it runs
    on the event loop, once per loop turn for everything that arrived in that turn; the
    WAL checkpoints, which do fsync, run in a thread of their own so the loop never waits
    for the disk. With ``fsync`` every commit waits for the disk, so commits run in a
    writer thread and whatever arrives meanwhile joins the next one.

    One process per file: a second process starting on the same file would take the
    first one's in-flight updates for unfinished ones and handle them again.
    """

    def __init__(self, path: str | Path, *, fsync: bool = False, keep_done: int = KEEP_DONE):
        from telewire.storage import StorageError, connect

        self.path = Path(path)
        self.fsync = fsync
        self.keep_done = keep_done
        try:
            self._db = connect(self.path, durable=fsync)
            # One b-tree keyed by update_id (each commit touches few pages); ``seq`` keeps
            # arrival order without an index (read only at start and when pruning).
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS webhook_inbox (update_id INTEGER PRIMARY KEY, "
                "seq INTEGER NOT NULL, body BLOB, done INTEGER NOT NULL DEFAULT 0)"
            )
            last = self._db.execute("SELECT MAX(seq) FROM webhook_inbox").fetchone()[0]
        except sqlite3.Error as exc:
            raise StorageError(
                f"cannot keep the webhook inbox in {self.path} ({exc}); check the path, or "
                "move the file away to start afresh"
            ) from None
        self._incoming: list[tuple[int, bytes, asyncio.Future[bool]]] = []
        self._done: list[tuple[int]] = []
        self._unmarked: list[tuple[int]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._soon: asyncio.Handle | None = None
        self._executor = ThreadPoolExecutor(1, "telewire-inbox") if fsync else None
        self._checkpoints = None if fsync else _Checkpointer(self.path)
        if self._checkpoints is not None:
            self._db.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer does them
        self._since_prune = 0
        self._seq = int(last or 0)
        self._failing = ""

    async def keep(self, update_id: int, body: bytes) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._incoming.append((update_id, body, future))
        self._wake()
        return await future

    def done(self, update_id: int) -> None:
        self._done.append((update_id,))
        self._wake()

    async def unfinished(self) -> list[bytes]:
        await self._settle()
        rows = self._db.execute(
            "SELECT body FROM webhook_inbox WHERE done = 0 ORDER BY seq"
        ).fetchall()
        return [bytes(row[0]) for row in rows]

    async def close(self) -> None:
        await self._settle()
        if self._executor is not None:
            self._executor.shutdown()
        if self._checkpoints is not None:
            self._checkpoints.stop()
        self._db.close()

    # -- group commit -------------------------------------------------------------------

    def _wake(self) -> None:
        if self._executor is None:
            if self._soon is None:
                self._soon = asyncio.get_running_loop().call_soon(self._flush_here)
        elif self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_in_thread())

    async def _settle(self) -> None:
        if self._soon is not None:
            self._soon.cancel()
            self._flush_here()
        while self._flusher is not None:
            await asyncio.shield(self._flusher)

    def _flush_here(self) -> None:
        """Commit everything that arrived during this loop turn, in one transaction."""
        self._soon = None
        incoming, self._incoming = self._incoming, []
        done, self._done, self._unmarked = self._unmarked + self._done, [], []
        try:
            fresh = self._write(incoming, done)
        except Exception as exc:
            self._failed(incoming, done, exc)
            return
        self._kept(incoming, fresh)
        assert self._checkpoints is not None
        self._checkpoints.wrote()

    async def _flush_in_thread(self) -> None:
        """Commit what has gathered; whatever arrives meanwhile goes into the next commit."""
        loop = asyncio.get_running_loop()
        try:
            while self._incoming or self._done:
                incoming, self._incoming = self._incoming, []
                done, self._done, self._unmarked = self._unmarked + self._done, [], []
                try:
                    fresh = await loop.run_in_executor(self._executor, self._write, incoming, done)
                except Exception as exc:
                    self._failed(incoming, done, exc)
                    continue
                self._kept(incoming, fresh)
        finally:
            self._flusher = None

    def _kept(
        self, incoming: list[tuple[int, bytes, asyncio.Future[bool]]], fresh: list[bool]
    ) -> None:
        self._failing = ""
        for (_, _, future), new in zip(incoming, fresh, strict=True):
            if not future.done():
                future.set_result(new)

    def _failed(
        self,
        incoming: list[tuple[int, bytes, asyncio.Future[bool]]],
        done: list[tuple[int]],
        exc: Exception,
    ) -> None:
        """A full disk, a removed file: those requests get 503 and Telegram retries them;
        the done marks wait for the next commit (not retried on their own: no busy loop)."""
        self._unmarked = done
        if str(exc) != self._failing:  # once per kind of trouble, not once per batch
            log.error("webhook inbox %s: cannot write (%s)", self.path, exc)
        self._failing = str(exc)
        for _, _, future in incoming:
            if not future.done():
                future.set_exception(exc)

    def _write(
        self, incoming: list[tuple[int, bytes, asyncio.Future[bool]]], done: list[tuple[int]]
    ) -> list[bool]:
        db = self._db
        fresh: list[bool] = []
        db.execute("BEGIN IMMEDIATE")
        try:
            for update_id, body, _ in incoming:
                self._seq += 1
                cursor = db.execute(
                    "INSERT OR IGNORE INTO webhook_inbox (update_id, seq, body) VALUES (?, ?, ?)",
                    (update_id, self._seq, body),
                )
                fresh.append(cursor.rowcount == 1)
            if done:
                db.executemany(
                    "UPDATE webhook_inbox SET done = 1, body = NULL WHERE update_id = ?", done
                )
                self._since_prune += len(done)
                if self._since_prune >= max(1, self.keep_done // 10):
                    self._since_prune = 0
                    db.execute(
                        "DELETE FROM webhook_inbox WHERE done = 1 AND seq <= ?",
                        (self._seq - self.keep_done,),
                    )
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return fresh


class _Checkpointer:
    """Copies the WAL into the database file (and fsyncs) away from the event loop.

    PASSIVE checkpoints never block the writer; one runs every ``every`` commits or once
    a second, which keeps the WAL file small.
    """

    def __init__(self, path: Path, every: int = 256) -> None:
        from telewire.storage import connect

        self._db = connect(path)
        self._every = every
        self._commits = 0
        self._poke = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="telewire-checkpoint", daemon=True)
        self._thread.start()

    def wrote(self) -> None:
        self._commits += 1
        if self._commits >= self._every:
            self._commits = 0
            self._poke.set()

    def _run(self) -> None:
        while not self._stopping:
            self._poke.wait(1.0)
            self._poke.clear()
            try:
                self._db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error as exc:  # the next one tries again; the WAL keeps the data
                log.warning("webhook inbox: checkpoint failed (%s)", exc)
        with contextlib.suppress(sqlite3.Error):  # a busy file: the next start checkpoints
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.close()

    def stop(self) -> None:
        self._stopping = True
        self._poke.set()
        self._thread.join(30)


class MemoryInbox:
    """No inbox: nothing is written, so a crash loses what was acknowledged but unhandled.

    For throwaway bots and benchmarks of the bare dispatch path; opt in with ``inbox=False``.
    """

    async def keep(self, update_id: int, body: bytes) -> bool:
        return True

    def done(self, update_id: int) -> None:
        return None

    async def unfinished(self) -> list[bytes]:
        return []

    async def close(self) -> None:
        return None
