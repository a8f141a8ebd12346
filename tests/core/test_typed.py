"""Typed decoding has one owner, and threads that first decode at once cannot crash it.

msgspec 0.22 crashed (SIGSEGV) when two threads built a Struct's decoding information at
the same moment; ``telewire.core.typed`` builds it under a lock. The race is repeated in
fresh subprocesses, since a process decodes a type for the first time only once.
"""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import msgspec
import pytest

from telewire.core import typed
from telewire.types import Message, Update

SRC = Path(__file__).resolve().parents[2] / "src" / "telewire"
TYPED_MSGSPEC = re.compile(
    r"msgspec\.(convert\(|json\.Decoder\(|msgpack\.Decoder\(|json\.decode\([^)]*type=)"
)

RACE = r"""
import sys, threading
from telewire import Bot, Outbox
from telewire.emulator import Emulator
from telewire.testing import EmulatorHandle

server = Emulator().in_thread()
handle = EmulatorHandle(server.base_url, server.token)
alice = handle.user("Alice")
handle.send(alice, "/start")
barrier = threading.Barrier(4)
errors = []

def bot_calls():
    barrier.wait()
    with Bot(server.token, base_url=server.base_url) as bot:
        bot.send_message(chat_id=alice.id, text="hi")
        bot.get_updates(timeout=0)

def plugin_calls():
    barrier.wait()
    handle.messages(alice.id)

def outbox_thread():
    outbox = Outbox(sys.argv[1], token=server.token, base_url=server.base_url, chat_id=alice.id)
    barrier.wait()
    outbox.notify("queued")
    outbox.close(timeout=10)

threads = [threading.Thread(target=f) for f in (bot_calls, bot_calls, plugin_calls, outbox_thread)]
for th in threads: th.start()
for th in threads: th.join()
handle.close(); server.close()
"""


def test_no_module_but_typed_decodes_with_a_type() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.rglob("*.py")
        if "_generated" not in path.parts and path.name != "typed.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if TYPED_MSGSPEC.search(line)
    ]
    assert offenders == [], "typed decoding belongs in telewire.core.typed"


def test_decode_and_convert_give_typed_objects() -> None:
    body = b'{"message_id":1,"date":5,"chat":{"id":7,"type":"private"},"text":"hi"}'
    message = typed.decode(body, Message)
    assert isinstance(message, Message) and message.chat.id == 7
    assert typed.convert(msgspec.json.decode(body), Message) == message
    with pytest.raises(msgspec.ValidationError):
        typed.convert({"message_id": "x"}, Message)


def test_decoders_built_from_many_threads_are_one() -> None:
    with ThreadPoolExecutor(8) as pool:
        built = list(pool.map(lambda _: typed.decoder(list[Update]), range(32)))
    assert all(d is built[0] for d in built)


@pytest.mark.slow
def test_first_decodes_in_racing_threads_never_crash(tmp_path: Path) -> None:
    script = tmp_path / "race.py"
    script.write_text(RACE)

    def one_run(run: int) -> tuple[int, int, str]:
        done = subprocess.run(
            [sys.executable, str(script), str(tmp_path / f"outbox{run}.db")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return run, done.returncode, done.stderr[-500:]

    with ThreadPoolExecutor(2) as pool:
        failures = [result for result in pool.map(one_run, range(50)) if result[1] != 0]
    assert failures == []
