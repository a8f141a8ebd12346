"""Routing tests that take ``storage_url`` run on every storage backend."""

from tests.backends import shared_storage_url, storage_url

__all__ = ["shared_storage_url", "storage_url"]
