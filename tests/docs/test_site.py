"""The site builds in strict mode, holds the generated reference, and works in a browser."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.docs.conftest import ROOT, Built

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_the_site_builds_in_strict_mode_without_warnings(built_site: Built) -> None:
    assert built_site.returncode == 0, built_site.output
    assert "WARNING" not in built_site.output, built_site.output
    assert (built_site.site / "index.html").exists()


def test_every_nav_page_is_built(built_site: Built) -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = re.findall(r"(\S+)\.md\s*$", nav, re.M)
    assert len(pages) >= 20, pages
    for page in pages:
        folder = page.removesuffix("index") if page.endswith("index") else f"{page}/"
        assert (built_site.site / folder / "index.html").exists(), page


def test_the_bot_api_reference_has_every_method_and_type(built_site: Built) -> None:
    from telewire.api._generated.methods import METHODS
    from telewire.types import Message

    methods = (built_site.site / "reference" / "methods" / "index.html").read_text()
    for name in METHODS:
        assert f'id="{name.lower()}"' in methods, name
    assert "Use this method to send text messages." in methods
    types = (built_site.site / "reference" / "types" / "index.html").read_text()
    assert types.count("<h2 ") >= 390
    assert 'id="message"' in types and Message.__name__ in types


def test_the_cli_reference_has_every_command_and_flag(built_site: Built) -> None:
    from telewire.cli.main import COMMANDS

    cli = (built_site.site / "reference" / "cli" / "index.html").read_text()
    for name in COMMANDS:
        assert f"telewire {name}" in cli, name
    for flag in ("--photo", "--telegram-limits", "--approver", "--anchor"):
        assert flag in cli, flag
    assert "/root/" not in cli and "/home/" not in cli  # defaults show $XDG_..., not a home


def test_the_emulator_page_has_the_readmes_control_api_table(built_site: Built) -> None:
    page = (built_site.site / "reference" / "emulator" / "index.html").read_text()
    assert "/emulator/press" in page and "/emulator/events" in page and "<table>" in page
    assert "readme:control-api" not in page


def test_the_performance_page_shows_the_benchmark_tables(built_site: Built) -> None:
    page = (built_site.site / "explanation" / "performance" / "index.html").read_text()
    assert "updates/s" in page and "<table>" in page
    assert "benchmarks:results" not in page


# -- in a browser --------------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(built_site: Built) -> Iterator[str]:
    """The built site over a local http.server (search needs http, not file://)."""
    handler = functools.partial(_Quiet, directory=str(built_site.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(served: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        browser.close()
        assert errors == [], errors


@pytest.mark.browser
def test_a_reader_follows_the_tutorial_and_searches(page: Any, served: str) -> None:
    page.goto(served)
    page.click("article a[href^='tutorial/']")
    page.wait_for_selector("h1:has-text('Tutorial')")
    page.click("article ol a >> nth=0")  # step 1, from the tutorial's list of steps
    visited = [page.locator("h1").first.inner_text().rstrip("¶")]
    for _ in range(4):  # each step ends "Next: <the next step>", as a reader goes on
        page.click("article p:has-text('Next:') a")
        page.wait_for_selector(f"h1:not(:has-text({visited[-1]!r}))")
        visited.append(page.locator("h1").first.inner_text().rstrip("¶"))
    assert visited == [
        "1. Send a message from Python",
        "2. Read updates and confirm them",
        '3. A bot that answers "hello"',
        "4. Buttons: inline keyboards and callbacks",
        "5. The same bot, the telewire way",
    ], visited
    assert page.locator("article pre code", has_text="run_polling").count() >= 1

    page.click("label.md-search__icon, .md-search__input")
    page.fill("input.md-search__input", "send_message")
    result = page.wait_for_selector(".md-search-result__item a", timeout=60_000)  # index builds
    assert result is not None
    page.locator(".md-search-result__item a").first.click()
    page.wait_for_load_state()
    assert "send_message" in page.content()
