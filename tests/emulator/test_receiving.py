"""getUpdates semantics, the four ways of passing parameters, webhooks, and --state."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse
from typing import Any

import msgspec
import pytest

from telewire.emulator import Emulator
from telewire.testing import EmulatorHandle, TestUser
from telewire.types import Message
from tests.emulator.helpers import call, form, raw


def ids(reply: dict[str, Any]) -> list[int]:
    return [u["update_id"] for u in reply["result"]]


def test_offsets_confirm_and_negative_offsets_forget(emulator: EmulatorHandle) -> None:
    user = emulator.user("U")
    for i in range(5):
        emulator.send(user, f"m{i}")
    url, token = emulator.base_url, emulator.token
    everything = ids(call(url, token, "getUpdates")[1])
    assert len(everything) == 5 and everything == sorted(everything)
    assert everything[1] == everything[0] + 1  # ids increase by one
    assert ids(call(url, token, "getUpdates", offset=everything[2])[1]) == everything[2:]
    assert ids(call(url, token, "getUpdates")[1]) == everything[2:]  # the first two are forgotten
    assert ids(call(url, token, "getUpdates", offset=-1)[1]) == everything[-1:]
    assert ids(call(url, token, "getUpdates")[1]) == everything[-1:]
    assert ids(call(url, token, "getUpdates", offset=everything[-1] + 1)[1]) == []


def test_limit_is_clamped_to_1_100(emulator: EmulatorHandle) -> None:
    user = emulator.user("U")
    for i in range(3):
        emulator.send(user, str(i))
    assert len(call(emulator.base_url, emulator.token, "getUpdates", limit=2)[1]["result"]) == 2
    assert len(call(emulator.base_url, emulator.token, "getUpdates", limit=0)[1]["result"]) == 1
    assert len(call(emulator.base_url, emulator.token, "getUpdates", limit=1000)[1]["result"]) == 3


def test_long_polling_waits_for_an_update_or_the_timeout(emulator: EmulatorHandle) -> None:
    user = emulator.user("U")
    threading.Timer(0.3, emulator.send, args=(user, "late")).start()
    started = time.monotonic()
    reply = call(emulator.base_url, emulator.token, "getUpdates", timeout=5)[1]
    assert 0.2 < time.monotonic() - started < 3
    assert reply["result"][0]["message"]["text"] == "late"
    started = time.monotonic()
    offset = reply["result"][0]["update_id"] + 1
    assert (
        call(emulator.base_url, emulator.token, "getUpdates", offset=offset, timeout=1)[1]["result"]
        == []
    )
    assert time.monotonic() - started >= 0.9


def test_allowed_updates_filters_later_updates_only(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    url, token = emulator.base_url, emulator.token
    sent = call(
        url,
        token,
        "sendMessage",
        chat_id=alice.id,
        text="q",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )[1]["result"]
    emulator.send(alice, "before")
    kinds = [
        next(k for k in u if k != "update_id")
        for u in call(url, token, "getUpdates", allowed_updates=["callback_query"])[1]["result"]
    ]
    assert kinds == ["message", "message"]  # /start and "before" were created earlier
    emulator.send(alice, "filtered out")
    msg = msgspec.convert(sent, Message)
    threading.Thread(target=emulator.press, args=(alice, msg, "a"), kwargs={"timeout": 0.3}).start()
    time.sleep(0.2)
    last = call(url, token, "getUpdates", offset=-1)[1]["result"][-1]
    assert "callback_query" in last
    assert not any(
        u.get("message", {}).get("text") == "filtered out"
        for u in call(url, token, "getUpdates")[1]["result"]
    )
    call(url, token, "getUpdates", allowed_updates=[])  # empty list: everything again
    emulator.send(alice, "visible")
    assert call(url, token, "getUpdates", offset=-1)[1]["result"][0]["message"]["text"] == "visible"


def test_parameters_by_query_form_json_and_multipart(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    base = f"{emulator.base_url}/bot{emulator.token}"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    query = urllib.parse.urlencode(
        {
            "chat_id": alice.id,
            "text": "*q*",
            "parse_mode": "Markdown",
            "reply_markup": json.dumps(markup),
        }
    )
    by_query = raw(f"{base}/sendMessage?{query}")[1]["result"]
    by_form = raw(
        f"{base}/sendMessage",
        data=form(
            {"chat_id": alice.id, "text": "*f*", "parse_mode": "Markdown", "reply_markup": markup}
        ),
        content_type="application/x-www-form-urlencoded",
    )[1]["result"]
    by_json = raw(
        f"{base}/sendMessage",
        data=json.dumps(
            {
                "chat_id": str(alice.id),
                "text": "*j*",
                "parse_mode": "Markdown",
                "reply_markup": markup,
            }
        ).encode(),
        content_type="application/json",
    )[1]["result"]
    boundary = "b0undary"
    multipart = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in {
                "chat_id": alice.id,
                "text": "*m*",
                "parse_mode": "Markdown",
                "reply_markup": json.dumps(markup),
            }.items()
        )
        + f"--{boundary}--\r\n"
    )
    by_multipart = raw(
        f"{base}/sendMessage",
        data=multipart.encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )[1]["result"]
    for result, letter in ((by_query, "q"), (by_form, "f"), (by_json, "j"), (by_multipart, "m")):
        assert result["text"] == letter and result["entities"][0]["type"] == "bold"
        assert result["reply_markup"] == markup


def test_method_names_are_case_insensitive_and_get_works(emulator: EmulatorHandle) -> None:
    for name in ("getMe", "getme", "GETME"):
        assert raw(f"{emulator.base_url}/bot{emulator.token}/{name}")[1]["result"]["is_bot"] is True


def test_bad_json_parameters_are_rejected_clearly(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    status, reply = raw(
        f"{emulator.base_url}/bot{emulator.token}/sendMessage?chat_id={alice.id}&text=x&reply_markup=%7Bnope"
    )
    assert (status, reply["description"]) == (
        400,
        "Bad Request: can't parse reply keyboard markup JSON object",
    )


def test_updates_and_ids_survive_a_restart_with_state(tmp_path: Any) -> None:
    state = tmp_path / "emu.sqlite"
    token = "5550001:" + "S" * 30
    with Emulator(tokens=[token], state=state) as first:
        handle = EmulatorHandle(first.base_url, token)
        user = handle.user("Persistent", id=777)
        handle.send(user, "one")
        handle.send(user, "two")
        sent = call(first.base_url, token, "sendMessage", chat_id=777, text="three")[1]["result"]
        time.sleep(0.4)
    with Emulator(tokens=[token], state=state) as second:
        pending = call(second.base_url, token, "getUpdates")[1]["result"]
        assert [u["message"]["text"] for u in pending] == ["one", "two"]
        handle = EmulatorHandle(second.base_url, token)
        assert [m.text for m in handle.messages(777)] == ["one", "two", "three"]
        again = call(second.base_url, token, "sendMessage", chat_id=777, text="four")[1]["result"]
        assert again["message_id"] == sent["message_id"] + 1


# -- webhooks ------------------------------------------------------------------------


class Receiver:
    """A tiny webhook endpoint (aiohttp) in a thread: records requests, answers as told."""

    def __init__(self, status: int = 200, reply: dict[str, Any] | None = None) -> None:
        self.status, self.reply = status, reply
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.concurrent = self.max_concurrent = 0
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(5)

    def _run(self) -> None:
        from aiohttp import web

        async def hook(request: web.Request) -> web.Response:
            self.concurrent += 1
            self.max_concurrent = max(self.max_concurrent, self.concurrent)
            self.requests.append((dict(request.headers), await request.json()))
            await asyncio.sleep(0.05)
            self.concurrent -= 1
            if self.reply is not None:
                return web.json_response(self.reply, status=self.status)
            return web.Response(status=self.status)

        async def main() -> None:
            app = web.Application()
            app.router.add_post("/hook", hook)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/hook"  # type: ignore[union-attr]
            self.ready.set()
            await asyncio.sleep(3600)

        asyncio.run(main())


def wait_until(predicate: Any, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_webhook_delivers_with_secret_and_executes_reply_methods(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    receiver = Receiver(
        reply={"method": "sendMessage", "chat_id": alice.id, "text": "from the reply"}
    )
    call(emulator.base_url, emulator.token, "getUpdates", offset=-1)
    call(
        emulator.base_url,
        emulator.token,
        "setWebhook",
        url=receiver.url,
        secret_token="topsecret",
        drop_pending_updates=True,
    )
    emulator.send(alice, "via webhook")
    wait_until(lambda: receiver.requests)
    headers, update = receiver.requests[0]
    assert headers["X-Telegram-Bot-Api-Secret-Token"] == "topsecret"
    assert update["message"]["text"] == "via webhook"
    emulator.wait_for(alice.id, lambda m: m.text == "from the reply")
    info = call(emulator.base_url, emulator.token, "getWebhookInfo")[1]["result"]
    assert info["pending_update_count"] == 0


def test_webhook_failures_are_retried_and_reported(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    receiver = Receiver(status=500)
    call(
        emulator.base_url, emulator.token, "setWebhook", url=receiver.url, drop_pending_updates=True
    )
    emulator.send(alice, "retry me")
    wait_until(lambda: len(receiver.requests) >= 3)
    info = call(emulator.base_url, emulator.token, "getWebhookInfo")[1]["result"]
    assert info["pending_update_count"] == 1
    assert "500" in info["last_error_message"] and info["last_error_date"] > 0
    receiver.status = 200
    wait_until(
        lambda: (
            call(emulator.base_url, emulator.token, "getWebhookInfo")[1]["result"][
                "pending_update_count"
            ]
            == 0
        )
    )


def test_webhook_honours_max_connections_and_per_chat_order(emulator: EmulatorHandle) -> None:
    receiver = Receiver()
    call(emulator.base_url, emulator.token, "setWebhook", url=receiver.url, max_connections=3)
    users = [emulator.user(f"U{i}") for i in range(8)]
    for round_ in range(3):
        for user in users:
            emulator.send(user, f"{round_}")
    wait_until(lambda: len(receiver.requests) == 24, timeout=10)
    assert 1 < receiver.max_concurrent <= 3
    for user in users:
        texts = [
            u["message"]["text"]
            for _, u in receiver.requests
            if u["message"]["chat"]["id"] == user.id
        ]
        assert texts == ["0", "1", "2"]


@pytest.mark.parametrize("bad", ["ftp://x", "no url"])
def test_setwebhook_rejects_bad_urls(emulator: EmulatorHandle, bad: str) -> None:
    status, reply = call(emulator.base_url, emulator.token, "setWebhook", url=bad)
    assert status == 400 and "HTTPS url must be provided" in reply["description"]
