"""How a spec becomes Python: type expressions, and which unions msgspec can tag.

A union whose members all carry one tag field with distinct constant values (``type`` is
"always 'photo'") is left to msgspec. The rest get a runtime marker class and are decoded
by ``telewire.core.unions``; ``RichText`` (strings, lists and structs) is a plain alias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apigen.model import ApiSpec, Entity, SpecError

PRIMITIVES = {
    "Integer": "int",
    "Float": "float",
    "String": "str",
    "Boolean": "bool",
    "True": "bool",
    "InputFile": "InputFile",
}
TAG_FIELDS = ("type", "status", "source")
TAG_PATTERN = re.compile(r"(?:always|must be) [“\"']?([A-Za-z_0-9]+)[”\"']?")
UNTAGGABLE_ALIASES = ("RichText",)


@dataclass
class Tag:
    field: str
    value: str


class Surface:
    def __init__(self, spec: ApiSpec) -> None:
        self.spec = spec
        self.types = spec.types
        self.methods = spec.methods
        self.unions: dict[str, Entity] = {n: t for n, t in self.types.items() if t.subtypes}
        self.tags: dict[str, Tag] = {}
        self.native_unions: set[str] = set()
        self.hooked_unions: set[str] = set()
        self._classify_unions()

    def _tag_of(self, name: str) -> Tag | None:
        entity = self.types.get(name)
        for f in entity.fields if entity else ():
            if f.name in TAG_FIELDS:
                m = TAG_PATTERN.search(f.description)
                if m:
                    return Tag(f.name, m.group(1))
        return None

    def _classify_unions(self) -> None:
        for name, union in self.unions.items():
            subs = union.subtypes
            tags = [self._tag_of(s) for s in subs]
            for s, t in zip(subs, tags, strict=True):
                if t is not None:
                    self.tags[s] = t
            if all(s in self.types for s in subs) and all(tags):
                fields = {t.field for t in tags if t}
                values = [t.value for t in tags if t]
                if len(fields) == 1 and len(set(values)) == len(values):
                    self.native_unions.add(name)
                    continue
            if name not in UNTAGGABLE_ALIASES:
                self.hooked_unions.add(name)
        self._tag_inline_unions()
        self.markers: dict[str, list[str]] = {}
        for name in sorted(self.hooked_unions):
            for s in self.unions[name].subtypes:
                self.markers.setdefault(s, []).append(name)

    def _tag_inline_unions(self) -> None:
        """Tag the members of a field typed "A or B" (no named union): msgspec needs it."""
        for entity in self.types.values():
            for f in entity.fields:
                structs = [s for s in f.types if s in self.types and s not in self.unions]
                if len(structs) < 2:
                    continue
                for member in structs:
                    tag = self.tags.get(member) or self._tag_of(member)
                    if tag is None:
                        raise SpecError(
                            f"{entity.name}.{f.name} mixes structs and {member} has no tag; "
                            "teach scripts/apigen/surface.py how to tell them apart"
                        )
                    self.tags[member] = tag

    def expr(self, spec_type: str, *, runtime: bool) -> str:
        if spec_type.startswith("Array of "):
            return f"list[{self.expr(spec_type[9:], runtime=runtime)}]"
        if spec_type == "InputFile" and runtime:
            return "str"
        return PRIMITIVES.get(spec_type, spec_type)

    def union_expr(self, spec_types: tuple[str, ...], *, runtime: bool) -> str:
        parts: list[str] = []
        for t in spec_types:
            e = self.expr(t, runtime=runtime)
            if e not in parts:
                parts.append(e)
        if (
            runtime
            and "str" in parts
            and len(parts) > 1
            and all(p in ("str", "InputFile") for p in parts)
        ):
            return "str"
        return parts[0] if len(parts) == 1 else " | ".join(parts)
