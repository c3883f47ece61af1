# Handel: `make run` serves the demo store, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2

.PHONY: install install-dev run test test-postgres lint bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

# model-viewer (3D and AR on product pages) comes from npm, pinned in package-lock.json, and is
# served as one file (three.js is bundled in it). Without npm the page shows a poster and a link.
FRONTEND := src/handel/storefront/frontend
VENDOR := src/handel/storefront/static/storefront/vendor

$(VENDOR)/model-viewer.min.js: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(FRONTEND) --no-audit --no-fund --loglevel=error && \
		mkdir -p $(VENDOR) && cp $(FRONTEND)/node_modules/@google/model-viewer/dist/model-viewer.min.js $@; \
	else \
		echo "npm not found: product pages show 3D models as a picture with a download link"; \
	fi

install: $(VENV)/.installed $(VENDOR)/model-viewer.min.js

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

# Refresh the Dutch catalog from the sources (needs GNU gettext's xgettext), then compile it.
messages: install-dev
	cd src/handel && ../../$(BIN)/handel makemessages -l nl --ignore '*/migrations/*' --no-obsolete
	$(BIN)/pybabel compile --domain django --directory src/handel/locale --locale nl

bench: install-dev
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/static var/test-*.sqlite3* $(VENDOR) $(FRONTEND)/node_modules
