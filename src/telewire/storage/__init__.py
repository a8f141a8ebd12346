"""What must outlive a process: keyed values with expiry and an atomic compare-and-set.

``open_storage(url)`` picks a backend by URL (``sqlite:///path``, ``memory://``,
``redis://…``, ``postgresql://…``; env ``TELEWIRE_STORAGE``); every backend speaks
:class:`Storage`. The SQLite file helpers (:func:`connect`, :class:`transaction`) that the
outbox, ledger and offsets use live here too, so all of telewire opens SQLite one way.
"""

from __future__ import annotations

from telewire.storage.base import DELETED, Item, Storage, StorageUnavailable
from telewire.storage.sqlite_files import StorageError, connect, transaction
from telewire.storage.urls import open_storage

__all__ = [
    "DELETED",
    "Item",
    "Storage",
    "StorageError",
    "StorageUnavailable",
    "connect",
    "open_storage",
    "transaction",
]
