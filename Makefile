# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Test processes: one per core by default; TEST_WORKERS=0 runs the suite in this process.
TEST_WORKERS ?= auto

.PHONY: run test build serve install dev lint format postgres chromium clean

run: install var/.built serve ## set up, build the default atlas (once), serve it

test: dev postgres chromium lint ## run every test, on SQLite and PostgreSQL
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

# The default atlas is rebuilt when the sources, the curated pages or the code change.
var/.built: $(VENV)/.installed src/scidex/ingest/sources/manifest.toml $(wildcard content/pages/*.md) $(shell find src/scidex -name '*.py')
	$(BIN)/scidex build
	@mkdir -p var && touch $@

build: install
	$(BIN)/scidex build
	@mkdir -p var && touch var/.built

serve: install
	$(BIN)/scidex serve --host $(HOST) --port $(PORT)

lint: dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports
	$(BIN)/mypy

format: dev
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

postgres: ## make sure the local PostgreSQL answers (start the cluster if it is installed)
	@scripts/ensure-postgres.sh

chromium: ## Debian's chromium for the browser tests
	@scripts/ensure-chromium.sh

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
