# One command each: `make demo` runs the main job, `make test` the whole suite.
# Both create .venv on first use (Python 3.10+), so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck generate bench emulator clean

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

test: $(STAMP)
	bash scripts/ensure-chromium
	$(BIN)/python scripts/generate_api.py --check
	$(MAKE) --no-print-directory lint typecheck
	$(BIN)/python -m pytest $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/run.py --write-readme $(ARGS)

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache
