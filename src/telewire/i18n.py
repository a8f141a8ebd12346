"""Replies in the user's language: gettext catalogs chosen per update.

    i18n = I18n("locales")                 # locales/<lang>/LC_MESSAGES/messages.mo
    router.use(i18n.middleware)            # each update: the user's language
    from telewire.i18n import gettext as _, ngettext

    @router.command("cart")
    async def cart(ctx):
        await ctx.reply(ngettext("{n} item", "{n} items", n).format(n=n))

The language is the user's stored preference when ``preference`` gives one, else the
``language_code`` their Telegram app sends, else ``default``; ``pt-br`` finds a ``pt_BR``
catalog, then ``pt``. Catalogs are standard gettext files: extract messages, start and
compile catalogs with Babel's ``pybabel`` (``pip install 'telewire[i18n]'``; see the
docs' how-to), while running needs only the standard library.

``gettext``/``ngettext`` read the language from a context variable the middleware sets
for the update being handled, so concurrent chats in different languages never mix, and
plain ``def`` handlers (run in threads) see it too. Outside a handler, ``with
i18n.use("de"):`` sets it.
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from telewire.routing.context import BaseContext

_NONE = _gettext.NullTranslations()
_current: ContextVar[_gettext.NullTranslations] = ContextVar("telewire_i18n", default=_NONE)
Preference = Callable[[int], "str | None"]


def gettext(message: str) -> str:
    """``message`` in the current update's language (as is, without a catalog for it)."""
    return _current.get().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` in the current language (its own plural rules: 1, 2-4, 5+...)."""
    return _current.get().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` as meant in ``context`` ("button" vs "title"), in the current language."""
    return _current.get().pgettext(context, message)


class I18n:
    """The catalogs of one domain in ``directory``, and the rule choosing one per update."""

    def __init__(
        self,
        directory: str | Path,
        *,
        domain: str = "messages",
        default: str = "en",
        preference: Preference | None = None,
    ) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise ValueError(
                f"no catalogs at {self.directory}: create them with "
                f"`pybabel init -i messages.pot -d {self.directory} -l <language>`"
            )
        self.domain = domain
        self.default = default
        self.preference = preference
        self.languages = sorted(
            p.parent.parent.name for p in self.directory.glob(f"*/LC_MESSAGES/{domain}.mo")
        )
        self._cache: dict[str, _gettext.NullTranslations] = {}

    def __repr__(self) -> str:
        return f"I18n({str(self.directory)!r}, languages={self.languages})"

    def best_language(self, language_code: str | None) -> str:
        """The catalog for ``language_code`` ("pt-br" -> pt_BR, else pt), else the default."""
        if language_code:
            wanted = language_code.replace("-", "_")
            base = wanted.split("_")[0].lower()
            by_folded = {lang.lower(): lang for lang in self.languages}
            for candidate in (wanted.lower(), base):
                if candidate in by_folded:
                    return by_folded[candidate]
        return self.default

    def translations(self, language: str) -> _gettext.NullTranslations:
        found = self._cache.get(language)
        if found is None:
            found = _gettext.translation(
                self.domain, self.directory, languages=[language], fallback=True
            )
            self._cache[language] = found
        return found

    def language_of(self, ctx: BaseContext) -> str:
        """The update's language: stored preference, then the user's app, then the default."""
        user = ctx.user
        if user is None:
            return self.default
        if self.preference is not None:
            stored = self.preference(user.id)
            if stored:
                return self.best_language(stored)
        return self.best_language(user.language_code)

    @contextlib.contextmanager
    def use(self, language: str) -> Iterator[None]:
        """Translate into ``language`` inside the block (a job, a test, a notification)."""
        token = _current.set(self.translations(self.best_language(language)))
        try:
            yield
        finally:
            _current.reset(token)

    async def middleware(self, ctx: Any, call_next: Callable[[], Awaitable[bool]]) -> bool:
        """``router.use(i18n.middleware)``: handle each update in its user's language."""
        language = self.language_of(ctx)
        ctx.data["language"] = language
        token = _current.set(self.translations(language))
        try:
            return await call_next()
        finally:
            _current.reset(token)


__all__ = ["I18n", "gettext", "ngettext", "pgettext"]
