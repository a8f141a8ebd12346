"""Which reader a spec file needs, and which spec file in ``spec/`` is the current one."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from apigen import read_aiogram_schema, read_api_json
from apigen.model import ApiSpec, SpecError

READERS = (read_api_json, read_aiogram_schema)
SPEC_FILES = "botapi-*.json"


def load(path: Path) -> ApiSpec:
    """Read ``path`` with the reader that recognises its format."""
    data = _json(path)
    return _reader(path, data).read(data, path.name)


def suffix(path: Path) -> str:
    """The file name ending that says a spec's format, e.g. ``aiogram-schema.json``."""
    return str(_reader(path, _json(path)).SUFFIX)


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecError(f"{path}: cannot read a JSON spec ({exc})") from None


def _reader(path: Path, data: Any) -> ModuleType:
    for reader in READERS:
        if reader.looks_like(data):
            return reader
    raise SpecError(
        f"{path}: neither api.json nor aiogram schema.json format; "
        "add a reader in scripts/apigen/ for this format"
    )


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def newest(spec_dir: Path) -> ApiSpec:
    """The newest Bot API version among the spec files kept in ``spec_dir``."""
    specs = [load(path) for path in sorted(spec_dir.glob(SPEC_FILES))]
    if not specs:
        raise SpecError(f"no {SPEC_FILES} in {spec_dir}")
    return max(specs, key=lambda spec: version_key(spec.version))
