"""What changed between two Bot API versions, worded for the changelog.

Compared: methods and types added or removed; parameters and fields added, removed, or
changed in requiredness or type; union members and method results. Descriptions are not
compared (rewording is not an API change), and ``True`` counts as ``Boolean``: the page
writes "True" for flags that can only be set, and both are ``bool`` in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apigen.model import ApiSpec, Entity, Field


@dataclass
class Changes:
    old: str
    new: str
    sections: dict[str, list[str]] = field(default_factory=dict)

    def add(self, section: str, line: str) -> None:
        self.sections.setdefault(section, []).append(line)

    def report(self) -> str:
        lines = [f"Bot API {self.old} -> {self.new}"]
        if not self.sections:
            lines.append("no changes to methods, types or fields")
        for section in sorted(self.sections, key=_section_rank):
            entries = self.sections[section]
            lines.append(f"\n{section} ({len(entries)}):")
            lines.extend(f"- {entry}" for entry in entries)
        return "\n".join(lines) + "\n"


ORDER = ("Methods", "Parameters", "Types", "Fields", "Union", "Results")


def _section_rank(section: str) -> tuple[int, str]:
    return (ORDER.index(section.split()[0]), section)


def _plain(types: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(t.replace("True", "Boolean") for t in types)


def _kind(f: Field) -> str:
    return f"{' or '.join(f.types)}, {'required' if f.required else 'optional'}"


def compare(old: ApiSpec, new: ApiSpec) -> Changes:
    changes = Changes(old.version, new.version)
    for kind, before, after in (
        ("Methods", old.methods, new.methods),
        ("Types", old.types, new.types),
    ):
        for name in after.keys() - before.keys():
            changes.add(f"{kind} added", name)
        for name in before.keys() - after.keys():
            changes.add(f"{kind} removed", name)
        member = "parameter" if kind == "Methods" else "field"
        for name in before.keys() & after.keys():
            _compare_entity(changes, member, before[name], after[name])
    for entries in changes.sections.values():
        entries.sort()
    return changes


def _compare_entity(changes: Changes, member: str, old: Entity, new: Entity) -> None:
    title = member.capitalize()
    before = {f.name: f for f in old.fields}
    after = {f.name: f for f in new.fields}
    for name, f in after.items():
        if name not in before:
            changes.add(f"{title}s added", f"{new.name}.{name} ({_kind(f)})")
    for name in before.keys() - after.keys():
        changes.add(f"{title}s removed", f"{new.name}.{name}")
    for name in before.keys() & after.keys():
        was, now = before[name], after[name]
        if was.required != now.required:
            state = "required" if now.required else "optional"
            changes.add(f"{title}s changed requiredness", f"{new.name}.{name}: now {state}")
        if _plain(was.types) != _plain(now.types):
            changes.add(
                f"{title}s changed type",
                f"{new.name}.{name}: {' or '.join(was.types)} -> {' or '.join(now.types)}",
            )
    if old.subtypes != new.subtypes:
        gained = [s for s in new.subtypes if s not in old.subtypes]
        lost = [s for s in old.subtypes if s not in new.subtypes]
        delta = ", ".join([f"+{s}" for s in gained] + [f"-{s}" for s in lost])
        if delta:
            changes.add("Union members changed", f"{new.name}: {delta}")
    if _plain(old.returns) != _plain(new.returns):
        changes.add(
            "Results changed",
            f"{new.name}: {' or '.join(old.returns)} -> {' or '.join(new.returns)}",
        )
