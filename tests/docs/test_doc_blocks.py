"""Every code block of the documentation runs as written, against a local emulator.

The same machinery as the README's (tests/snippets.py): ``python`` and ``sh`` blocks run
in fresh processes with the emulator's address, token and the owner's chat id in the
environment; blocks that wait for a person are driven by the driver their
``<!-- docs-test: NAME -->`` comment names. Named blocks (``# bot.py``) are saved for the
other blocks of the same page, and pages beside it (the tutorial's ``send.py``); a named
file that another block of its page runs is not run on its own. Other languages
(``text``, ``yaml``, ``nginx``, ``json``) are shown, not run, and nothing else is allowed,
so nothing that looks runnable goes unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.conftest import ROOT
from tests.snippets import Block, World, blocks_of, run_block, world_for

DOCS = ROOT / "docs"
PAGES = {
    str(p.relative_to(DOCS)): blocks_of(p, str(p.relative_to(DOCS)))
    for p in sorted(DOCS.rglob("*.md"))
}
ALL = [block for blocks in PAGES.values() for block in blocks]


def run_by_another(block: Block) -> bool:
    """A named file (``# send.py``) that another block of its page runs or imports."""
    if block.name is None:
        return False
    stem = block.name.removesuffix(".py")
    others = [b.code for b in PAGES[block.page] if b is not block and b.runnable]
    return any(re.search(rf"\b{stem}\b", code) for code in others)


RUNNABLE = [block for block in ALL if block.runnable and not run_by_another(block)]
SHOWN = frozenset({"text", "yaml", "nginx", "json"})


def test_the_blocks_are_found_runnable_or_plainly_not_code() -> None:
    assert len(RUNNABLE) >= 25
    assert sum(b.skipped for b in ALL) <= 2, [b.label for b in ALL if b.skipped]
    odd = [b.label for b in ALL if b.language not in SHOWN | {"python", "sh"}]
    assert not odd, odd


@pytest.fixture
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    block: Block = request.getfixturevalue("block")
    folder = Path(block.page).parent
    beside = [b for page, blocks in PAGES.items() if Path(page).parent == folder for b in blocks]
    with world_for([*beside, *PAGES[block.page]], tmp_path) as made:  # the page's own win
        yield made


@pytest.mark.parametrize("block", RUNNABLE, ids=[b.label for b in RUNNABLE])
def test_the_docs_block_runs_as_written(block: Block, world: World) -> None:
    run_block(block, world)
