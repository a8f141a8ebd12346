"""Storage for dialog tests: a SQLite file by default; ``any_storage`` and
``shared_storage`` run a test on every backend (Redis and PostgreSQL on real servers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backends import BACKENDS, SHARED, url_for


@pytest.fixture
def storage_url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'dialogs.sqlite3'}"


@pytest.fixture(params=BACKENDS)
def any_storage(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return url_for(request.param, request, tmp_path)


@pytest.fixture(params=SHARED)
def shared_storage(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return url_for(request.param, request, tmp_path)
