"""Choose a storage backend by URL, so deployment picks the store and code stays the same.

``sqlite:///abs/path.db`` or ``sqlite://relative.db`` (``?durable=1`` for power-cut safety),
``memory://``, ``redis://host:port/db`` (``rediss://`` for TLS, ``unix:///path.sock``),
``postgresql://user@host:port/db``. Without a URL, ``TELEWIRE_STORAGE`` decides, else a
SQLite file in the state directory. Drivers for Redis and PostgreSQL are optional extras,
imported only when such a URL is opened.
"""

from __future__ import annotations

import os

from telewire.paths import state_file
from telewire.storage.base import Storage
from telewire.storage.sqlite_files import StorageError

ENVIRONMENT_VARIABLE = "TELEWIRE_STORAGE"
DEFAULT_FILE = "storage.sqlite3"
_SCHEMES = "sqlite:///path, memory://, redis://host:port, postgresql://user@host/db"


def default_url() -> str:
    return os.environ.get(ENVIRONMENT_VARIABLE) or "sqlite://" + state_file(DEFAULT_FILE)


def open_storage(url: str | None = None) -> Storage:
    """A backend for ``url``; network backends connect on first use, not here.

    Raises :class:`StorageError` with a one-line reason for an unknown or malformed URL or
    a missing driver.
    """
    url = (url or default_url()).strip()
    scheme, separator, rest = url.partition("://")
    scheme = scheme.lower()
    if not separator:
        raise StorageError(f"storage URL {url!r} has no scheme; use one of: {_SCHEMES}")
    if scheme == "sqlite":
        return _sqlite(rest)
    if scheme == "memory":
        from telewire.storage.memory import MemoryStorage

        return MemoryStorage()
    if scheme in ("redis", "rediss", "unix"):
        _require("redis", "redis")
        from telewire.storage.redis import RedisStorage

        return RedisStorage(url)
    if scheme in ("postgresql", "postgres"):
        _require("asyncpg", "postgres")
        from telewire.storage.postgres import PostgresStorage

        return PostgresStorage(url)
    raise StorageError(f"unknown storage URL scheme {scheme!r} in {_redact(url)}; use {_SCHEMES}")


def _sqlite(rest: str) -> Storage:
    from telewire.storage.sqlite import SQLiteStorage

    path, _, query = rest.partition("?")
    options = dict(part.partition("=")[::2] for part in query.split("&") if part)
    unknown = set(options) - {"durable"}
    if unknown:
        raise StorageError(f"unknown sqlite storage option(s) {sorted(unknown)}; only durable=1")
    durable = options.get("durable", "0").lower() in ("1", "true", "yes", "on")
    return SQLiteStorage(os.path.expanduser(path or state_file(DEFAULT_FILE)), durable=durable)


def _require(module: str, extra: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise StorageError(
            f"this storage URL needs the {module!r} driver; install it with "
            f"pip install 'telewire[{extra}]'"
        )


def _redact(url: str) -> str:
    """The URL without its password, for error messages and logs."""
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.partition(":")[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url
