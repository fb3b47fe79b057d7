# `make run` and `make test` set everything up themselves; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Front-end packages (USWDS, htmx, axe-core for the browser tests) from the npm registry.
ASSETS := node_modules/.installed
# The suite runs on SQLite, then on PostgreSQL when a server answers here.
PG_URL ?= postgres://postgres@127.0.0.1:5432/clee

.PHONY: setup run test test-sqlite test-postgres lint typecheck bench clean

setup: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "CLEE needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

$(ASSETS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "CLEE needs Node.js and npm to install its front-end packages"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $(ASSETS)

# The job worker and the scheduler run in the background beside the web server, and stop
# with it (docs/operations.md §3.4). DEBUG is off (the site's own error pages), so runserver
# serves the static files with --insecure.
run: setup
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py demo_state --once
	$(BIN)/python manage.py advance_calendar
	$(BIN)/python manage.py credential_keys ensure
	@$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	$(BIN)/python manage.py run_scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null; wait $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver --insecure 127.0.0.1:8000

lint: setup
	$(BIN)/ruff check clee tests bench manage.py
	$(BIN)/ruff format --check clee tests bench manage.py
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run -v 0

typecheck: setup
	$(BIN)/mypy

test-sqlite: setup
	env -u DATABASE_URL $(BIN)/python -m pytest -n 2 -q

# On a developer's machine without PostgreSQL the run is skipped, with a message; in CI (the
# variable CI set, as .ci/run and CI services do) a server that does not answer fails the build.
test-postgres: setup
	@if $(BIN)/python -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2)' 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -n 2 -q -m "not engine_only and not browser"; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL does not answer on 127.0.0.1:5432: CI runs the suite on PostgreSQL too (start it, or see .ci/run)"; \
		exit 1; \
	else \
		echo "PostgreSQL does not answer on 127.0.0.1:5432: the PostgreSQL run is skipped (CI would fail here)"; \
	fi

test: setup lint typecheck test-sqlite test-postgres

bench: setup
	$(BIN)/python bench/rules_bench.py

clean:
	rm -rf $(VENV) node_modules screenshots .pytest_cache .mypy_cache .ruff_cache .hypothesis
