# One command each: `make demo` runs the main job, `make test` the whole suite.
# Both create .venv on first use (Python 3.10+), so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck generate update-api bench emulator docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/telewire demo $(ARGS)

emulator: $(STAMP)
	$(BIN)/telewire emulator $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts examples benchmarks
	$(BIN)/ruff format --check src tests scripts examples benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

generate: $(STAMP)
	$(BIN)/python scripts/generate_api.py

# Adopt a newer Bot API spec (api.json or aiogram schema.json): `make update-api SPEC=file`.
# Regenerates the code and prints what changed, for the changelog.
update-api: $(STAMP)
	@test -n "$(SPEC)" || { echo "usage: make update-api SPEC=path/to/spec.json" >&2; exit 2; }
	$(BIN)/python scripts/generate_api.py --update "$(SPEC)"

test: $(STAMP)
	bash scripts/ensure-chromium
	bash scripts/ensure-redis
	$(BIN)/python scripts/generate_api.py --check
	$(MAKE) --no-print-directory lint typecheck
	$(BIN)/python -m pytest $(ARGS)

# The documentation site, into site/ (open site/index.html, or serve it: `mkdocs serve`).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/run.py --write-readme $(ARGS)

clean:
	rm -rf $(VENV) build dist site .mypy_cache .ruff_cache
