"""The "Remembering" features under `telewire serve`: a pump and several worker processes
on a real redis-server, the features on shared storage (Redis for dialogs, user data and
jobs; for approvals, the ledger and the outbox, SQLite files in one folder (what the
workers of one machine share) or Redis and PostgreSQL (what workers on several machines
share). Each answer names the worker process that made it."""

from __future__ import annotations

import re
import signal
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import redis

from telewire.core.token import Token
from telewire.features.ledger import Ledger
from telewire.testing.handle import EmulatorHandle
from telewire.testing.servers import RedisServer
from tests.distributed.cluster import Cluster

pytestmark = pytest.mark.slow
APP = "tests.distributed.features_app:router"
JOBS = ("--jobs", "tests.distributed.features_app:jobs")
OWNER = 7_000_001


@pytest.fixture
def cluster(
    emulator: EmulatorHandle, redis_server: RedisServer, tmp_path: Path
) -> Iterator[Cluster]:
    env = {"FEATURES_STORAGE": redis_server.url, "FEATURES_DIR": str(tmp_path),
           "FEATURES_OWNER": str(OWNER),
           "FEATURES_TAG": str(Token(emulator.token).bot_id)}  # fmt: skip
    running = Cluster(emulator, redis_server.url, tmp_path, lease=2.0, app=APP, env=env)
    try:
        yield running
    finally:
        running.stop()
    assert not running.hung, f"not drained on SIGTERM: {running.log_tail()}"


def fresh_ledger(url: str) -> str:
    """``url`` with no ledger in it yet (the server is the session's)."""
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("DROP TABLE IF EXISTS telewire_ledger")
        db.execute("DROP TABLE IF EXISTS telewire_outbox")
    return url


def partition_of(chat_id: int, partitions: int) -> int:
    return zlib.crc32(f"k{chat_id}".encode()) % partitions


def holder(cluster: Cluster, partition: int) -> int | None:
    """The pid of the worker holding ``partition``'s lease (None: nobody)."""
    client = redis.Redis.from_url(cluster.redis_url, decode_responses=True)
    try:
        name = client.get(f"telewire:{Token(cluster.emulator.token).bot_id}:lease:{partition}")
    finally:
        client.close()
    return int(str(name).split(":")[2]) if name else None


def balanced(cluster: Cluster, partitions: int, workers: int, timeout: float = 20.0) -> list[int]:
    """Wait until each of ``workers`` workers holds its share; the holder of each partition."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        held = [holder(cluster, p) for p in range(partitions)]
        if None not in held and len(set(held)) == workers:
            return [pid for pid in held if pid is not None]
        time.sleep(0.1)
    raise AssertionError(f"workers did not share the partitions out\n{cluster.log_tail()}")


def texts(emulator: EmulatorHandle, chat_id: int) -> list[str]:
    return [m.text or "" for m in emulator.bot_messages(chat_id)]


def wait_texts(
    emulator: EmulatorHandle, chat_id: int, pattern: str, count: int, cluster: Cluster,
    timeout: float = 20.0,
) -> list[str]:  # fmt: skip
    """The bot's messages in the chat matching ``pattern``, once there are ``count``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [t for t in texts(emulator, chat_id) if re.match(pattern, t)]
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(
        f"chat {chat_id}: {count} × {pattern!r} not seen; got {texts(emulator, chat_id)}\n"
        + cluster.log_tail()
    )


def pids(answers: list[str]) -> set[int]:
    return {int(m.group(1)) for a in answers if (m := re.search(r"\(pid (\d+)\)", a))}


def test_a_dialog_goes_on_at_another_worker_after_kill_9(
    emulator: EmulatorHandle, cluster: Cluster
) -> None:
    cluster.pump()
    workers = {w.pid: w for w in (cluster.worker(*JOBS), cluster.worker(*JOBS))}
    balanced(cluster, 16, 2)
    talk = emulator.dialog(emulator.user("Ada"), timeout=20)
    chat = talk.user.id
    talk.send("/signup").expect("Your name?")
    talk.send("Ada").expect("Your city?")
    first = holder(cluster, partition_of(chat, 16))
    assert first in workers
    workers[first].send_signal(signal.SIGKILL)
    workers[first].wait(5)
    talk.send("Paris").expect("Your colour?")  # after the lease, on the other worker
    talk.send("blue").expect("Done: Ada, Paris, blue")
    assert holder(cluster, partition_of(chat, 16)) not in (None, first)
    assert texts(emulator, chat) == [
        "Your name?", "Your city?", "Your colour?", "Done: Ada, Paris, blue"
    ]  # fmt: skip


def test_user_data_from_two_chats_on_two_workers_loses_no_write(
    emulator: EmulatorHandle, cluster: Cluster
) -> None:
    cluster.pump("--partitions", "2")
    cluster.worker("--partitions", "2", *JOBS)
    cluster.worker("--partitions", "2", *JOBS)
    ann = emulator.user("Ann")
    group = next(
        g for g in (emulator.group(f"G{n}", [ann]) for n in range(40))
        if partition_of(g.id, 2) != partition_of(ann.id, 2)
    )  # fmt: skip
    holders = balanced(cluster, 2, 2)
    for n in range(0, 40, 2):  # both chats at once: each worker saves over the other's writes
        emulator.send(ann, f"/add {n}")
        emulator.send(ann, f"/add {n + 1}", chat_id=group.id)
    private = wait_texts(emulator, ann.id, r"added", 20, cluster)
    in_group = wait_texts(emulator, group.id, r"added", 20, cluster)
    assert pids(private) == {holders[partition_of(ann.id, 2)]}
    assert pids(in_group) == {holders[partition_of(group.id, 2)]} != pids(private)
    emulator.send(ann, "/tally")
    total = wait_texts(emulator, ann.id, r"count", 1, cluster)
    assert total == ["count 40: " + " ".join(str(n) for n in range(40))]


@pytest.mark.parametrize("kept", ["in files", "on servers"])
def test_jobs_ledger_and_outbox_each_once_across_three_workers(
    emulator: EmulatorHandle, cluster: Cluster, tmp_path: Path, kept: str,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    ledger_at: str | Path = tmp_path / "audit.db"
    if kept == "on servers":  # what workers on several machines would share
        ledger_at = fresh_ledger(request.getfixturevalue("postgres_server").url)
        cluster.env["FEATURES_LEDGER"] = cluster.env["FEATURES_OUTBOX"] = ledger_at
    cluster.pump()
    for _ in range(3):
        cluster.worker(*JOBS)
    balanced(cluster, 16, 3)
    users = [emulator.user(f"U{n}") for n in range(12)]
    for n, user in enumerate(users):
        emulator.send(user, f"/later 1 {n}")
        emulator.send(user, f"/record {n}")
        emulator.send(user, f"/queue {n}")
    scheduled, recorded = [], []
    for n, user in enumerate(users):
        scheduled += wait_texts(emulator, user.id, r"scheduled", 1, cluster)
        recorded += wait_texts(emulator, user.id, r"recorded", 1, cluster)
        wait_texts(emulator, user.id, rf"ring {n} ", 1, cluster)
        wait_texts(emulator, user.id, rf"queued {n}$", 1, cluster)
    assert len(pids(scheduled)) >= 2 and len(pids(recorded)) >= 2  # spread over workers
    time.sleep(2.0)  # a job run or a message sent twice would show up by now
    rings: list[str] = []
    for n, user in enumerate(users):
        got = texts(emulator, user.id)
        assert got.count(f"queued {n}") == 1, got
        rings += [t for t in got if t.startswith("ring")]
    assert Counter(t.split()[1] for t in rings) == Counter(str(n) for n in range(12))
    ledger = Ledger(ledger_at)
    try:
        verdict = ledger.verify()
        assert verdict.intact, verdict.problems
        entries = ledger.entries()
    finally:
        ledger.close()
    assert [e.seq for e in entries] == list(range(1, 13))
    for state in ("audit.db", "outbox.db"):  # on servers, no file was written
        assert (tmp_path / state).exists() == (kept == "in files"), state
    assert sorted(int(str(e.data["n"])) for e in entries) == list(range(12))
    assert len({e.actor for e in entries}) >= 2


@pytest.mark.parametrize("book", ["file", "storage", "storage+ledger"])
def test_an_approval_asked_on_one_worker_is_decided_on_another(
    emulator: EmulatorHandle, cluster: Cluster, book: str, request: pytest.FixtureRequest
) -> None:
    # a SQLite file; or Redis (no file: any machine), recording in a PostgreSQL ledger
    cluster.env["FEATURES_APPROVALS"] = book.partition("+")[0]
    if book.endswith("ledger"):
        ledger_url = fresh_ledger(request.getfixturevalue("postgres_server").url)
        cluster.env["FEATURES_LEDGER"] = ledger_url
    cluster.pump("--partitions", "2")
    cluster.worker("--partitions", "2", *JOBS)
    cluster.worker("--partitions", "2", *JOBS)
    owner = emulator.user("Olga", id=OWNER)
    asker = next(
        u for u in (emulator.user(f"Dev{n}") for n in range(40))
        if partition_of(u.id, 2) != partition_of(OWNER, 2)
    )  # fmt: skip
    holders = balanced(cluster, 2, 2)
    emulator.send(owner, "/start")  # the bot may write to those who wrote to it
    emulator.send(asker, "/deploy v1")
    question = emulator.wait_for(owner.id, lambda m: bool(m.reply_markup), timeout=20)
    assert question.text is not None and "Deploy v1?" in question.text
    answer = emulator.press(owner, question, button="Approve", timeout=20)
    assert answer is not None and not answer["show_alert"], answer
    done = wait_texts(emulator, asker.id, r"deploy v1", 1, cluster)
    assert done[0].startswith("deploy v1: approved")
    assert pids(done) == {holders[partition_of(asker.id, 2)]}
    assert holders[partition_of(OWNER, 2)] not in pids(done)  # the press: the other worker
    assert (cluster.logs / "approvals.db").exists() == (book == "file")
    if book.endswith("ledger"):  # decided on one machine, recorded where all machines write
        ledger = Ledger(cluster.env["FEATURES_LEDGER"])
        decisions = [e for e in ledger.entries() if e.kind.startswith("approval.")]
        ledger.close()
        assert [(e.kind, e.actor) for e in decisions] == [("approval.approved", f"user:{OWNER}")]
