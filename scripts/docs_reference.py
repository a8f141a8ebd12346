"""Reference pages written from what the code already knows: the Bot API spec and the CLI.

The Bot API surface (185 methods, 400 types) is generated from ``spec/``, so its reference
is too: one Markdown page for methods and one for types, with Telegram's own descriptions
and the Python names telewire gives them. Rendering those through mkdocstrings would
import and introspect ~600 objects on every build (slow, and the generated code holds
nothing the spec does not); Markdown straight from the spec model costs milliseconds.
The CLI page comes from the argparse definitions in ``src/telewire/cli/``, so a new flag
is documented the moment it exists.

Used by ``scripts/docs_hooks.py`` at build time; ``python scripts/docs_reference.py DIR``
writes the pages to DIR, to read them without building the site.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from apigen.model import DOCS, ApiSpec, Entity, Field  # noqa: E402
from apigen.render import py_field_name, snake  # noqa: E402
from apigen.sources import newest  # noqa: E402

PAGES = {
    "reference/methods.md": "methods",
    "reference/types.md": "types",
    "reference/cli.md": "cli",
}


def spec() -> ApiSpec:
    return newest(ROOT / "spec")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _type_link(expr: str, api: ApiSpec, page: str) -> str:
    """``Array of PhotoSize`` with ``PhotoSize`` linked to its section of the types page."""
    words = expr.split(" ")
    last = words[-1]
    if last in api.types:
        target = f"#{last.lower()}" if page == "types" else f"types.md#{last.lower()}"
        words[-1] = f"[{last}]({target})"
    return " ".join(words)


def _types(types: tuple[str, ...], api: ApiSpec, page: str) -> str:
    return " or ".join(_type_link(t, api, page) for t in types)


def _fields_table(fields: tuple[Field, ...], api: ApiSpec, page: str, head: str) -> list[str]:
    if not fields:
        return []
    lines = [f"| {head} | type | required | description |", "|---|---|---|---|"]
    for f in fields:
        required = "yes" if f.required else "optional"
        lines.append(
            f"| `{py_field_name(f.name)}` | {_cell(_types(f.types, api, page))} | {required} "
            f"| {_cell(f.description)} |"
        )
    return [*lines, ""]


def _section(entity: Entity, api: ApiSpec, page: str, title: str) -> list[str]:
    lines = [f"## {title} {{ #{entity.name.lower()} }}", ""]
    lines += [line for line in entity.description if line.strip()]
    lines.append("")
    return lines


def methods_page(api: ApiSpec) -> str:
    lines = [
        "# Bot API methods",
        "",
        f"Every method of Bot API {api.version} ({len(api.methods)} methods), as "
        "`Bot` and `AsyncBot` offer it: the Python name, its parameters and Telegram's own "
        "description. Parameters are keyword arguments; optional ones default to `None` "
        "(not sent). Generated from `spec/` at build time.",
        "",
    ]
    for name in sorted(api.methods, key=str.lower):
        method = api.methods[name]
        python = snake(name)
        lines += _section(method, api, "methods", f"{python}")
        lines.append(
            f"`bot.{python}(...)` calls [`{name}`]({DOCS}{name.lower()}) and returns "
            f"{_types(method.returns, api, 'methods') or '`True`'}."
        )
        lines.append("")
        lines += _fields_table(method.fields, api, "methods", "parameter")
    return "\n".join(lines) + "\n"


def types_page(api: ApiSpec) -> str:
    lines = [
        "# Bot API types",
        "",
        f"Every type of Bot API {api.version} ({len(api.types)} types), importable from "
        "`telewire.types` as a `msgspec.Struct`. Field names are Telegram's, except `from`, "
        "which is `from_user`. Generated from `spec/` at build time.",
        "",
    ]
    for name in sorted(api.types, key=str.lower):
        entity = api.types[name]
        lines += _section(entity, api, "types", name)
        if entity.subtypes:
            kinds = ", ".join(_type_link(s, api, "types") for s in entity.subtypes)
            lines += [f"One of: {kinds}.", ""]
        lines += _fields_table(entity.fields, api, "types", "field")
    return "\n".join(lines) + "\n"


# -- the CLI ------------------------------------------------------------------------------------


@contextmanager
def _placeholder_dirs() -> Iterator[None]:
    """Defaults in help texts show ``$XDG_STATE_HOME/...``, not the builder's home."""
    saved = {k: os.environ.get(k) for k in ("XDG_STATE_HOME", "XDG_CONFIG_HOME")}
    os.environ["XDG_STATE_HOME"] = "$XDG_STATE_HOME"
    os.environ["XDG_CONFIG_HOME"] = "$XDG_CONFIG_HOME"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _argument_rows(parser: argparse.ArgumentParser) -> list[str]:
    rows = []
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        if action.option_strings:
            names = ", ".join(f"`{s}`" for s in action.option_strings)
            if action.nargs != 0:
                names += f" `{action.metavar or action.dest.upper()}`"
        else:
            names = f"`{action.metavar or action.dest}`"
        about = action.help or ""
        if action.choices and not isinstance(action.choices, dict):
            about += (
                (" " if about else "") + "One of " + ", ".join(f"`{c}`" for c in action.choices)
            )
        if action.required and action.option_strings:
            about += " (required)"
        default = action.default
        shown = "default" in about.lower() or default in ([], "")
        if default not in (None, False, argparse.SUPPRESS) and action.nargs != 0 and not shown:
            about += f" (default: `{default}`)"
        rows.append(f"| {names} | {_cell(about)} |")
    if not rows:
        return []
    return ["| argument | meaning |", "|---|---|", *rows, ""]


def _command_section(parser: argparse.ArgumentParser, title: str, level: int) -> list[str]:
    lines = [f"{'#' * level} `{title}`", ""]
    if parser.description:
        lines += [parser.description[0].upper() + parser.description[1:] + ".", ""]
    lines += ["```text", parser.format_usage().strip(), "```", ""]
    lines += _argument_rows(parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                if not sub.description and helps.get(name):
                    sub.description = helps[name]
                lines += _command_section(sub, f"{title} {name}", level + 1)
    return lines


def cli_page() -> str:
    from telewire.cli.errors import Parser
    from telewire.cli.main import COMMANDS

    lines = [
        "# Command line",
        "",
        "`telewire COMMAND [options]`; `telewire COMMAND --help` prints the same. Every "
        "command reports an error as one line, `telewire <command>: ...`, and exits with "
        "the codes in [Exit codes](exit-codes.md). Generated from the argparse "
        "definitions in `src/telewire/cli/` at build time.",
        "",
    ]
    with _placeholder_dirs():
        for name, (module, help_text) in COMMANDS.items():
            parser = Parser(prog=f"telewire {name}", description=help_text)
            import_module(module).add_arguments(parser)
            lines += _command_section(parser, f"telewire {name}", 2)
    return "\n".join(lines) + "\n"


def render(page: str) -> str:
    which = PAGES[page]
    if which == "cli":
        return cli_page()
    api = spec()
    return methods_page(api) if which == "methods" else types_page(api)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "site-reference")
    for page in PAGES:
        target = out / page
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(page))
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
