"""Reader for ``api.json`` (PaulSonOfLars/telegram-bot-api-spec): already structured."""

from __future__ import annotations

import re
from typing import Any

from apigen.model import ApiSpec, Entity, Field

SUFFIX = "json"  # spec files of this format are named botapi-<version>.json


def looks_like(data: Any) -> bool:
    return isinstance(data, dict) and "methods" in data and "types" in data


def read(data: dict[str, Any], source: str) -> ApiSpec:
    version = re.search(r"\d+(?:\.\d+)+", data["version"])
    if version is None:
        raise ValueError(f"{source}: no version number in {data['version']!r}")
    return ApiSpec(
        version=version.group(0),
        release_date=data.get("release_date", ""),
        source=source,
        types={name: _entity(raw) for name, raw in data["types"].items()},
        methods={name: _entity(raw) for name, raw in data["methods"].items()},
    )


def _entity(raw: dict[str, Any]) -> Entity:
    return Entity(
        name=raw["name"],
        href=raw["href"],
        description=tuple(raw.get("description", [])),
        fields=tuple(
            Field(f["name"], tuple(f["types"]), f["required"], f["description"])
            for f in raw.get("fields", [])
        ),
        subtypes=tuple(raw.get("subtypes", [])),
        returns=tuple(raw.get("returns", [])),
    )
