"""Every test taking ``storage_url`` runs on every backend (see tests/backends.py)."""

from tests.backends import shared_storage_url, storage_url

__all__ = ["shared_storage_url", "storage_url"]
