"""Running the code blocks of a Markdown page (README.md, docs/) against a local emulator.

A newcomer copies a snippet before reading the prose around it; one that does not run
costs them their first hour. Each ``python`` block runs in a fresh interpreter, each
``sh`` block in bash, with ``TELEGRAM_API_URL``/``TELEGRAM_BOT_TOKEN``/``TELEGRAM_CHAT_ID``
pointing at an emulator whose owner (user 42, the pages' chat id) has started a chat with
the bot. Blocks that wait for a person (a bot, an approval, ``telewire setup``/``listen``)
are driven: the test plays the person.

Conventions: a block whose first line is ``# name.py`` is saved under that name for the
page's other blocks to import (``test_*.py`` blocks run under pytest). An HTML comment on
the line before a block, ``<!-- readme-test: WORD -->`` (or ``docs-test:``), says how to
run it: ``skip (why)`` excludes it, any other word names a driver in :data:`DRIVERS`.
Fences may be indented (inside Material's content tabs); the code is dedented.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telewire.core.token import EXAMPLE
from telewire.emulator import Emulator
from telewire.testing import EmulatorHandle, TestUser

OWNER = 42  # the chat id the pages' examples write to
MARKER = re.compile(r"<!--\s*(?:readme|docs)-test:\s*([\w-]+)[^>]*-->\s*$")
FENCE = re.compile(r"^([ \t]*)```(\w*)[^\n]*\n(.*?)^\1```", re.M | re.S)
WAIT = 30.0  # only bounds a failure
TINY_PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000080000000808") + b"\0" * 30


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int
    marker: str | None  # the word of a ``readme-test:`` / ``docs-test:`` comment, if any
    page: str = ""

    @property
    def skipped(self) -> bool:
        return self.marker == "skip"

    @property
    def name(self) -> str | None:
        """The file name the block declares on its first line (``# bot.py``), if any."""
        found = re.match(r"# ([\w-]+\.py)\n", self.code)
        return found.group(1) if found else None

    @property
    def label(self) -> str:
        where = f"{self.page}:" if self.page else ""
        return f"{where}line{self.line}-{self.name or self.language}"

    @property
    def runnable(self) -> bool:
        return self.language in ("python", "sh") and not self.skipped


def blocks_of(path: Path, page: str = "") -> list[Block]:
    text = path.read_text()
    blocks = []
    for fence in FENCE.finditer(text):
        before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = MARKER.search(before)
        blocks.append(
            Block(
                language=fence.group(2),
                code=textwrap.dedent(fence.group(3)),
                line=text.count("\n", 0, fence.start()) + 1,
                marker=marker.group(1) if marker else None,
                page=page,
            )
        )
    return blocks


# -- the world a block runs in ---------------------------------------------------------------


@dataclass
class World:
    emulator: EmulatorHandle
    owner: TestUser
    cwd: Path
    env: dict[str, str]

    def last_bot_message(self) -> int:
        return max((m.message_id for m in self.emulator.bot_messages(self.owner.id)), default=0)

    def from_the_bot_after(self, message_id: int) -> Callable[[Any], bool]:
        bot_id = int(EXAMPLE.split(":")[0])
        return lambda m: (
            m.from_user is not None and m.from_user.id == bot_id and (m.message_id > message_id)
        )


@contextmanager
def world_for(blocks: list[Block], cwd: Path) -> Iterator[World]:
    """An emulator, its owner (who said /start), and the page's named files in ``cwd``."""
    server = Emulator(tokens=[EXAMPLE]).in_thread()
    handle = EmulatorHandle(server.base_url, server.token)
    owner = handle.user("Owner", id=OWNER, username="owner")
    handle.send(owner, "/start")
    for block in blocks:
        if block.name:
            (cwd / block.name).write_text(block.code)
    (cwd / "chart.png").write_bytes(TINY_PNG)
    deploy = cwd / "deploy.sh"
    deploy.write_text("#!/bin/sh\necho deploying\n")
    deploy.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "TELEGRAM_API_URL": server.base_url,
        "TELEGRAM_BOT_TOKEN": EXAMPLE,
        "TELEGRAM_CHAT_ID": str(OWNER),
        "XDG_CONFIG_HOME": str(cwd / "config"),
        "XDG_STATE_HOME": str(cwd / "state"),
        "PYTHONUNBUFFERED": "1",
        "PYTHONFAULTHANDLER": "1",  # a block that hangs shows its stacks (see finish)
    }
    try:
        yield World(handle, owner, cwd, env)
    finally:
        handle.close()
        server.close()


class Running:
    """A block running in a subprocess, its output collected line by line as it comes."""

    def __init__(self, command: list[str], world: World, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            command,
            cwd=world.cwd,
            env=env or world.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, to interrupt it like Ctrl-C
        )
        self.output = ""
        self._changed = threading.Condition()
        self._read_all = threading.Event()
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.output += line
                self._changed.notify_all()
        self._read_all.set()

    def wait_for_output(self, text: str) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: text in self.output, WAIT):
                self.stop()
                raise AssertionError(f"expected {text!r} in the output:\n{self.output}")

    def interrupt(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)

    def finish(self) -> int:
        try:
            code = self.process.wait(WAIT)
        except subprocess.TimeoutExpired:
            signals = signal_states(self.process.pid)  # before the abort changes them
            os.killpg(self.process.pid, signal.SIGABRT)  # faulthandler prints every stack
            self.process.wait(WAIT)
            self._read_all.wait(WAIT)
            raise AssertionError(
                f"still running after {WAIT:g}s:\n{self.output}\n{signals}"
            ) from None
        finally:
            self.stop()
        self._read_all.wait(WAIT)
        return code


def signal_states(group: int) -> str:
    """Each process of ``group``: its command and which signals it has pending, blocked,
    ignored or caught (from /proc), to tell a lost Ctrl-C from a slow one."""
    lines = ["signals of the block's processes (hex masks, bit n-1 = signal n; SIGINT = 2):"]
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
            if os.getpgid(int(status.parent.name)) != group:
                continue
            command = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        masks = " ".join(f"{k}={fields.get(k, '?').strip()}"
                         for k in ("ShdPnd", "SigPnd", "SigBlk", "SigIgn", "SigCgt"))  # fmt: skip
        lines.append(f"  {status.parent.name} {command.strip()[:120]}: {masks}")
    return "\n".join(lines)


def command_for(block: Block, world: World) -> list[str]:
    if block.language == "sh":
        return ["bash", "-e", "-c", block.code]
    path = world.cwd / (block.name or f"block_{block.line}.py")
    path.write_text(block.code)
    if path.name.startswith("test_"):
        return [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", path.name]
    return [sys.executable, path.name]


# -- playing the person a block waits for ------------------------------------------------------


def chat_with_the_bot(world: World, running: Running) -> None:
    """The hello bot: say hello, press its button, then stop it with SIGTERM."""
    _chat(world)
    os.kill(running.process.pid, signal.SIGTERM)


def chat_then_interrupt(world: World, running: Running) -> None:
    """The hello bot written another way (raw HTTP, another library): stopped by Ctrl-C."""
    _chat(world)
    running.interrupt()


def _chat(world: World) -> None:
    world.emulator.send(world.owner, "hello")
    reply = world.emulator.expect_reply(OWNER, timeout=WAIT)
    assert reply.text == "Hey there!", reply.text
    answer = world.emulator.press(world.owner, reply, button="👍", timeout=WAIT)
    assert answer == {"text": "Thanks!", "show_alert": False}
    world.emulator.wait_for(
        OWNER, lambda m: m.text == "Glad you like it", timeout=WAIT, what="the edited message"
    )


def say_hello(world: World, running: Running) -> None:
    """A bot without buttons: it answers hello, then Ctrl-C stops it."""
    world.emulator.send(world.owner, "hello")
    reply = world.emulator.expect_reply(OWNER, timeout=WAIT)
    assert reply.text == "Hey there!", reply.text
    running.interrupt()


def reads_the_start(world: World, running: Running) -> None:
    """A script that reads pending updates: it prints the owner's /start."""
    running.wait_for_output("/start")


def approve_the_question(world: World, running: Running) -> None:
    """``ask``/``telewire approve``: press Approve on the question, then expect the deploy."""
    question = world.emulator.wait_for(
        OWNER,
        lambda m: m.reply_markup is not None and "Deploy" in (m.text or ""),
        timeout=WAIT,
        what="the approval question",
    )
    assert question.reply_markup is not None
    buttons = [b for row in question.reply_markup.inline_keyboard for b in row]
    approve = next(b for b in buttons if "Approve" in b.text)
    world.emulator.press(world.owner, question, approve.callback_data, timeout=WAIT)
    running.wait_for_output("deploying")


def set_up_then_listen(world: World, running: Running) -> None:
    """``setup`` finds the owner's chat from their /start; ``listen`` prints a new message."""
    running.wait_for_output(f"your chat id is {OWNER}")
    running.wait_for_output("listening as @")
    world.emulator.send(world.owner, "ping from the owner")
    running.wait_for_output("ping from the owner")
    running.interrupt()


Driver = Callable[[World, Running], None]
DRIVERS: dict[str, Driver] = {
    "chat": chat_with_the_bot,
    "chat-interrupt": chat_then_interrupt,
    "hello": say_hello,
    "reads": reads_the_start,
    "approve": approve_the_question,
    "listen": set_up_then_listen,
    "run": lambda world, running: None,  # runs by itself; says nothing to the owner
}
SILENT = frozenset({"reads", "run"})
"""Drivers of blocks that do not write to the owner (they read, or write elsewhere)."""


def driver_for(block: Block) -> Driver | None:
    if block.marker is not None:
        if block.marker not in DRIVERS:
            raise AssertionError(f"{block.label}: unknown driver {block.marker!r}")
        return DRIVERS[block.marker]
    if block.name is not None and block.name.startswith("test_"):
        return None  # a test plays its own person
    if "run_polling(" in block.code:
        return chat_with_the_bot
    if "ask(" in block.code or "telewire approve" in block.code:
        return approve_the_question
    if "telewire listen" in block.code:
        return set_up_then_listen
    return None


def run_block(block: Block, world: World) -> Running:
    """Run ``block`` as written, play its person, and check it ended well and spoke up."""
    env = dict(world.env)
    if "telewire setup" in block.code:
        del env["TELEGRAM_CHAT_ID"]  # setup finds it, and later commands read it back
    before = world.last_bot_message()
    running = Running(command_for(block, world), world, env)
    driver = driver_for(block)
    try:
        if driver is not None:
            driver(world, running)
        code = running.finish()
    finally:
        running.stop()
    assert code == 0, f"{block.label} failed:\n{running.output}"
    assert "Traceback" not in running.output, running.output
    silent = block.marker in SILENT or (block.name or "").startswith("test_")
    if not silent:
        world.emulator.wait_for(  # it did talk to the owner (outbox messages may come later)
            OWNER, world.from_the_bot_after(before), timeout=WAIT, what="a message from the block"
        )
    return running
