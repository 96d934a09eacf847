# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint bench check clean

$(BIN)/reading-group: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

## Set up the virtual environment (first time only) and start the bot.
run: $(BIN)/reading-group
	@test -f .env || { cp .env.example .env; echo "Created .env from .env.example: put your DISCORD_TOKEN in it, then run 'make run' again."; exit 1; }
	$(BIN)/reading-group run

## Set up the virtual environment (first time only) and run the test suite.
test: $(BIN)/reading-group
	$(BIN)/pytest -q

## The inner loop: every test but the slow ones (process kills, chaos, long end-to-end runs).
test-fast: $(BIN)/reading-group
	$(BIN)/pytest -q -m "not slow"

lint: $(BIN)/reading-group
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

check: $(BIN)/reading-group
	$(BIN)/reading-group check

bench: $(BIN)/reading-group
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
