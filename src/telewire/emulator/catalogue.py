"""What the emulator offers, read from the code: users' acts and emulated methods.

The README's lists are rendered from here (``scripts/emulator_readme.py``) and a test
compares them, so the documentation cannot drift from the registry or the routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Act:
    """Something a user can do: its control API route, plugin helper(s), and function."""

    route: str
    helpers: tuple[str, ...]
    function: Callable[..., Any]

    @property
    def summary(self) -> str:
        doc = (self.function.__doc__ or "").strip().splitlines()
        return doc[0].rstrip(".").replace("``", "`") if doc else ""


def acts() -> list[Act]:
    from telewire.emulator import control
    from telewire.emulator.acts import inline, members, messages, payments, polls

    return [
        Act("POST /emulator/send", ("send",), control.user_sends),
        Act(
            "POST /emulator/upload",
            ("send_photo", "send_document", "send_voice", "send_video", "send_audio"),
            control.user_sends,
        ),
        Act("POST /emulator/press", ("press",), control.press),
        Act("POST /emulator/block", ("block",), control.set_blocked),
        Act("POST /emulator/edit", ("edit",), messages.edit),
        Act("POST /emulator/react", ("react",), messages.react),
        Act(
            "POST /emulator/send_object",
            ("send_location", "send_venue", "send_contact", "send_dice", "send_web_app_data"),
            messages.send_object,
        ),
        Act("POST /emulator/inline", ("inline_query",), inline.type_query),
        Act("POST /emulator/inline/answer", ("inline_answer",), inline.query_of),
        Act("POST /emulator/inline/choose", ("choose_inline_result",), inline.choose),
        Act("POST /emulator/vote", ("vote",), polls.vote),
        Act("POST /emulator/pay", ("pay",), payments.pay),
        Act("POST /emulator/join", ("join",), members.join),
        Act("POST /emulator/leave", ("leave",), members.leave),
        Act("POST /emulator/member", ("set_member",), members.set_member),
    ]


def emulated_methods() -> dict[str, list[str]]:
    """Emulated Bot API methods by the module implementing them (spec spelling)."""
    from telewire.api._generated.methods import METHODS
    from telewire.emulator.methods import registry

    families: dict[str, list[str]] = {}
    for key, handler in registry().items():
        spec = METHODS.get(key)
        if spec is not None:
            family = handler.__module__.rsplit(".", 1)[-1]
            families.setdefault(family, []).append(spec.name)
    return {family: sorted(names) for family, names in sorted(families.items())}


def unsupported_methods() -> list[str]:
    from telewire.api._generated.methods import METHODS

    done = {name for names in emulated_methods().values() for name in names}
    return sorted(spec.name for spec in METHODS.values() if spec.name not in done)


def markdown() -> str:
    """The README's generated lists."""
    from telewire.api._generated.methods import METHODS

    lines = ["What a user can do (control API route: plugin helper — what happens):", ""]
    for act in acts():
        helpers = ", ".join(f"`emulator.{h}`" for h in act.helpers)
        lines.append(f"- `{act.route}`: {helpers} — {act.summary}")
    methods = emulated_methods()
    count = sum(len(names) for names in methods.values())
    lines += ["", f"Methods emulated with state ({count} of {len(METHODS)}), by module:", ""]
    for family, names in methods.items():
        lines.append(f"- *{family}*: " + ", ".join(f"`{n}`" for n in names))
    lines += [
        "",
        'Every other method answers 400 "Bad Request: method <name> is not supported by the '
        'telewire emulator": ' + ", ".join(f"`{n}`" for n in unsupported_methods()) + ".",
    ]
    return "\n".join(lines) + "\n"
