"""Generate telewire's Bot API surface from the spec: `python scripts/generate_api.py`.

Reads the newest ``spec/botapi-*.json`` (api.json or aiogram schema format; see
``scripts/apigen``) and writes four modules under ``src/telewire/api/_generated/``:

* ``types.py``    - every type of the spec as a msgspec Struct, plus the unions;
* ``methods.py``  - a table describing every method (parameters, return type);
* ``bot.py``      - the sync and async method faces, rendered from one template;
* ``__init__.py`` - the Bot API version the code speaks.

``--check`` exits 1 when the committed files differ from what would be written, which the
test suite uses to keep generated code honest. ``--update FILE`` (``make update-api
SPEC=FILE``) adopts a newer spec: copies it into ``spec/``, regenerates, and prints what
changed for the changelog. ``--diff OLD NEW`` prints the changes between two spec files.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from apigen import render, sources
from apigen.diff import compare
from apigen.model import ApiSpec
from apigen.surface import Surface

ROOT = Path(__file__).resolve().parent.parent


def generate(spec: ApiSpec, out: Path, *, check: bool) -> list[str]:
    """Write (or with ``check`` only compare) the generated files; return the stale ones."""
    stale = []
    for fname, text in render.render_all(Surface(spec)).items():
        path = out / fname
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(fname)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return stale


def update(new_file: Path, spec_dir: Path, out: Path) -> str:
    """Adopt ``new_file`` as the current spec; return the changelog of what it changes."""
    new = sources.load(new_file)
    previous = sources.newest(spec_dir) if any(spec_dir.glob(sources.SPEC_FILES)) else None
    if previous and sources.version_key(new.version) < sources.version_key(previous.version):
        raise sources.SpecError(
            f"{new_file} is Bot API {new.version}, older than the current {previous.version}"
        )
    target = spec_dir / f"botapi-{new.version}.{sources.suffix(new_file)}"
    spec_dir.mkdir(parents=True, exist_ok=True)
    if new_file.resolve() != target.resolve():
        shutil.copyfile(new_file, target)
    generate(sources.load(target), out, check=False)
    if previous is None:
        return f"Bot API {new.version}: {len(new.methods)} methods, {len(new.types)} types\n"
    return compare(previous, new).report()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="exit 1 if generated code is stale")
    action.add_argument("--update", type=Path, metavar="FILE", help="adopt a newer spec file")
    action.add_argument("--diff", type=Path, nargs=2, metavar=("OLD", "NEW"))
    parser.add_argument("--root", type=Path, default=ROOT, help="repository to work in")
    args = parser.parse_args()
    spec_dir = args.root / "spec"
    out = args.root / "src" / "telewire" / "api" / "_generated"
    try:
        if args.diff:
            print(compare(sources.load(args.diff[0]), sources.load(args.diff[1])).report(), end="")
            return 0
        if args.update:
            print(update(args.update, spec_dir, out), end="")
            print(
                f"\nRecord where {args.update.name} came from (and its license) in spec/SOURCE.md."
            )
            return 0
        stale = generate(sources.newest(spec_dir), out, check=args.check)
    except sources.SpecError as exc:
        print(f"generate_api: {exc}", file=sys.stderr)
        return 2
    if args.check and stale:
        print(
            f"generated code is stale: {', '.join(stale)}; run `python scripts/generate_api.py`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
