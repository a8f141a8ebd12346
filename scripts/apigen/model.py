"""The one internal model every spec reader produces and every renderer consumes.

Keeping it apart from any source format is what lets the next Bot API version come from
whichever machine-readable source is current: a new format needs a reader, nothing else.
Type expressions stay in the spec's own words (``"Integer"``, ``"Array of PhotoSize"``) so
that a diff between versions reads like the documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    """A field of a type or a parameter of a method."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str


@dataclass(frozen=True)
class Entity:
    """A type or a method: a union has ``subtypes``, a method has ``returns``."""

    name: str
    href: str
    description: tuple[str, ...]
    fields: tuple[Field, ...] = ()
    subtypes: tuple[str, ...] = ()
    returns: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApiSpec:
    """One version of the Bot API, whatever file it was read from."""

    version: str
    release_date: str
    source: str
    types: dict[str, Entity] = field(default_factory=dict)
    methods: dict[str, Entity] = field(default_factory=dict)


class SpecError(Exception):
    """A spec the generator cannot use; the message says what is wrong and what to do."""


DOCS = "https://core.telegram.org/bots/api#"
