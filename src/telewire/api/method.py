"""How a Bot API method is described: its parameters and the type of its result.

The generated table ``telewire.api._generated.methods.METHODS`` is made of these; the
client uses it to decode results, the emulator to validate calls.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Parameter(NamedTuple):
    name: str
    types: tuple[str, ...]
    required: bool
    accepts_upload: bool


class Method(NamedTuple):
    name: str
    returns: Any
    parameters: tuple[Parameter, ...]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters if p.required)
