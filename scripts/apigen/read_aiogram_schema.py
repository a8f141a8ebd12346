"""Reader for aiogram's ``schema.json`` (its ``.butcher`` scrape of the documentation).

This format keeps more of the page's prose and less of its structure than ``api.json``:
a parameter's type is a phrase ("Integer or String", "Array of A, B and C"), a union lists
its members as bullet points, and a method's result is a sentence ("On success, the sent
Message is returned"). The functions below turn that prose back into the neutral model;
``tests/api`` checks the result against ``api.json`` for every entity both versions share.
"""

from __future__ import annotations

import re
from typing import Any

from apigen.model import DOCS, ApiSpec, Entity, Field, SpecError

SCALARS = ("Integer", "Float", "String", "Boolean", "True")
RESULT_SENTENCE = re.compile(r"\breturn(?:s|ed)?\b", re.IGNORECASE)
RESULT_WORD = re.compile(r"\b(Array of )?([A-Z][A-Za-z]+)\b")

SUFFIX = "aiogram-schema.json"  # spec files of this format are named botapi-<version>.aiogram-schema.json


def looks_like(data: Any) -> bool:
    return isinstance(data, dict) and "items" in data and "api" in data


def read(data: dict[str, Any], source: str) -> ApiSpec:
    entries = [child for section in data["items"] for child in section["children"]]
    type_names = {e["name"] for e in entries if e["category"] == "types"}
    spec = ApiSpec(
        version=data["api"]["version"],
        release_date=data["api"].get("release_date", ""),
        source=source,
    )
    for entry in entries:
        if entry["category"] == "types":
            spec.types[entry["name"]] = _type(entry, type_names)
        else:
            spec.methods[entry["name"]] = _method(entry, type_names)
    return spec


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.split("\n") if line.strip())


def _field(raw: dict[str, Any], *, of_type: bool) -> Field:
    description = raw["description"]
    # Type fields are optional "by prose" on the page; the schema keeps that only in HTML.
    if of_type and raw.get("html_description", "").startswith("<td><em>Optional</em>."):
        description = f"Optional. {description}"
    return Field(raw["name"], split_types(raw["type"]), raw["required"], description.strip())


def split_types(phrase: str) -> tuple[str, ...]:
    """``"Array of A, B and C"`` -> ``("Array of A", "Array of B", "Array of C")``."""
    prefix = ""
    while phrase.startswith("Array of ") and re.search(r",| and | or ", phrase):
        prefix += "Array of "
        phrase = phrase[len("Array of ") :]
    parts = re.split(r",\s*|\s+and\s+|\s+or\s+", phrase)
    return tuple(prefix + part.strip() for part in parts if part.strip())


def _type(raw: dict[str, Any], type_names: set[str]) -> Entity:
    description = _lines(raw["description"])
    subtypes: list[str] = []
    if not raw["annotations"]:
        first = description[0] if description else ""
        if re.search(r"\beither a String\b", first):
            subtypes.append("String")
        subtypes += [f"Array of {m}" for m in re.findall(r"\ban Array of (\w+)", first)]
        bullets = [line[2:].strip() for line in description if line.startswith("- ")]
        members = [b for b in bullets if b in type_names]
        subtypes = subtypes + members if members else []
    return Entity(
        name=raw["name"],
        href=DOCS + raw["anchor"],
        description=description,
        fields=tuple(_field(a, of_type=True) for a in raw["annotations"]),
        subtypes=tuple(subtypes),
    )


def _method(raw: dict[str, Any], type_names: set[str]) -> Entity:
    description = _lines(raw["description"])
    returns = result_types(" ".join(description), type_names)
    if not returns:
        raise SpecError(
            f"cannot tell what {raw['name']} returns from its description; "
            "teach result_types() in scripts/apigen/read_aiogram_schema.py the new wording"
        )
    return Entity(
        name=raw["name"],
        href=DOCS + raw["anchor"],
        description=description,
        fields=tuple(_field(a, of_type=False) for a in raw["annotations"]),
        returns=returns,
    )


def result_types(prose: str, type_names: set[str]) -> tuple[str, ...]:
    """What a method returns, from the sentences of its description that say so."""
    found: list[str] = []
    for sentence in re.split(r"(?<=\.)\s+", prose):
        if not RESULT_SENTENCE.search(sentence):
            continue
        for array, word in RESULT_WORD.findall(sentence):
            if word not in type_names and word not in SCALARS:
                continue
            name = "Boolean" if word == "True" else word
            found.append(f"Array of {name}" if array else name)
    return tuple(dict.fromkeys(found))
