"""The ledger in PostgreSQL: one chain for every worker on every machine.

Two workers appending at once must not both chain to the same entry. Each append takes a
transaction-scoped advisory lock (appenders queue, readers go on; it needs no privilege
on the table, so the bot's role may have only SELECT and INSERT), reads the head and
inserts after it, in one transaction; ``seq`` is the primary key, so even a writer that
skipped the lock could not fork the chain, only fail. Times come from the server's clock
(machines' clocks differ) and never go back.

Append-only is kept by a trigger function refusing UPDATE, DELETE and TRUNCATE, enabled
ALWAYS (so ``session_replication_role = replica`` does not switch it off). A role that owns
the table can still drop it; a writer that finds it gone, disabled or rewritten restores it
(or, lacking the privilege, says it could not) and records that, and ``verify`` reports
it. The owner's anchors catch the rest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from telewire.features.ledger.anchors import Anchor
from telewire.features.ledger.chain import Entry, LedgerError, Problem, chained, row_of, walk
from telewire.features.ledger.reading import Verdict, judge
from telewire.storage import StorageUnavailable
from telewire.storage.postgres_blocking import BlockingPostgres

_SCHEMA_LOCK = 0x7465_6C67  # advisory lock id: first writers may race to create the table
_APPEND_LOCK = 0x7465_6C68  # advisory lock id: appends take turns (needs no table privilege)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS telewire_ledger (
    seq bigint PRIMARY KEY,
    time float8 NOT NULL,
    kind text NOT NULL,
    actor text NOT NULL,
    data text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    key text
);
CREATE INDEX IF NOT EXISTS telewire_ledger_by_key ON telewire_ledger (key) WHERE key IS NOT NULL;
"""
FUNCTION = "telewire_ledger_append_only"
_BODY = "BEGIN RAISE EXCEPTION 'the audit ledger is append-only'; END"
_FUNCTION_SQL = (
    f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $${_BODY}$$"
)
# name -> (how it is created, pg_trigger.tgtype: 1 row, 2 before, 8 delete, 16 update, 32 truncate)
TRIGGERS = {
    "telewire_ledger_no_change": (
        "CREATE TRIGGER telewire_ledger_no_change BEFORE UPDATE OR DELETE ON telewire_ledger"
        f" FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        1 | 2 | 8 | 16,
    ),
    "telewire_ledger_no_truncate": (
        "CREATE TRIGGER telewire_ledger_no_truncate BEFORE TRUNCATE ON telewire_ledger"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
        2 | 32,
    ),
}
_TRIGGERS_NOW = """
SELECT t.tgname, t.tgtype, t.tgenabled, t.tgqual IS NULL AND t.tgattr::text = '',
       p.proname, p.prosrc
FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
WHERE t.tgrelid = to_regclass('telewire_ledger') AND NOT t.tgisinternal
"""
_HEAD_AND_NOW = """
SELECT h.seq, h.hash, h.time, extract(epoch from clock_timestamp())::float8
FROM (SELECT 1) AS one LEFT JOIN LATERAL
    (SELECT seq, hash, time FROM telewire_ledger ORDER BY seq DESC LIMIT 1) AS h ON true
"""
_LAST = "SELECT seq, hash FROM telewire_ledger ORDER BY seq DESC LIMIT 1"
_ROWS = "SELECT seq, time, kind, actor, data, prev_hash, hash, key FROM telewire_ledger"


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip().lower()


def missing_triggers(db: Any) -> list[str]:
    """The append-only triggers that are gone, disabled, narrowed or no longer refuse."""
    found = {str(r[0]): r[1:] for r in db.execute(_TRIGGERS_NOW).fetchall()}
    missing = []
    for name, (_, tgtype) in TRIGGERS.items():
        now = found.get(name)
        intact = (
            now is not None
            and now[0] == tgtype
            and now[1] == "A"  # enabled ALWAYS: replica sessions fire it too
            and now[2]  # no WHEN clause, no column list
            and now[3] == FUNCTION
            and _normal(now[4]) == _normal(_BODY)
        )
        if not intact:
            missing.append(name)
    return missing


def _one(db: Any, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """The row of a query that always returns exactly one."""
    row = db.execute(sql, params).fetchone()
    assert row is not None
    return row


def _entry(row: Any) -> Entry:
    return Entry(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5], row[6], row[7])


class PostgresLedgerStore:
    def __init__(self, url: str) -> None:
        self.path = None
        self.server = BlockingPostgres(url, purpose="audit ledger")
        self.where = self.server.where
        try:
            self.restored = self._prepare()
        except BaseException:
            self.server.close()
            raise

    def _prepare(self) -> bool:
        """Create the table and its guard, or restore a removed guard (True if it was).

        Creates nothing when the table is there, so a role with only SELECT and INSERT on
        it can write; such a role cannot restore a removed guard either, and then
        ``unguarded`` says so (the writer records that, :class:`Ledger` does).
        """
        import psycopg

        self.unguarded = False
        with self.server.transaction() as db:
            db.execute(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")
            existed = _one(db, "SELECT to_regclass('telewire_ledger') IS NOT NULL")[0]
            if not existed:
                db.execute(_SCHEMA)
            gone = missing_triggers(db)
            try:
                with db.transaction():  # a savepoint: a refusal undoes only this part
                    if gone:
                        db.execute(_FUNCTION_SQL)
                    for name in gone:
                        db.execute(f"DROP TRIGGER IF EXISTS {name} ON telewire_ledger")
                        db.execute(TRIGGERS[name][0])
                        db.execute(f"ALTER TABLE telewire_ledger ENABLE ALWAYS TRIGGER {name}")
            except psycopg.errors.InsufficientPrivilege:
                self.unguarded = True
                return False
        return bool(existed) and bool(gone)

    def append(
        self, kind: str, actor: str, payload: str, key: str | None, *, first: bool = False
    ) -> tuple[Entry, bool]:
        with self.server.transaction() as db:
            db.execute(f"SELECT pg_advisory_xact_lock({_APPEND_LOCK})")
            if first and key is not None:
                found = db.execute(f"{_ROWS} WHERE key = %s ORDER BY seq LIMIT 1", (key,))
                row = found.fetchone()
                if row is not None:
                    return _entry(row), False
            seq, prev, last_time, now = _one(db, _HEAD_AND_NOW)
            last = (seq, prev, last_time) if seq is not None else None
            entry = chained(last, float(now), kind, actor, payload, key)
            db.execute(
                "INSERT INTO telewire_ledger (seq, time, kind, actor, data, prev_hash, hash, key)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                row_of(entry, payload),
            )
        return entry, True

    def entries(self, after: int, limit: int) -> list[Entry]:
        with self.server.transaction() as db:
            rows = db.execute(f"{_ROWS} WHERE seq > %s ORDER BY seq LIMIT %s", (after, limit))
            return [_entry(r) for r in rows.fetchall()]

    def find(self, key: str) -> list[Entry]:
        with self.server.transaction() as db:
            rows = db.execute(f"{_ROWS} WHERE key = %s ORDER BY seq", (key,))
            return [_entry(r) for r in rows.fetchall()]

    def keys(self, prefix: str) -> list[str]:
        with self.server.transaction() as db:
            rows = db.execute(
                "SELECT DISTINCT key FROM telewire_ledger WHERE key IS NOT NULL"
                " AND left(key, char_length(%s)) = %s ORDER BY key",
                (prefix, prefix),
            )
            return [str(r[0]) for r in rows.fetchall()]

    def head(self) -> Anchor | None:
        with self.server.transaction() as db:
            row = db.execute(_LAST).fetchone()
        return Anchor(int(row[0]), str(row[1])) if row else None

    def verify(self, anchors: list[Anchor]) -> Verdict:
        with reading(self.server) as db:
            return _verdict(db, anchors)

    def close(self) -> None:
        self.server.close()


@contextmanager
def reading(server: BlockingPostgres) -> Iterator[Any]:
    """One read-only snapshot of the ledger table, which must exist; nothing is created."""
    with server.transaction() as db:
        db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        if not _one(db, "SELECT to_regclass('telewire_ledger') IS NOT NULL")[0]:
            raise LedgerError(
                f"cannot use {server.where} as an audit ledger: it has no table telewire_ledger"
            )
        yield db


def _verdict(db: Any, anchors: list[Anchor]) -> Verdict:
    problems, chain = walk(db.execute(f"{_ROWS} ORDER BY seq").fetchall())
    for name in missing_triggers(db):
        problems.append(
            Problem(0, f"the trigger {name} that keeps the ledger append-only is missing")
        )
    return judge(problems, chain, anchors)


@contextmanager
def server_of(url: str) -> Iterator[BlockingPostgres]:
    """A short-lived connection for one check, closed after; an unreachable server is a
    :class:`LedgerError` (what to fix), like a missing file."""
    server = BlockingPostgres(url, purpose="audit check")
    try:
        yield server
    except StorageUnavailable as exc:
        raise LedgerError(str(exc)) from None
    finally:
        server.close()


def verify_postgres(url: str, anchors: list[Anchor]) -> Verdict:
    """:func:`~telewire.features.ledger.verify_file` for a ledger in PostgreSQL (read-only)."""
    with server_of(url) as server, reading(server) as db:
        return _verdict(db, anchors)


def read_postgres(url: str) -> list[Entry]:
    with server_of(url) as server, reading(server) as db:
        return [_entry(r) for r in db.execute(f"{_ROWS} ORDER BY seq").fetchall()]


def day_in_postgres(url: str, start: float, end: float) -> tuple[Anchor | None, int]:
    """The last entry before ``end`` and how many entries fall in [start, end)."""
    with server_of(url) as server, reading(server) as db:
        row = db.execute(
            "SELECT seq, hash FROM telewire_ledger WHERE time < %s ORDER BY seq DESC LIMIT 1",
            (end,),
        ).fetchone()
        count = _one(
            db, "SELECT count(*) FROM telewire_ledger WHERE time >= %s AND time < %s", (start, end)
        )[0]
    return (Anchor(int(row[0]), str(row[1])) if row else None), int(count)
