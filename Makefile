# DSR Portal. Two commands matter: `make run` and `make test`. Both set up everything.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | sha1sum | cut -c1-12)
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test test-sqlite test-postgres lint format translations translations-update bench browser-deps clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## Development server with demo data and a worker (SQLite in ./instance).
run: install
	$(BIN)/dsr-portal dev --host $(HOST) --port $(PORT)

## Lint, then the whole suite on SQLite and, when reachable (always in CI), on PostgreSQL.
test: install lint browser-deps test-sqlite test-postgres

test-sqlite: install
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test-postgres: install
	@if $(BIN)/python scripts/pg_available.py "$(PG_URL)"; then \
		echo "== PostgreSQL suite =="; \
		TEST_DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest -n 2 -m "not browser" $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL expected in CI at $(PG_URL) but not reachable" >&2; exit 1; \
	else \
		echo "PostgreSQL not reachable at $(PG_URL): PostgreSQL suite skipped"; \
	fi

## Debian's Chromium for the browser tests (Playwright's own download does not work offline),
## and axe-core from npm (package.json, pinned in package-lock.json) for the accessibility checks.
browser-deps: node_modules/axe-core/axe.min.js
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
			(apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
			&& echo "installed chromium"; \
		else echo "chromium not installed: browser tests will be skipped (install Debian's chromium)"; fi; \
	fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	elif [ "$$CI" = "true" ]; then echo "npm is required in CI for axe-core" >&2; exit 1; \
	else echo "npm not installed: the axe checks of the browser tests will be skipped"; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy rights exporters operations portal bench

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

translations: install
	$(BIN)/pybabel compile -d portal/translations --statistics

translations-update: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--ignore-dirs='.venv .git instance node_modules' -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d portal/translations --statistics

## Every benchmark on SQLite, and those with a PostgreSQL variant also there when reachable.
bench: install
	@if $(BIN)/python scripts/pg_available.py "$(PG_URL)"; then \
		$(BIN)/python bench/run_all.py --postgres "$(PG_URL)"; \
	else \
		echo "PostgreSQL not reachable at $(PG_URL): SQLite only"; $(BIN)/python bench/run_all.py; \
	fi

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
