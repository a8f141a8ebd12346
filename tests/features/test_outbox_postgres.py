"""The outbox in PostgreSQL: one queue for processes on any number of machines.

Real parts throughout: a real PostgreSQL cluster, the emulator over HTTP, the deliverers
and producers as real subprocesses, kill -9 and a server crash at unhelpful moments.
"""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest

from telewire.features.outbox import AsyncOutbox, Outbox, OutboxStatus
from telewire.storage import StorageUnavailable
from telewire.testing import EmulatorHandle, TestUser
from telewire.testing.servers import PostgresServer, free_port
from tests.conftest import run_cli

HERE = Path(__file__).parent
T = TypeVar("T")
PASSWORD = "hunter2-secret"  # trust auth lets it through; it must never be shown


def with_password(url: str) -> str:
    return url.replace("telewire@", f"telewire:{PASSWORD}@", 1)


def fresh(url: str) -> str:
    """``url`` (with a password in it) on a database whose outbox table is gone."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("DROP TABLE IF EXISTS telewire_outbox")
    return with_password(url)


@pytest.fixture
def pg(postgres_server: PostgresServer) -> str:
    return fresh(postgres_server.url)


def env_for(emulator: EmulatorHandle) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": emulator.token,
        "TELEGRAM_API_URL": emulator.base_url,
    }


def outbox_for(emulator: EmulatorHandle, url: str, **options: Any) -> Outbox:
    return Outbox(url, token=emulator.token, base_url=emulator.base_url, **options)


def bot_texts(emulator: EmulatorHandle, chat: int) -> list[str]:
    return [m.text or "" for m in emulator.bot_messages(chat)]


def users(emulator: EmulatorHandle, count: int) -> list[TestUser]:
    people = [emulator.user(f"U{i}") for i in range(count)]
    for person in people:
        emulator.send(person, "/start")
    return people


def wait_for(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def start(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(HERE / "outbox_pg_process.py"), *args],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


class Deliverers:
    """Deliverer subprocesses, and the lines they say in the order they said them."""

    def __init__(self, url: str, env: dict[str, str], count: int) -> None:
        self.said: queue.Queue[tuple[subprocess.Popen[str], str]] = queue.Queue()
        self.processes = [start("deliver", url, env=env) for _ in range(count)]
        for process in self.processes:
            threading.Thread(target=self._listen, args=(process,), daemon=True).start()

    def _listen(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.said.put((process, line.strip()))

    def next_to_say(self, word: str, timeout: float = 30) -> subprocess.Popen[str]:
        process, line = self.said.get(timeout=timeout)
        assert line == word
        return process

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait(10)


def test_notify_through_postgres_arrives_in_order_and_the_cli_revives_a_dead_one(
    emulator: EmulatorHandle, alice: TestUser, pg: str
) -> None:
    with outbox_for(emulator, pg, chat_id=alice.id, limits=None) as outbox:
        ids = [outbox.notify(f"n{i}")[0] for i in range(10)]
        assert ids == sorted(ids)
        assert outbox.flush(10)
        assert outbox.status() == {"pending": 0, "delivered": 10, "dead": 0}
        emulator.block(alice)
        outbox.notify("while blocked")
        assert outbox.flush(10)
        assert outbox.status() == {"pending": 0, "delivered": 10, "dead": 1}
    assert bot_texts(emulator, alice.id) == [f"n{i}" for i in range(10)]

    shown = run_cli("outbox", "--path", pg)
    assert shown.returncode == 0, shown.stderr
    assert "10 delivered" in shown.stdout and "1 dead" in shown.stdout
    assert "dead #11" in shown.stdout and "bot was blocked by the user" in shown.stdout
    assert "telewire:***@" in shown.stdout and PASSWORD not in shown.stdout
    emulator.block(alice, blocked=False)
    emulator.send(alice, "I'm back")
    revived = run_cli("outbox", "retry", "11", "--path", pg)
    assert "1 dead letters queued again" in revived.stdout, revived.stderr
    delivered = run_cli("outbox", "deliver", "--path", pg, "--timeout", "20", env=env_for(emulator))
    assert delivered.returncode == 0 and "all delivered" in delivered.stdout, delivered.stderr
    assert bot_texts(emulator, alice.id)[-1] == "while blocked"
    purged = run_cli("outbox", "purge", "--path", pg)
    assert "11 messages removed" in purged.stdout, purged.stderr


def test_a_damaged_row_is_set_aside_and_the_rest_delivered(
    emulator: EmulatorHandle, alice: TestUser, pg: str, postgres_server: PostgresServer
) -> None:
    with outbox_for(emulator, pg, chat_id=alice.id, limits=None, start=False) as outbox:
        [damaged] = outbox.notify("one")
        outbox.notify("two")
        with psycopg.connect(postgres_server.url, autocommit=True) as db:
            db.execute("UPDATE telewire_outbox SET params = '{\"chat' WHERE id = %s", (damaged,))
        outbox.start()
        assert outbox.flush(10)
        assert outbox.status() == {"pending": 0, "delivered": 1, "dead": 1}
        [dead] = outbox.store.listing("dead")
        assert dead["id"] == damaged and "not valid JSON" in dead["damage"]
    assert bot_texts(emulator, alice.id) == ["two"]


def test_the_async_outbox_on_postgres_delivers_in_order(
    emulator: EmulatorHandle, alice: TestUser, pg: str
) -> None:
    async def main() -> None:
        async with AsyncOutbox(
            pg, token=emulator.token, base_url=emulator.base_url, chat_id=alice.id, limits=None
        ) as outbox:
            for i in range(5):
                await outbox.notify(f"a{i}")
            assert await outbox.flush(10)
            assert outbox.status() == {"pending": 0, "delivered": 5, "dead": 0}

    asyncio.run(main())
    assert bot_texts(emulator, alice.id) == [f"a{i}" for i in range(5)]


@pytest.mark.slow
def test_three_producers_and_two_deliverers_deliver_each_message_once_in_order(
    emulator: EmulatorHandle, pg: str
) -> None:
    env, count = env_for(emulator), 30
    chats = users(emulator, 3)
    ids = [str(chat.id) for chat in chats]
    deliverers = Deliverers(pg, env, 2)
    try:
        producers = [start("queue", pg, f"p{p}", str(count), *ids, env=env) for p in range(3)]
        for producer in producers:
            assert producer.stdout is not None and producer.stdout.readline().strip() == "queued"
            assert producer.wait(30) == 0

        def all_arrived() -> bool:
            return all(len(bot_texts(emulator, chat.id)) >= 3 * count for chat in chats)

        assert emulator.wait_until(all_arrived, timeout=60)
    finally:
        deliverers.stop()
    with outbox_for(emulator, pg, start=False) as outbox:
        assert outbox.status() == {"pending": 0, "delivered": 9 * count, "dead": 0}
    for chat in chats:
        sent = bot_texts(emulator, chat.id)
        assert sorted(sent) == sorted(f"p{p} {i}" for p in range(3) for i in range(count))
        for p in range(3):
            mine = [text for text in sent if text.startswith(f"p{p} ")]
            assert mine == [f"p{p} {i}" for i in range(count)], "one producer's order kept"


@pytest.mark.slow
def test_kill_9_of_the_deliverer_lets_the_standby_take_over(
    emulator: EmulatorHandle, alice: TestUser, pg: str
) -> None:
    with outbox_for(emulator, pg, chat_id=alice.id, start=False) as producer:
        for i in range(80):
            producer.notify(f"note {i}")
        emulator.faults("latency=1.0,latency_ms=15")
        deliverers = Deliverers(pg, env_for(emulator), 2)
        try:
            holder = deliverers.next_to_say("holding")
            wait_for(lambda: len(bot_texts(emulator, alice.id)) >= 25, 30, "25 messages")
            holder.send_signal(signal.SIGKILL)
            holder.wait(10)
            assert len(bot_texts(emulator, alice.id)) < 80, "killed mid-run"
            assert deliverers.next_to_say("holding", timeout=15) is not holder
            emulator.faults(None)
            wait_for(lambda: producer.status()["pending"] == 0, 30, "the standby to deliver")
        finally:
            deliverers.stop()
    sent = bot_texts(emulator, alice.id)
    expected = [f"note {i}" for i in range(80)]
    assert list(dict.fromkeys(sent)) == expected, "every message, in order"
    assert len(sent) - len(expected) <= 1, "at most the message in flight at the kill repeats"


@pytest.fixture(scope="module")
def crashable() -> Iterator[PostgresServer]:
    """A server of these tests' own, to crash: the session's server stays up."""
    server = PostgresServer(crash_safe=True)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_a_postgres_crash_loses_nothing_and_the_sender_carries_on(
    emulator: EmulatorHandle, alice: TestUser, crashable: PostgresServer
) -> None:
    url = fresh(crashable.url)
    emulator.faults("latency=1.0,latency_ms=20")
    with outbox_for(emulator, url, chat_id=alice.id, limits=None, max_backoff=0.3) as outbox:
        for i in range(60):
            outbox.notify(f"before {i}")
        wait_for(lambda: len(bot_texts(emulator, alice.id)) >= 10, 30, "10 messages")
        crashable.pause()
        with pytest.raises(StorageUnavailable) as refused:
            for _ in range(3):  # the first use may find the connection already known dead
                outbox.notify("during the outage")
        message = str(refused.value)
        assert "cannot reach PostgreSQL at postgresql://telewire:***@127.0.0.1" in message
        assert "\n" not in message and PASSWORD not in message
        assert len(bot_texts(emulator, alice.id)) < 60, "the crash came mid-run"
        crashable.resume()
        deadline = time.monotonic() + 20
        while True:  # the caller of a refused notify tries again: it was not queued
            try:
                outbox.notify("after the restart")
                break
            except StorageUnavailable:
                assert time.monotonic() < deadline, "the outbox never reconnected"
                time.sleep(0.1)
        emulator.faults(None)
        assert outbox.flush(30)
        assert outbox._thread is not None and outbox._thread.is_alive()
        assert outbox.status() == {"pending": 0, "delivered": 61, "dead": 0}
    sent = bot_texts(emulator, alice.id)
    assert sent == [f"before {i}" for i in range(60)] + ["after the restart"]


class AsyncFace:
    """An AsyncOutbox driven from this thread (its loop runs in another), so that one
    scenario tests both faces."""

    def __init__(self, outbox: AsyncOutbox) -> None:
        self.outbox = outbox
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._run(outbox.start())

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(60)

    def notify(self, text: str) -> list[int]:
        return self._run(self.outbox.notify(text))

    def flush(self, timeout: float) -> bool:
        return self._run(self.outbox.flush(timeout))

    def status(self) -> OutboxStatus:
        return self.outbox.status()

    def close(self) -> None:
        self._run(self.outbox.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.mark.slow
@pytest.mark.parametrize("face", ["Outbox", "AsyncOutbox"])
def test_a_message_telegram_accepted_during_an_outage_is_recorded_not_sent_again(
    emulator: EmulatorHandle,
    alice: TestUser,
    crashable: PostgresServer,
    caplog: pytest.LogCaptureFixture,
    face: str,
) -> None:
    url = fresh(crashable.url)
    options: dict[str, Any] = {"token": emulator.token, "base_url": emulator.base_url}
    options |= {"chat_id": alice.id, "limits": None}
    outbox = Outbox(url, **options) if face == "Outbox" else AsyncFace(AsyncOutbox(url, **options))
    try:
        emulator.faults("latency=1.0,latency_ms=1500")  # the reply comes 1.5 s after the send
        outbox.notify("in hand")
        assert emulator.wait_until(lambda: bot_texts(emulator, alice.id), timeout=10)
        crashable.pause()  # the send took effect; its reply arrives to a database that is gone
        with pytest.raises(StorageUnavailable, match="cannot reach PostgreSQL"):
            for _ in range(3):  # the first use may find the connection already known dead
                outbox.notify("during the outage")
        wait_for(lambda: "outbox paused" in caplog.text, 10, "the sender to notice the outage")
        emulator.faults(None)
        crashable.resume()
        wait_for(lambda: outbox.status()["delivered"] == 1, 20, "the delivery to be recorded")
        outbox.notify("next")
        assert outbox.flush(20)
        assert outbox.status() == {"pending": 0, "delivered": 2, "dead": 0}
    finally:
        outbox.close()
    assert bot_texts(emulator, alice.id) == ["in hand", "next"]


def test_a_message_queued_in_the_programs_transaction_is_sent_only_if_it_commits(
    emulator: EmulatorHandle, alice: TestUser, pg: str, postgres_server: PostgresServer
) -> None:
    with outbox_for(emulator, pg, chat_id=alice.id, limits=None) as outbox:
        with psycopg.connect(postgres_server.url) as program:
            program.execute("CREATE TEMPORARY TABLE bills (id int)")
            with program.transaction():
                program.execute("INSERT INTO bills VALUES (1)")
                outbox.notify("bill 1 paid", connection=program)
            try:
                with program.transaction():
                    program.execute("INSERT INTO bills VALUES (2)")
                    outbox.notify("bill 2 paid", connection=program)
                    raise psycopg.Rollback()
            finally:
                program.commit()
            with program.transaction():
                outbox.queue("sendMessage", chat_id=alice.id, text="bill 3", connection=program)
        assert emulator.wait_until(lambda: "bill 3" in bot_texts(emulator, alice.id), timeout=10)
        assert outbox.flush(10)
        assert outbox.status() == {"pending": 0, "delivered": 2, "dead": 0}
    assert bot_texts(emulator, alice.id) == ["bill 1 paid", "bill 3"]


def test_a_connection_that_would_not_share_the_commit_is_refused(
    emulator: EmulatorHandle, alice: TestUser, pg: str, postgres_server: PostgresServer
) -> None:
    other_database = postgres_server.url.rsplit("/", 1)[0] + "/template1"
    with outbox_for(emulator, pg, chat_id=alice.id, limits=None, start=False) as outbox:
        with psycopg.connect(other_database) as elsewhere, pytest.raises(ValueError) as wrong:
            outbox.notify("to the wrong database", connection=elsewhere)
        assert "database 'template1'" in str(wrong.value)
        assert "telewire:***@" in str(wrong.value) and PASSWORD not in str(wrong.value)
        with psycopg.connect(postgres_server.url, autocommit=True) as loose:
            with pytest.raises(ValueError, match="not inside a transaction"):
                outbox.notify("outside a transaction", connection=loose)
        with sqlite3.connect(":memory:") as file_db, pytest.raises(TypeError, match="psycopg"):
            outbox.notify("through SQLite", connection=file_db)
        assert outbox.status() == {"pending": 0, "delivered": 0, "dead": 0}


def test_a_foreign_table_of_the_same_name_is_refused(postgres_server: PostgresServer) -> None:
    from telewire.storage import StorageError

    url = fresh(postgres_server.url)
    with psycopg.connect(postgres_server.url, autocommit=True) as db:
        db.execute("CREATE TABLE telewire_outbox (id int, note text)")
    try:
        with pytest.raises(StorageError, match="not telewire's outbox"):
            Outbox(url, token="1:x", start=False)
    finally:
        fresh(postgres_server.url)


def test_an_unreachable_postgres_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://telewire:{PASSWORD}@127.0.0.1:{free_port()}/postgres"
    with pytest.raises(StorageUnavailable) as refused:
        Outbox(url, token="1:x", start=False)
    assert PASSWORD not in str(refused.value) and "\n" not in str(refused.value)
    shown = run_cli("outbox", "--path", url)
    assert shown.returncode != 0
    lines = shown.stderr.strip().splitlines()
    assert len(lines) == 1, shown.stderr
    assert "cannot reach PostgreSQL at postgresql://telewire:***@127.0.0.1" in lines[0]
    assert PASSWORD not in shown.stdout + shown.stderr
