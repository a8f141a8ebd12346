"""The blocking PostgreSQL connection under the ledger and the outbox, on a real server:
a connection dropped while idle is replaced without failing the call; one dropped in the
middle of a transaction fails it, once, with StorageUnavailable; the next call reconnects."""

from __future__ import annotations

import psycopg
import pytest

from telewire.storage import StorageUnavailable
from telewire.storage.postgres_blocking import BlockingPostgres
from telewire.testing.servers import PostgresServer


def end_session(url: str, pid: int) -> None:
    """What a server restart or an idle timeout does to a connection: ends it."""
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))


def backend(server: BlockingPostgres) -> int:
    with server.transaction() as db:
        row = db.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    return int(row[0])


def test_a_connection_dropped_while_idle_is_replaced_without_failing_the_call(
    postgres_server: PostgresServer,
) -> None:
    server = BlockingPostgres(postgres_server.url, purpose="test")
    try:
        first = backend(server)
        assert server.session == 1
        end_session(postgres_server.url, first)
        second = backend(server)  # no StorageUnavailable: BEGIN found the drop, nothing done
        assert second != first and server.session == 2
    finally:
        server.close()


def test_a_drop_inside_a_transaction_fails_it_once_and_the_next_call_reconnects(
    postgres_server: PostgresServer,
) -> None:
    server = BlockingPostgres(postgres_server.url, purpose="test")
    try:
        pid = backend(server)
        with pytest.raises(StorageUnavailable, match="the test cannot reach PostgreSQL"):
            with server.transaction() as db:
                db.execute("SELECT 1")
                end_session(postgres_server.url, pid)  # after the work began: not retried
                db.execute("SELECT 2")
        assert backend(server) != pid and server.session == 2
    finally:
        server.close()


def test_the_server_is_asked_to_notice_a_vanished_client_within_seconds(
    postgres_server: PostgresServer,
) -> None:
    """A cut-off deliverer's advisory lock is freed only when the server ends its session:
    by default after the OS's keepalive time (often 2 hours)."""
    server = BlockingPostgres(postgres_server.url, purpose="test")
    try:
        with server.transaction() as db:
            shown = [
                db.execute(f"SHOW {name}").fetchone()
                for name in (
                    "tcp_keepalives_idle",
                    "tcp_keepalives_interval",
                    "tcp_keepalives_count",
                )
            ]
    finally:
        server.close()
    assert shown == [("10",), ("5",), ("3",)]
