"""Parameters arrive every way Telegram accepts them, for every verb (GET may carry a body)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from telewire.testing import EmulatorHandle, TestUser
from tests.emulator.helpers import MULTIPART, multipart, raw

HERE = Path(__file__).parent / "conformance"


def urlencoded(params: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode(params).encode()


def as_json(params: dict[str, Any]) -> bytes:
    return json.dumps(params).encode()


ENCODINGS: dict[str, tuple[str, Callable[[dict[str, Any]], bytes]]] = {
    "urlencoded": ("application/x-www-form-urlencoded", urlencoded),
    "multipart": (MULTIPART, multipart),
    "json": ("application/json", as_json),
}


@pytest.mark.parametrize("verb", ["GET", "POST"])
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_a_body_carries_parameters_for_every_verb(
    emulator: EmulatorHandle, alice: TestUser, verb: str, encoding: str
) -> None:
    ctype, encode = ENCODINGS[encoding]
    url = f"{emulator.base_url}/bot{emulator.token}/sendMessage?chat_id={alice.id}"
    status, reply = raw(
        url, data=encode({"text": f"{verb} {encoding}"}), content_type=ctype, method=verb
    )
    assert status == 200, reply
    assert reply["result"]["text"] == f"{verb} {encoding}"
    assert reply["result"]["chat"]["id"] == alice.id


@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_get_updates_by_get_with_a_body_confirms_by_its_offset(
    emulator: EmulatorHandle, encoding: str
) -> None:
    user = emulator.user("Poller")
    for text in ("one", "two"):
        emulator.send(user, text)
    ctype, encode = ENCODINGS[encoding]
    url = f"{emulator.base_url}/bot{emulator.token}/getUpdates"
    _, first = raw(url, data=encode({"limit": 1}), content_type=ctype, method="GET")
    [update] = first["result"]
    offset = update["update_id"] + 1
    _, second = raw(url, data=encode({"offset": offset}), content_type=ctype, method="GET")
    assert [u["message"]["text"] for u in second["result"]] == ["two"]
    _, third = raw(url, method="GET")  # the first update stays confirmed
    assert [u["update_id"] for u in third["result"]] == [offset]


def test_async_telebot_polling_by_get_handles_each_message_once(emulator: EmulatorHandle) -> None:
    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
    }
    process = subprocess.Popen(
        [sys.executable, str(HERE / "telebot_async_bot.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        user = emulator.user("Telebot user")
        for text in ("one", "two"):
            emulator.send(user, text)
            emulator.wait_for(user.id, lambda m, t=text: m.text == f"echo: {t}", timeout=20)
        # The poller confirms "two" by asking again with the offset past it; had the offset
        # been lost, nothing would ever be confirmed and each update handed out again.
        deadline = time.monotonic() + 20
        while (deliveries := emulator.deliveries())["pending"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert deliveries["pending"] == [], deliveries
        assert sorted(deliveries["deliveries"].values()) == [1, 1], deliveries
        echoes = [m.text for m in emulator.bot_messages(user.id)]
        assert echoes == ["echo: one", "echo: two"]
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert "Traceback" not in output, output
