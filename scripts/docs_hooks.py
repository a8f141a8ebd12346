"""MkDocs hooks (``hooks:`` in mkdocs.yml): add the generated reference pages, fill in tables.

* The Bot API and CLI reference pages are made from the spec and the argparse definitions
  on every build (``scripts/docs_reference.py``); nothing generated is committed, so
  nothing can go stale.
* ``<!-- benchmarks:results -->`` in a page becomes the results section of
  ``benchmarks/README.md`` as ``make bench`` last wrote it.
* ``<!-- readme:control-api -->`` becomes the README's table of the emulator's control
  API and the paragraph after it, so the two never disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docs_reference
from mkdocs.structure.files import File, Files

BENCHMARKS = docs_reference.ROOT / "benchmarks" / "README.md"
RESULTS = "<!-- benchmarks:results -->"
README = docs_reference.ROOT / "README.md"
CONTROL_API = "<!-- readme:control-api -->"


def on_files(files: Files, config: Any) -> Files:
    for page in docs_reference.PAGES:
        files.append(File.generated(config, page, content=docs_reference.render(page)))
    return files


def benchmark_results() -> str:
    text = BENCHMARKS.read_text()
    start = text.index("<!-- results:start -->") + len("<!-- results:start -->")
    return text[start : text.index("<!-- results:end -->")].strip()


def control_api_table() -> str:
    text = README.read_text()
    start = text.index("| request | does | answers |")
    return text[start : text.index("### Testing your bot offline")].strip()


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if RESULTS in markdown:
        markdown = markdown.replace(RESULTS, benchmark_results())
    if CONTROL_API in markdown:
        markdown = markdown.replace(CONTROL_API, control_api_table())
    return markdown
