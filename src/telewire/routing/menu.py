"""The bot's command menu (the "/" button) from the router's described commands.

    @router.command("report", description={"": "Sales report", "de": "Umsatzbericht"})
    ...
    publish_commands(bot, router)           # Bot; with an AsyncBot: await publish_commands(...)

Telegram keeps one list per scope and language; ``publish_commands`` sets the default
list and one per language any description names, so each user sees their language.
"""

from __future__ import annotations

import re
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, overload

from telewire.api._generated.types import BotCommand

if TYPE_CHECKING:
    from telewire.client.async_bot import AsyncBot
    from telewire.client.bot import Bot
    from telewire.routing.router import Description, Router

COMMAND = re.compile(r"[a-z0-9_]{1,32}")
MAX_DESCRIPTION = 256


def checked_description(command: str, description: Description) -> Description:
    """``description`` if Telegram would accept it for ``command``; else ValueError."""
    if not COMMAND.fullmatch(command):
        raise ValueError(
            f"/{command} cannot be in the menu: commands there are 1-32 lowercase letters, "
            "digits or underscores"
        )
    texts = {"": description} if isinstance(description, str) else description
    for language, text in texts.items():
        if not 1 <= len(text.strip()) <= MAX_DESCRIPTION:
            raise ValueError(
                f"/{command}'s description{f' ({language})' if language else ''} must be "
                f"1-256 characters, not {len(text.strip())}"
            )
    return description


def menu_of(descriptions: dict[str, Description], language_code: str) -> list[BotCommand]:
    commands = []
    for name, description in descriptions.items():
        texts = {"": description} if isinstance(description, str) else description
        text = texts.get(language_code) or texts.get("")
        if text:
            commands.append(BotCommand(command=name, description=text.strip()))
    return commands


def languages_of(router: Router) -> list[str]:
    """The language codes any described command of ``router`` has a text for."""
    found = {
        language
        for description in router._all_descriptions().values()
        if isinstance(description, dict)
        for language in description
    }
    return sorted(found - {""})


def _lists(router: Router, scope: Any) -> list[dict[str, Any]]:
    lists = []
    for language in ["", *languages_of(router)]:
        options: dict[str, Any] = {"commands": router.commands_menu(language)}
        if scope is not None:
            options["scope"] = scope
        if language:
            options["language_code"] = language
        lists.append(options)
    return lists


@overload
def publish_commands(
    bot: AsyncBot, router: Router, *, scope: Any = None
) -> Coroutine[Any, Any, int]: ...
@overload
def publish_commands(bot: Bot, router: Router, *, scope: Any = None) -> int: ...
def publish_commands(bot: Any, router: Router, *, scope: Any = None) -> Any:
    """Set the menu with ``setMyCommands``: the default list and one per language.

    With a ``Bot`` it calls at once; with an ``AsyncBot`` it returns a coroutine to
    await. ``scope`` is a BotCommandScope (default: all users). Returns how many lists
    were set.
    """
    from telewire.client.async_bot import AsyncBot

    lists = _lists(router, scope)
    if isinstance(bot, AsyncBot):
        return _publish_async(bot, lists)
    for options in lists:
        bot.set_my_commands(**options)
    return len(lists)


async def _publish_async(bot: AsyncBot, lists: list[dict[str, Any]]) -> int:
    for options in lists:
        await bot.set_my_commands(**options)
    return len(lists)
