"""Translations: Babel's real extract/init/compile, then a bot answering each user in theirs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from telewire import Context, Router
from telewire.i18n import I18n, gettext, ngettext
from telewire.routing.context import SyncContext
from telewire.testing import EmulatorHandle

BOT_SOURCE = """
from telewire.i18n import gettext as _, ngettext

def greeting():
    return _("Hello!")

def apples(n):
    return ngettext("{n} apple", "{n} apples", n).format(n=n)
"""
GERMAN = {"Hello!": "Hallo!", "{n} apple": ("{n} Apfel", "{n} Äpfel")}
POLISH = {"Hello!": "Cześć!", "{n} apple": ("{n} jabłko", "{n} jabłka", "{n} jabłek")}


def pybabel(*args: str, cwd: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def translate(po: Path, texts: dict[str, object]) -> None:
    """What a translator does: fill in each message of the catalog."""
    with po.open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key in texts:
            message.string = texts[key]  # type: ignore[assignment]
    with po.open("wb") as handle:
        write_po(handle, catalog)


@pytest.fixture(scope="module")
def locales(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Catalogs made as the docs say: pybabel extract, init per language, translate, compile."""
    project = tmp_path_factory.mktemp("project")
    (project / "bot.py").write_text(BOT_SOURCE)
    pybabel("extract", "-o", "messages.pot", "bot.py", cwd=project)
    pot = (project / "messages.pot").read_text()
    assert 'msgid "Hello!"' in pot and 'msgid_plural "{n} apples"' in pot
    for language, texts in (("de", GERMAN), ("pl", POLISH), ("pt_BR", {"Hello!": "Olá!"})):
        pybabel("init", "-i", "messages.pot", "-d", "locales", "-l", language, cwd=project)
        translate(project / "locales" / language / "LC_MESSAGES" / "messages.po", texts)
    pybabel("compile", "-d", "locales", cwd=project)
    return project / "locales"


def test_catalogs_are_found_and_languages_matched(locales: Path) -> None:
    i18n = I18n(locales)
    assert i18n.languages == ["de", "pl", "pt_BR"]
    assert i18n.best_language("de") == "de"
    assert i18n.best_language("de-AT") == "de"
    assert i18n.best_language("pt-br") == "pt_BR"
    assert i18n.best_language("fr") == "en" and i18n.best_language(None) == "en"
    with pytest.raises(ValueError, match="pybabel init"):
        I18n(locales / "missing")


def test_plural_forms_follow_each_languages_rules(locales: Path) -> None:
    i18n = I18n(locales)
    with i18n.use("pl"):
        assert [ngettext("{n} apple", "{n} apples", n).format(n=n) for n in (1, 3, 5, 22)] == [
            "1 jabłko",
            "3 jabłka",
            "5 jabłek",
            "22 jabłka",
        ]
    with i18n.use("de"):
        assert gettext("Hello!") == "Hallo!"
        assert ngettext("{n} apple", "{n} apples", 2).format(n=2) == "2 Äpfel"
    with i18n.use("fr"):  # no catalog: the source text
        assert gettext("Hello!") == "Hello!"
    assert gettext("Hello!") == "Hello!"  # outside: untouched


def test_each_user_is_answered_in_their_language(locales: Path, emulator: EmulatorHandle) -> None:
    chosen: dict[int, str] = {}
    i18n = I18n(locales, preference=chosen.get)
    router = Router()
    router.use(i18n.middleware)

    @router.command("hello")
    async def hello(ctx: Context) -> None:
        await ctx.reply(gettext("Hello!"))

    @router.command("apples")
    def apples(ctx: SyncContext) -> None:  # a blocking handler, in a thread: same language
        n = int(ctx.args[0])
        ctx.reply(ngettext("{n} apple", "{n} apples", n).format(n=n))

    @router.command("lang")
    async def lang(ctx: Context) -> None:
        assert ctx.user is not None
        chosen[ctx.user.id] = ctx.args[0]
        await ctx.reply(f"ok {ctx.args[0]}")

    hans = emulator.user("Hans", language_code="de")
    ola = emulator.user("Ola", language_code="pl")
    joe = emulator.user("Joe", language_code="fr")
    with emulator.run(router):
        for user, expected in ((hans, "Hallo!"), (ola, "Cześć!"), (joe, "Hello!")):
            emulator.send(user, "/hello")
            assert emulator.expect_reply(user.id).text == expected
        emulator.send(ola, "/apples 5")
        assert emulator.expect_reply(ola.id).text == "5 jabłek"
        emulator.send(hans, "/apples 1")
        assert emulator.expect_reply(hans.id).text == "1 Apfel"
        emulator.send(hans, "/lang pt-br")  # a stored preference beats the app's language
        emulator.expect_reply(hans.id)
        emulator.send(hans, "/hello")
        assert emulator.expect_reply(hans.id).text == "Olá!"


def test_concurrent_chats_in_different_languages_never_mix(
    locales: Path, emulator: EmulatorHandle
) -> None:
    import asyncio

    i18n = I18n(locales)
    router = Router()
    router.use(i18n.middleware)
    both_waiting = asyncio.Event()
    waiting = 0

    @router.command("hello")
    async def hello(ctx: Context) -> None:
        nonlocal waiting
        waiting += 1
        if waiting == 2:
            both_waiting.set()
        await asyncio.wait_for(both_waiting.wait(), 20)  # both handlers are in flight at once
        await ctx.reply(gettext("Hello!"))

    hans = emulator.user("Hans", language_code="de")
    ola = emulator.user("Ola", language_code="pl")
    with emulator.run(router):
        emulator.send(hans, "/hello")
        emulator.send(ola, "/hello")
        assert emulator.expect_reply(hans.id, timeout=20).text == "Hallo!"
        assert emulator.expect_reply(ola.id, timeout=20).text == "Cześć!"
