# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/recordkit demo

# `make test` = lint (ruff check, ruff format --check, the import-linter contracts in
# pyproject.toml) then pytest, then the index's users again with every index in
# PostgreSQL (a server the suite starts itself; skipped where PostgreSQL is absent).
PG_TESTS := tests/test_archive_*.py tests/test_audit_*.py \
	tests/test_disposal_two_person.py tests/test_generate.py tests/test_regenerate.py \
	tests/test_derived_staleness.py
# The web app's pages through Django's test client, with its tables in PostgreSQL too
# (tests/web_setup.py); the browser and `serve` files start their own processes.
PG_WEB_TESTS := $(filter-out %_browser.py tests/test_web_serve.py tests/test_web_demo.py, \
	$(wildcard tests/test_web_*.py))

test: lint
	$(BIN)/python -m pytest -q
	RECORDKIT_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q $(PG_TESTS)
	RECORDKIT_TEST_BACKEND=postgresql $(BIN)/python -m pytest -q $(PG_WEB_TESTS)

lint: $(STAMP)
	$(BIN)/ruff check recordkit tests bench tools
	$(BIN)/ruff format --check recordkit tests bench tools
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info
