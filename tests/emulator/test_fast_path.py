"""The raw-protocol front (fast_path.py) answers exactly as aiohttp does, on the same port.

Plain Bot API requests are answered by the fast path (its answers carry no ``Server``
header); a query string sends the same request through aiohttp, so each case is asked
both ways and the answers compared. Everything is real HTTP over a loopback socket.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
from typing import Any

import pytest

from telewire.testing import EmulatorHandle, TestUser
from tests.emulator.helpers import MULTIPART, multipart

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def by_aiohttp(self) -> bool:
        return "server" in self.headers


def request(path: str, body: bytes = b"", content_type: str | None = JSON, **extra: str) -> bytes:
    headers = {"Host": "127.0.0.1", "Content-Length": str(len(body))}
    if content_type:
        headers["Content-Type"] = content_type
    headers.update(extra)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST {path} HTTP/1.1\r\n{head}\r\n".encode() + body


def exchange(emulator: EmulatorHandle, data: bytes, count: int) -> list[Reply]:
    """Write ``data`` on one connection and read ``count`` replies from it."""
    url = urllib.parse.urlsplit(emulator.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(data)
        stream = sock.makefile("rb")
        return [read_reply(stream) for _ in range(count)]


def read_reply(stream: Any) -> Reply:
    status_line = stream.readline()
    assert status_line.startswith(b"HTTP/1."), status_line
    headers: dict[str, str] = {}
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = stream.read(int(headers["content-length"]))
    return Reply(int(status_line.split()[1]), headers, body)


def both_ways(emulator: EmulatorHandle, path: str, body: bytes, ctype: str | None) -> list[Reply]:
    fast = exchange(emulator, request(path, body, ctype), 1)[0]
    slow = exchange(emulator, request(path + "?", body, ctype), 1)[0]
    assert not fast.by_aiohttp and slow.by_aiohttp
    return [fast, slow]


CASES = {
    "not JSON": ("sendMessage", b"{nope", JSON),
    "a JSON array": ("sendMessage", b"[1, 2]", JSON),
    "a blank JSON body": ("getMe", b"  ", JSON),
    "no body": ("getMe", b"", None),
    "an unknown method": ("sendTelepathy", b"{}", JSON),
    "an empty text": ("sendMessage", b'{"chat_id": 1, "text": ""}', JSON),
    "a wrong type": ("sendMessage", b'{"chat_id": [1], "text": "x"}', JSON),
    "bad UTF-8 in a form": ("sendMessage", b"text=\xff\xfe", FORM),
    "a form": ("getChat", b"chat_id=42", FORM),
    "JSON with a charset": ("getMe", b"{}", JSON + "; charset=utf-8"),
    "a body of another type": ("getMe", b"whatever", "text/plain"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_both_fronts_answer_alike(emulator: EmulatorHandle, case: str) -> None:
    method, body, ctype = CASES[case]
    fast, slow = both_ways(emulator, f"/bot{emulator.token}/{method}", body, ctype)
    assert (fast.status, fast.json) == (slow.status, slow.json)
    assert fast.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/bot{token}/test/getMe", 200),
        ("/bot123:unknown/getMe", 401),
        ("/botnot-a-token/getMe", 404),
    ],
)
def test_tokens_and_the_test_environment_answer_alike(
    emulator: EmulatorHandle, path: str, status: int
) -> None:
    fast, slow = both_ways(emulator, path.format(token=emulator.token), b"{}", JSON)
    assert fast.status == slow.status == status
    assert fast.json == slow.json


def test_a_sent_message_is_the_same_either_way(emulator: EmulatorHandle, alice: TestUser) -> None:
    body = json.dumps({"chat_id": alice.id, "text": "*both*", "parse_mode": "MarkdownV2"})
    fast, slow = both_ways(emulator, f"/bot{emulator.token}/sendMessage", body.encode(), JSON)
    one, two = fast.json["result"], slow.json["result"]
    assert two["message_id"] == one["message_id"] + 1
    for result in (one, two):
        del result["message_id"], result["date"]
    assert one == two
    assert one["entities"] == [{"type": "bold", "offset": 0, "length": 4}]
    assert [m.text for m in emulator.messages(alice.id)][-2:] == ["both", "both"]


def test_pipelined_requests_are_answered_in_order_across_a_hand_over(
    emulator: EmulatorHandle, alice: TestUser
) -> None:
    """An upload in the middle hands the connection to aiohttp; nothing is lost or reordered."""
    path = f"/bot{emulator.token}/sendMessage"

    def send(text: str) -> bytes:
        return request(path, json.dumps({"chat_id": alice.id, "text": text}).encode())

    upload = multipart({"chat_id": str(alice.id), "text": "two"})
    data = send("one") + request(path, upload, MULTIPART) + send("three")
    replies = exchange(emulator, data, 3)
    assert [r.json["result"]["text"] for r in replies] == ["one", "two", "three"]
    assert [r.by_aiohttp for r in replies] == [False, True, True]
    assert [m.text for m in emulator.messages(alice.id)][-3:] == ["one", "two", "three"]


def test_a_long_poll_holds_the_requests_behind_it(emulator: EmulatorHandle) -> None:
    base = f"/bot{emulator.token}"
    data = request(f"{base}/getUpdates", b'{"timeout": 1}') + request(f"{base}/getMe", b"")
    started = time.monotonic()
    poll, me = exchange(emulator, data, 2)
    assert time.monotonic() - started >= 0.9
    assert poll.json == {"ok": True, "result": []}
    assert me.json["result"]["is_bot"] is True
    assert not poll.by_aiohttp and not me.by_aiohttp


def test_a_long_poll_is_answered_when_a_user_writes(emulator: EmulatorHandle) -> None:
    user = emulator.user("Writer")
    base = f"/bot{emulator.token}"
    exchange(emulator, request(f"{base}/getUpdates", b'{"offset": -1}'), 1)
    url = urllib.parse.urlsplit(emulator.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(request(f"{base}/getUpdates", b'{"timeout": 20}'))
        time.sleep(0.2)
        started = time.monotonic()
        emulator.send(user, "wake up")
        reply = read_reply(sock.makefile("rb"))
    assert time.monotonic() - started < 5
    assert [u["message"]["text"] for u in reply.json["result"]] == ["wake up"]


@pytest.mark.parametrize(
    "head",
    [
        b"POST /bot{token}/getMe HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        b"POST /bot{token}/getMe HTTP/1.1\r\nContent-Length : 0\r\n\r\n",
        b"POST /bot{token}/getMe HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
        b"POST /bot{token}/getMe HTTP/1.1\r\nno colon here\r\n\r\n",
    ],
)
def test_malformed_heads_get_aiohttps_refusal(emulator: EmulatorHandle, head: bytes) -> None:
    [reply] = exchange(emulator, head.replace(b"{token}", emulator.token.encode()), 1)
    assert reply.status == 400
    assert reply.by_aiohttp


def test_chunked_and_percent_encoded_requests_go_to_aiohttp(emulator: EmulatorHandle) -> None:
    chunked = (
        f"POST /bot{emulator.token}/getMe HTTP/1.1\r\nHost: x\r\n"
        "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
    ).encode()
    encoded = request(f"/bot{emulator.token}/get%4De", b"{}")
    replies = exchange(emulator, chunked, 1) + exchange(emulator, encoded, 1)
    assert [(r.status, r.by_aiohttp) for r in replies] == [(200, True), (200, True)]


def test_connection_close_is_honoured(emulator: EmulatorHandle) -> None:
    url = urllib.parse.urlsplit(emulator.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(request(f"/bot{emulator.token}/getMe", b"", None, Connection="close"))
        stream = sock.makefile("rb")
        reply = read_reply(stream)
        assert stream.read() == b""  # the server closed its end
    assert reply.status == 200 and not reply.by_aiohttp


def test_a_half_sent_request_waits_for_the_rest(emulator: EmulatorHandle, alice: TestUser) -> None:
    data = request(
        f"/bot{emulator.token}/sendMessage",
        json.dumps({"chat_id": alice.id, "text": "slow"}).encode(),
    )
    url = urllib.parse.urlsplit(emulator.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        for piece in (data[:10], data[10:-5], data[-5:]):
            sock.sendall(piece)
            time.sleep(0.05)
        reply = read_reply(sock.makefile("rb"))
    assert reply.json["result"]["text"] == "slow"


def test_an_idle_connection_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    """As aiohttp closes a kept-alive connection nobody uses; a busy one stays open."""
    from telewire.emulator import fast_path
    from telewire.emulator.runner import Emulator

    monkeypatch.setattr(fast_path, "IDLE", 0.5)
    with Emulator().in_thread() as emulator:
        port = emulator.port
        getme = request(f"/bot{emulator.token}/getMe", b"", None)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as busy:
            stream = busy.makefile("rb")
            for _ in range(8):  # 2 s of a request every 0.25 s
                busy.sendall(getme)
                assert read_reply(stream).status == 200
                time.sleep(0.25)
            started = time.monotonic()
            assert stream.read() == b""  # then it idles, and the server hangs up
        assert 0.3 < time.monotonic() - started < 5


SEND_CASES = {
    "a message": b'{"token": "{token}", "user": {"id": 4242, "first_name": "Q"}, "text": "hi"}',
    "not JSON": b"{nope",
    "a JSON array": b"[]",
    "an empty body": b"",
    "a wrong field": b'{"token": "{token}", "user": {"id": "x"}, "text": "hi"}',
    "an unknown bot": b'{"token": "1:unknown", "user": {"id": 1, "first_name": "Q"}, "text": "x"}',
}


@pytest.mark.parametrize("case", list(SEND_CASES))
def test_a_users_message_is_answered_alike_by_both_fronts(
    emulator: EmulatorHandle, case: str
) -> None:
    body = SEND_CASES[case].replace(b"{token}", emulator.token.encode())
    fast, slow = both_ways(emulator, "/emulator/send", body, JSON)
    assert fast.status == slow.status
    if fast.status == 200:
        assert fast.json["text"] == slow.json["text"] == "hi"
        assert slow.json["message_id"] == fast.json["message_id"] + 1
        texts = [m.text for m in emulator.messages(4242)]
        assert texts[-2:] == ["hi", "hi"]
    else:
        assert fast.json == slow.json
        assert fast.json["ok"] is False
