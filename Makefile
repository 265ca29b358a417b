# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: run test screenshots clean bench

$(BIN)/cockpit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/cockpit
	$(BIN)/cockpit

# lint-imports: the layering contracts in pyproject.toml ([tool.importlinter]).
test: $(BIN)/cockpit
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n auto $(PYTEST_ARGS)

screenshots: $(BIN)/cockpit
	$(BIN)/cockpit screenshots --out screenshots

clean:
	rm -rf $(VENV) .pytest_cache .import_linter_cache

# Every benchmark under bench/, one table (bench/run.py); BENCH_ARGS=--quick for the smoke run.
bench: $(BIN)/cockpit
	$(BIN)/python bench/run.py $(BENCH_ARGS)
