"""Unmodified bots of other libraries, and the workshop's raw HTTP code, against the emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from telewire.testing import EmulatorHandle

HERE = Path(__file__).parent
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000030000000308") + b"\x02" * 40


@pytest.fixture(params=["ptb_bot.py", "aiogram_bot.py", "telebot_bot.py"])
def peer_bot(request: pytest.FixtureRequest, emulator: EmulatorHandle) -> Iterator[str]:
    env = {
        **os.environ,
        "TELEGRAM_API_URL": emulator.base_url,
        "TELEGRAM_BOT_TOKEN": emulator.token,
    }
    process = subprocess.Popen(
        [sys.executable, str(HERE / request.param)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield request.param
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
            print(output)


def test_echo_keyboard_callback_edit_and_photo_round_trip(
    peer_bot: str, emulator: EmulatorHandle
) -> None:
    user = emulator.user("Peer tester")
    emulator.send(user, "hi there")
    assert emulator.expect_reply(user.id, timeout=20).text == "hi there"

    emulator.send(user, "/menu")
    menu = emulator.expect_reply(user.id, timeout=10)
    assert menu.text == "Choose" and menu.reply_markup is not None
    answer = emulator.press(user, menu, button="A", timeout=10)
    assert answer == {"text": "picked", "show_alert": False}
    edited = emulator.wait_for(
        user.id, lambda m: m.message_id == menu.message_id and m.text == "picked!"
    )
    assert edited.edit_date

    sent = emulator.send_photo(user, PNG, filename="dot.png")
    assert sent.photo
    got = emulator.expect_reply(user.id, timeout=10)
    assert got.text == f"got {len(PNG)} bytes"
    back = emulator.wait_for(
        user.id, lambda m: m.photo is not None and m.from_user is not None and m.from_user.is_bot
    )
    assert back.photo is not None
    downloaded = requests.get(
        f"{emulator.base_url}/file/bot{emulator.token}/"
        + requests.get(
            f"{emulator.base_url}/bot{emulator.token}/getFile",
            params={"file_id": back.photo[-1].file_id},
        ).json()["result"]["file_path"],
        timeout=10,
    )
    assert downloaded.content == PNG


def test_the_workshop_code_works_unchanged(emulator: EmulatorHandle) -> None:
    """The workshop sends with a GET query string and Markdown, and reads with a bare POST."""
    user = emulator.user("Workshop")
    emulator.send(user, "hello")
    url = f"{emulator.base_url}/bot{emulator.token}"
    updates = requests.post(f"{url}/getUpdates").json()
    assert updates["ok"] and updates["result"][0]["message"]["text"] == "hello"
    chat_id = updates["result"][0]["message"]["chat"]["id"]
    sent = requests.get(
        f"{url}/sendMessage?chat_id={chat_id}&text=*Sales* today: 5&parse_mode=Markdown"
    ).json()
    assert sent["ok"], sent
    assert sent["result"]["text"] == "Sales today: 5"
    assert sent["result"]["entities"] == [{"type": "bold", "offset": 0, "length": 5}]
