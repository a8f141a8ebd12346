"""Every code block of README.md runs as written, against a local emulator.

The README is where a newcomer starts; a snippet that does not run costs them their first
hour. Each ``python`` block runs in a fresh interpreter, each ``sh`` block in bash, with
``TELEGRAM_API_URL``/``TELEGRAM_BOT_TOKEN``/``TELEGRAM_CHAT_ID`` pointing at an emulator
whose owner (user 42, the README's chat id) has started a chat with the bot. Blocks that
wait for a person (a bot, an approval, ``telewire setup``/``listen``) are driven: the test
plays the person. Conventions (stated in the README's Development section): a block whose
first line is ``# name.py`` is saved under that name for later blocks to import
(``test_*.py`` blocks run under pytest); ``<!-- readme-test: skip (why) -->`` before a
block excludes it. The machinery is shared with the docs/ pages: tests/snippets.py.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import telewire
from tests.snippets import FENCE, Block, World, blocks_of, run_block, world_for

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = blocks_of(README)
RUNNABLE = [b for b in BLOCKS if b.runnable]


def test_the_readme_blocks_are_found_and_few_are_skipped() -> None:
    assert len(RUNNABLE) >= 8
    assert sum(b.skipped for b in BLOCKS) <= 4, [b.label for b in BLOCKS if b.skipped]
    assert all(b.language in ("python", "sh", "") for b in BLOCKS), [b.language for b in BLOCKS]


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    with world_for(BLOCKS, tmp_path) as made:
        yield made


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.label for b in RUNNABLE])
def test_the_readme_block_runs_as_written(block: Block, world: World) -> None:
    running = run_block(block, world)
    if "run_polling(" in block.code:
        assert (world.cwd / "bot.offset").exists(), running.output


def test_the_readme_bot_can_be_imported_without_polling(world: World) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.router)"],
        cwd=world.cwd,
        env=world.env,
        capture_output=True,
        text=True,
        timeout=30,
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
