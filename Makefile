# Handel: `make run` serves the demo store, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2

.PHONY: install install-dev run test test-postgres lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/handel migrate --noinput -v 0
	$(BIN)/handel demo --if-empty
	$(BIN)/handel collectstatic --noinput -v 0
	@echo ""
	@echo "Handel is at http://127.0.0.1:$(PORT)/  (admin /admin/, API docs /api/v1/docs, health /health/ready)"
	@echo ""
	$(BIN)/gunicorn handel.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --threads 4 \
		--access-logfile - --error-logfile - --log-level warning

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install-dev
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src/handel/core
	$(BIN)/lint-imports
	$(BIN)/handel makemigrations --check --dry-run -v 1

bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/static var/test-*.sqlite3*
