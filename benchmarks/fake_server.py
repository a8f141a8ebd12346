"""A minimal, fast fake Bot API server for throughput benchmarks.

The emulator is faithful, not fast: at a few thousand requests per second it would be
the bottleneck, not the bots. This server speaks just enough HTTP/1.1 (keep-alive,
Content-Length or chunked bodies; query, urlencoded, multipart and JSON parameters) and
just enough Bot API (getUpdates with offsets and long polling, sendMessage, and a
``true`` for anything else a framework calls at start-up) on a raw asyncio protocol.

It preloads N text updates from M chats, records every reply, and measures: the time
from the first getUpdates to the last reply, and the bot process's CPU time and peak
memory over that span (read from /proc).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections import defaultdict
from typing import Any

OK_TRUE = b'{"ok":true,"result":true}'


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Scenario:
    """The preloaded updates and everything learned while a bot works through them."""

    def __init__(self, updates: int, chats: int, bot_id: int = 1) -> None:
        self.total = updates
        self.bot_id = bot_id
        self.encoded: list[bytes] = []
        self.expected: dict[int, list[str]] = defaultdict(list)
        for i in range(updates):
            chat = 10_000 + i % chats
            text = f"c{chat}:{i // chats}"
            self.expected[chat].append(text)
            update = {
                "update_id": i + 1,
                "message": {
                    "message_id": i // chats + 1,
                    "date": 1_700_000_000,
                    "chat": {"id": chat, "type": "private", "first_name": "U"},
                    "from": {"id": chat, "is_bot": False, "first_name": "U"},
                    "text": text,
                },
            }
            self.encoded.append(json.dumps(update, separators=(",", ":")).encode())
        self.confirmed = 0  # updates below index `confirmed` were acknowledged
        self.replies: dict[int, list[str]] = defaultdict(list)
        self.reply_count = 0
        self.message_ids = 0
        self.started: float | None = None
        self.finished: float | None = None
        self.cpu_start = self.cpu_end = 0.0
        self.peak_mb = 0.0
        self.bot_pid: int | None = None
        self.done = asyncio.Event()
        self.poll_wakeup = asyncio.Event()

    def on_first_poll(self) -> None:
        if self.started is None:
            self.started = time.perf_counter()
            if self.bot_pid:
                self.cpu_start = cpu_seconds(self.bot_pid)

    def on_reply(self, chat: int, text: str) -> None:
        self.replies[chat].append(text)
        self.reply_count += 1
        if self.reply_count >= self.total and self.finished is None:
            self.finished = time.perf_counter()
            if self.bot_pid:
                self.cpu_end = cpu_seconds(self.bot_pid)
                self.peak_mb = peak_rss_mb(self.bot_pid)
            self.done.set()

    def check(self) -> list[str]:
        """Lost, duplicated or reordered replies (an empty list when all is well)."""
        problems = []
        for chat, wanted in self.expected.items():
            got = self.replies.get(chat, [])
            if got != wanted:
                missing = len(set(wanted) - set(got))
                duplicated = len(got) - len(set(got))
                order = "" if sorted(got) != sorted(wanted) or got == wanted else ", out of order"
                problems.append(f"chat {chat}: {missing} lost, {duplicated} duplicated{order}")
        return problems


class FakeBotAPI(asyncio.Protocol):
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            request = self._take_request()
            if request is None:
                return
            kind, target, headers, body = request
            if kind == "slow":  # getUpdates may wait: answer it from a task
                asyncio.get_running_loop().create_task(self._answer(target, headers, body))
            else:
                self._respond(self._handle(target, headers, body))

    def _take_request(self) -> tuple[str, str, dict[str, str], bytes] | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        target = head[0].split(" ")[1]
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        rest = self.buffer[end + 4 :]
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body, consumed = _dechunk(rest)
            if body is None:
                return None
            self.buffer = rest[consumed:]
        else:
            length = int(headers.get("content-length", "0"))
            if len(rest) < length:
                return None
            body, self.buffer = rest[:length], rest[length:]
        method = target.split("?")[0].rsplit("/", 1)[-1].lower()
        kind = "slow" if method == "getupdates" else "fast"
        return kind, target, headers, body  # type: ignore[return-value]

    async def _answer(self, target: str, headers: dict[str, str], body: bytes) -> None:
        params = _params(target, headers, body)
        self._respond(await self._get_updates(params))

    def _respond(self, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(payload)).encode()
                + b"\r\nConnection: keep-alive\r\n\r\n"
                + payload
            )

    def _handle(self, target: str, headers: dict[str, str], body: bytes) -> bytes:
        method = target.split("?")[0].rsplit("/", 1)[-1].lower()
        if method == "sendmessage":
            params = _params(target, headers, body)
            chat = int(params["chat_id"])
            text = str(params["text"])
            scenario = self.scenario
            scenario.message_ids += 1
            scenario.on_reply(chat, text)
            return (
                b'{"ok":true,"result":{"message_id":%d,"date":1700000000,"chat":{"id":%d,"type":"private"},'
                b'"from":{"id":%d,"is_bot":true,"first_name":"B","username":"bench_bot"},"text":%s}}'
                % (scenario.message_ids, chat, scenario.bot_id, json.dumps(text).encode())
            )
        if method == "getme":
            return (
                b'{"ok":true,"result":{"id":%d,"is_bot":true,"first_name":"B","username":"bench_bot",'
                b'"can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false}}'
                % self.scenario.bot_id
            )
        if method == "getwebhookinfo":
            return b'{"ok":true,"result":{"url":"","has_custom_certificate":false,"pending_update_count":0}}'
        if method in ("getmycommands",):
            return b'{"ok":true,"result":[]}'
        return OK_TRUE

    async def _get_updates(self, params: dict[str, Any]) -> bytes:
        scenario = self.scenario
        scenario.on_first_poll()
        offset = int(params.get("offset") or 0)
        if offset > 0:
            scenario.confirmed = max(scenario.confirmed, min(offset - 1, scenario.total))
        limit = min(100, max(1, int(params.get("limit") or 100)))
        timeout = float(params.get("timeout") or 0)
        batch = scenario.encoded[scenario.confirmed : scenario.confirmed + limit]
        if not batch and timeout > 0:
            try:
                await asyncio.wait_for(scenario.done.wait(), min(timeout, 1.0))
            except asyncio.TimeoutError:
                pass
        return b'{"ok":true,"result":[' + b",".join(batch) + b"]}"


def _dechunk(data: bytes) -> tuple[bytes | None, int]:
    body, position = b"", 0
    while True:
        end = data.find(b"\r\n", position)
        if end < 0:
            return None, 0
        size = int(data[position:end].split(b";")[0], 16)
        start = end + 2
        if len(data) < start + size + 2:
            return None, 0
        if size == 0:
            return body, start + 2
        body += data[start : start + size]
        position = start + size + 2


def _params(target: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if "?" in target:
        params.update(urllib.parse.parse_qsl(target.split("?", 1)[1]))
    ctype = headers.get("content-type", "")
    if not body:
        return params
    if ctype.startswith("application/json"):
        params.update(json.loads(body))
    elif ctype.startswith("application/x-www-form-urlencoded"):
        params.update(urllib.parse.parse_qsl(body.decode()))
    elif ctype.startswith("multipart/form-data"):
        boundary = ctype.split("boundary=", 1)[1].strip('"').encode()
        for part in body.split(b"--" + boundary):
            head, _, value = part.partition(b"\r\n\r\n")
            marker = head.find(b'name="')
            if marker >= 0:
                name = head[marker + 6 : head.find(b'"', marker + 6)].decode()
                params[name] = value[:-2].decode() if value.endswith(b"\r\n") else value.decode()
    return params


async def serve(scenario: Scenario, port: int = 0) -> asyncio.AbstractServer:
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: FakeBotAPI(scenario), "127.0.0.1", port)
