# lorelens: the two set-up commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: demo demo-lore test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dashboard,dev]'
	rm -f $(VENV)/.installed-*
	touch $@

## demo: build the offline sample into data/lorelens.duckdb, then serve the dashboard
demo: $(STAMP)
	$(BIN)/lorelens demo

## demo-lore: the same for a lore list (needs the network): make demo-lore INBOX=linux-watchdog
INBOX ?= linux-watchdog
demo-lore: $(STAMP)
	$(BIN)/lorelens demo --from-lore https://lore.kernel.org/$(INBOX)

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest

## lint: ruff, then mypy (both configured in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

## bench: ingest speed and memory on the shared watchdog archive (see bench/README.md)
bench: $(STAMP)
	$(BIN)/python bench/bench_ingest.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache
