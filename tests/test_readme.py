"""Every code block of README.md runs as written, against a local emulator.

The README is where a newcomer starts; a snippet that does not run costs them their first
hour. Each ``python`` block runs in a fresh interpreter, each ``sh`` block in bash, with
``TELEGRAM_API_URL``/``TELEGRAM_BOT_TOKEN``/``TELEGRAM_CHAT_ID`` pointing at an emulator
whose owner (user 42, the README's chat id) has started a chat with the bot. Blocks that
wait for a person (a bot, an approval, ``telewire setup``/``listen``) are driven: the test
plays the person. Conventions (stated in the README's Development section): a block whose
first line is ``# name.py`` is saved under that name for later blocks to import
(``test_*.py`` blocks run under pytest); ``<!-- readme-test: skip (why) -->`` before a
block excludes it.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import telewire
from telewire.core.token import EXAMPLE
from telewire.emulator import Emulator
from telewire.testing import EmulatorHandle, TestUser

README = Path(__file__).resolve().parent.parent / "README.md"
OWNER = 42  # the chat id the README's examples write to
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\b[^>]*-->\s*$")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
WAIT = 30.0  # only bounds a failure
TINY_PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000080000000808") + b"\0" * 30


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int
    skipped: bool

    @property
    def name(self) -> str | None:
        """The file name the block declares on its first line (``# bot.py``), if any."""
        found = re.match(r"# ([\w-]+\.py)\n", self.code)
        return found.group(1) if found else None

    @property
    def label(self) -> str:
        return f"line{self.line}-{self.name or self.language}"


def readme_blocks() -> list[Block]:
    text = README.read_text()
    blocks = []
    for fence in FENCE.finditer(text):
        before = text[: fence.start()].rstrip("\n").rsplit("\n", 1)[-1]
        blocks.append(
            Block(
                language=fence.group(1),
                code=fence.group(2),
                line=text.count("\n", 0, fence.start()) + 1,
                skipped=bool(SKIP.search(before)),
            )
        )
    return blocks


BLOCKS = readme_blocks()
RUNNABLE = [b for b in BLOCKS if b.language in ("python", "sh") and not b.skipped]


def test_the_readme_blocks_are_found_and_few_are_skipped() -> None:
    assert len(RUNNABLE) >= 8
    assert sum(b.skipped for b in BLOCKS) <= 4, [b.label for b in BLOCKS if b.skipped]
    assert all(b.language in ("python", "sh", "") for b in BLOCKS), [b.language for b in BLOCKS]


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


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    server = Emulator(tokens=[EXAMPLE]).in_thread()
    handle = EmulatorHandle(server.base_url, server.token)
    owner = handle.user("Owner", id=OWNER, username="owner")
    handle.send(owner, "/start")
    for block in BLOCKS:
        if block.name:
            (tmp_path / block.name).write_text(block.code)
    (tmp_path / "chart.png").write_bytes(TINY_PNG)
    deploy = tmp_path / "deploy.sh"
    deploy.write_text("#!/bin/sh\necho deploying\n")
    deploy.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "TELEGRAM_API_URL": server.base_url,
        "TELEGRAM_BOT_TOKEN": EXAMPLE,
        "TELEGRAM_CHAT_ID": str(OWNER),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "PYTHONUNBUFFERED": "1",
    }
    try:
        yield World(handle, owner, tmp_path, env)
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
        finally:
            self.stop()
        self._read_all.wait(WAIT)
        return code


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
    """The README bot: say hello, press its button, then stop it with SIGTERM."""
    world.emulator.send(world.owner, "hello")
    reply = world.emulator.expect_reply(OWNER, timeout=WAIT)
    assert reply.text == "Hey there!"
    answer = world.emulator.press(world.owner, reply, button="👍", timeout=WAIT)
    assert answer == {"text": "Thanks!", "show_alert": False}
    os.kill(running.process.pid, signal.SIGTERM)
    assert (world.cwd / "bot.offset").exists()


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


def driver_for(block: Block) -> Callable[[World, Running], None] | None:
    if block.name is not None and block.name.startswith("test_"):
        return None  # a test plays its own person
    if "run_polling(" in block.code:
        return chat_with_the_bot
    if "ask(" in block.code or "telewire approve" in block.code:
        return approve_the_question
    if "telewire listen" in block.code:
        return set_up_then_listen
    return None


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.label for b in RUNNABLE])
def test_the_readme_block_runs_as_written(block: Block, world: World) -> None:
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
    assert code == 0, f"README block at line {block.line} failed:\n{running.output}"
    assert "Traceback" not in running.output, running.output
    if block.name is None or not block.name.startswith("test_"):
        world.emulator.wait_for(  # it did talk to the owner (outbox messages may come later)
            OWNER, world.from_the_bot_after(before), timeout=WAIT, what="a message from the block"
        )


def test_the_readme_bot_can_be_imported_without_polling(world: World) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.router)"],
        cwd=world.cwd,
        env=world.env,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 0 and done.stdout.startswith("Router("), done.stderr


# -- names the README promises ----------------------------------------------------------------


def _prose() -> str:
    return FENCE.sub("", README.read_text())


def test_every_name_the_readme_names_is_importable_from_telewire() -> None:
    """Capitalised names and calls like ``owner_only(...)`` in the README are in ``telewire``."""
    from telewire import Router

    prose = _prose()
    spans = re.findall(r"`([^`\n]+)`", prose)
    missing = []
    for span in spans:
        if span.startswith(("telewire ", "make ", "GET ", "POST ", "/", "--")) or "=" in span:
            continue
        for name in re.findall(r"(?<![\w.])([A-Z][a-z]\w*|[a-z_]\w*(?=\())", span):
            if not (hasattr(telewire, name) or hasattr(Router, name)):
                missing.append(f"{name} (in `{span}`)")
    assert not missing, missing


def test_modules_the_readme_names_hold_what_it_says() -> None:
    """``telewire.x`` (`a`, `b`) and ``telewire.x`` paths resolve to what the README lists."""
    import importlib

    prose = _prose()
    for module, listed in re.findall(r"`(telewire\.\w+)`\s*\(((?:`\w+`,?\s*)+)\)", prose):
        imported = importlib.import_module(module)
        for name in re.findall(r"`(\w+)`", listed):
            assert hasattr(imported, name), f"{module}.{name}"
    for path in set(re.findall(r"`(telewire\.[a-z_.]+)`", prose)):
        resolve(path)


def resolve(path: str) -> Any:
    """``telewire.a.b``: a module, or an attribute of the longest importable prefix."""
    import importlib

    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise AssertionError(path)


def test_methods_the_readme_calls_exist() -> None:
    """``bot.x``, ``router.x``, ``ctx.x``, ``emulator.x`` and ``F.x`` name real attributes."""
    from telewire import Bot, Context, F, Router
    from telewire.testing import EmulatorHandle as Handle

    owners: dict[str, Any] = {
        "bot": Bot,
        "router": Router,
        "ctx": Context,
        "emulator": Handle,
        "F": F,
    }
    text = README.read_text()
    seen = 0
    for owner, attribute in re.findall(r"(?<![\w.])(bot|router|ctx|emulator|F)\.(\w+)", text):
        if attribute in ("py", "offset"):
            continue  # a file name (bot.py, bot.offset), not an attribute
        assert hasattr(owners[owner], attribute), f"{owner}.{attribute}"
        seen += 1
    assert seen > 10


def test_context_attributes_have_docstrings() -> None:
    import inspect

    from telewire import Context

    for name in ("data", "args", "match"):
        assert len(inspect.getdoc(getattr(Context, name)) or "") > 30, name
