"""A blocking PostgreSQL connection for the features called from plain threads.

The ledger and the outbox are called from sync code (a till, a cron job, an outbox's
sender thread), so they need a blocking driver; :mod:`telewire.storage.postgres` serves
the async :class:`~telewire.storage.Storage` on asyncpg, which has no blocking face. This
is psycopg 3, the PostgreSQL driver of record.

One connection per object, shared by its threads under a lock (each statement is short, and
a PostgreSQL connection is a server process, so one per thread would not scale). A
connection the server or the network dropped is noticed at the next use: at a
transaction's BEGIN it is replaced at once (nothing was done yet); later, it is raised as
:class:`~telewire.storage.StorageUnavailable` and reopened on the next use. ``session``
counts the reopenings so that anything tied to a session (an advisory lock) knows it is gone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from telewire.storage.base import StorageUnavailable
from telewire.storage.urls import _redact, _require

if TYPE_CHECKING:
    import psycopg

SCHEMES = ("postgresql://", "postgres://")
_SERVER_KEEPALIVES = (
    "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"
)


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.strip().lower().startswith(SCHEMES)


class BlockingPostgres:
    """One lazily opened, thread-shared psycopg connection to ``url`` (autocommit between
    :meth:`transaction` blocks)."""

    def __init__(self, url: str, *, purpose: str) -> None:
        _require("psycopg", "postgres")
        self.url = url.strip()
        self.where = _redact(self.url)
        self.purpose = purpose
        self.session = 0
        """Bumped each time a new connection (a new server session) is opened."""
        self._lock = threading.RLock()
        self._db: psycopg.Connection[Any] | None = None

    def __repr__(self) -> str:
        return f"BlockingPostgres({self.where!r})"

    def _connection(self) -> psycopg.Connection[Any]:
        import psycopg

        if self._db is None or self._db.closed:
            try:
                self._db = psycopg.connect(
                    self.url,
                    autocommit=True,
                    connect_timeout=10,
                    keepalives=1,  # this side notices a dead server within ~25 s
                    keepalives_idle=10,
                    keepalives_interval=5,
                    keepalives_count=3,
                    # ...and the server a dead or cut-off client (the default is the OS's,
                    # often 2 hours): it then ends the session and frees its advisory
                    # locks, so a standby outbox deliverer can take over.
                    options=_SERVER_KEEPALIVES,
                    application_name=f"telewire {self.purpose}",
                )
            except psycopg.Error as exc:
                raise self._unavailable(exc) from None
            self.session += 1
        return self._db

    def _unavailable(self, exc: BaseException) -> StorageUnavailable:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StorageUnavailable(
            f"the {self.purpose} cannot reach PostgreSQL at {self.where} ({reason}); "
            "check that the server is running and the URL is right"
        )

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection inside one transaction, held by this thread until it ends.

        A connection dropped while idle (a server restart, an idle timeout) shows at BEGIN,
        before any work: it is replaced and BEGIN tried once more, so the first call after
        a restart does not fail for nothing. A drop after that raises
        :class:`StorageUnavailable` (the work was not done; the next call reconnects);
        any other database error propagates as psycopg's.
        """
        with self._lock:
            for fresh in (False, True):
                db = self._connection()
                began = False
                try:
                    with self._noticing(db), db.transaction():
                        began = True
                        yield db
                    return
                except StorageUnavailable:
                    if began or fresh:
                        raise

    @contextmanager
    def held(self) -> Iterator[psycopg.Connection[Any]]:
        """The connection outside any transaction (for session-level statements)."""
        with self._lock:
            db = self._connection()
            with self._noticing(db):
                yield db

    @contextmanager
    def _noticing(self, db: psycopg.Connection[Any]) -> Iterator[None]:
        """A dropped connection is forgotten and raised as :class:`StorageUnavailable`."""
        import psycopg

        try:
            yield
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            if db.closed or db.broken:
                self.drop()
                raise self._unavailable(exc) from None
            raise

    def drop(self) -> None:
        """Forget the connection (closing it ends its session and its advisory locks)."""
        with self._lock:
            db, self._db = self._db, None
        if db is not None:
            db.close()

    def close(self) -> None:
        self.drop()
