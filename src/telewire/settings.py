"""Saved settings (token, owner's chat id, server, proxy) for the CLI and programs, and their order.

``telewire setup`` writes ``$XDG_CONFIG_HOME/telewire/config.json`` (mode 0600, since it
holds the token and maybe a proxy password). Flags beat environment variables
(``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_CHAT_ID``, ``TELEGRAM_API_URL``, ``TELEGRAM_PROXY``,
``TELEGRAM_CA_BUNDLE``), which beat the file.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from telewire.paths import config_home

if TYPE_CHECKING:
    from pathlib import Path

CHAT_ENV = "TELEGRAM_CHAT_ID"


def config_file() -> str:
    return os.environ.get("TELEWIRE_CONFIG") or os.path.join(config_home(), "config.json")


def config_path() -> Path:
    from pathlib import Path

    return Path(config_file())


FIELDS = ("token", "chat_id", "api_url", "proxy", "ca_bundle")


class Settings:
    """Token, owner's chat id, API server, proxy URL and CA bundle; any may be missing."""

    __slots__ = ("api_url", "ca_bundle", "chat_id", "proxy", "test_environment", "token")

    def __init__(
        self,
        token: str | None = None,
        chat_id: str | None = None,
        api_url: str | None = None,
        proxy: str | None = None,
        ca_bundle: str | None = None,
    ):
        self.token, self.chat_id, self.api_url = token, chat_id, api_url
        self.proxy, self.ca_bundle = proxy, ca_bundle
        self.test_environment = False  # a flag (--test-env), never saved

    def client_options(self) -> dict[str, Any]:
        """The keyword arguments that make a client reach the server these settings name."""
        return {
            "base_url": self.api_url,
            "proxy": self.proxy,
            "tls": self.ca_bundle,
            "test_environment": self.test_environment,
        }

    def as_dict(self) -> dict[str, str]:
        return {k: v for k in FIELDS if (v := getattr(self, k))}

    def save(self, path: Path | None = None) -> Path:
        """Write the settings where only this user can read them."""
        target = path or config_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(self.as_dict(), handle, indent=2)
        os.replace(target.with_suffix(".tmp"), target)
        os.chmod(target, 0o600)
        return target


def load(path: Path | None = None) -> Settings:
    source = str(path) if path else config_file()
    try:
        with open(source) as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        raise ValueError(
            f"cannot read {source}: {exc}; fix or delete it, then `telewire setup`"
        ) from None
    return Settings(**{k: str(v) for k, v in data.items() if k in FIELDS})


def resolve(
    *,
    token: str | None = None,
    chat: str | None = None,
    api_url: str | None = None,
    proxy: str | None = None,
    ca_bundle: str | None = None,
) -> Settings:
    """Flags, else environment, else the saved file: the one order every entry point uses.

    The file is read only when a flag and its variable are both missing. For the network
    settings (proxy, CA bundle), which are usually absent, a damaged file is passed over
    when everything else came from flags or the environment, so such a program runs on.
    """
    token = token or os.environ.get("TELEGRAM_BOT_TOKEN")
    chat = chat or os.environ.get(CHAT_ENV)
    api_url = api_url or os.environ.get("TELEGRAM_API_URL")
    proxy = proxy or os.environ.get("TELEGRAM_PROXY")
    ca_bundle = ca_bundle or os.environ.get("TELEGRAM_CA_BUNDLE")
    complete = bool(token and chat and api_url)
    if complete and proxy and ca_bundle:
        return Settings(token, chat, api_url, proxy, ca_bundle)
    try:
        saved = load()
    except ValueError:
        if not complete:
            raise
        saved = Settings()
    return Settings(
        token=token or saved.token,
        chat_id=chat or saved.chat_id,
        api_url=api_url or saved.api_url,
        proxy=proxy or saved.proxy,
        ca_bundle=ca_bundle or saved.ca_bundle,
    )


def parse_chat_id(value: str) -> int | str:
    """A numeric chat id, or an ``@channelusername`` kept as text."""
    value = value.strip()
    if value.lstrip("-").isdigit():
        return int(value)
    if value.startswith("@") and len(value) > 1:
        return value
    raise ValueError(f"invalid chat id {value!r}: use a number (e.g. 123456789) or @channelname")
