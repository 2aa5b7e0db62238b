# Two commands: `make run` (the demo province on the embedded defaults) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint bench install dev-install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.base-installed: requirements/base.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --require-hashes -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock $(VENV)/.base-installed
	$(BIN)/python -m pip install -q --require-hashes -r requirements/dev.lock
	touch $@

# WeasyPrint (the one-stop forms' PDFs) loads Pango and embeds Liberation Serif 2: Debian packages.
install: $(VENV)/.base-installed
	@missing=""; \
	ldconfig -p | grep 'libpango-1.0.so.0' >/dev/null || missing="$$missing libpango-1.0-0"; \
	ldconfig -p | grep 'libpangoft2-1.0.so.0' >/dev/null || missing="$$missing libpangoft2-1.0-0"; \
	[ -e /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] \
	  || missing="$$missing fonts-liberation2"; \
	if [ -n "$$missing" ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

dev-install: $(VENV)/.dev-installed

run: install
	bash scripts/run.sh

# Tests run with DEBUG off, as in production; cookies are not Secure because the test server is http.
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=test-only-secret-key SECURE_COOKIES=0 LOG_LEVEL=WARNING
PG_URL := $(or $(TEST_DATABASE_URL),$(DATABASE_URL))

lint: dev-install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/mypy chinhquyen tests $(wildcard bench)
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

test: lint
	@echo "=== pytest on SQLite ==="
	env -u DATABASE_URL $(TEST_ENV) $(BIN)/pytest -q
	@if [ -n "$(PG_URL)" ]; then \
	  echo "=== pytest on PostgreSQL ($(PG_URL)) ==="; \
	  env $(TEST_ENV) DATABASE_URL="$(PG_URL)" $(BIN)/pytest -q; \
	else echo "=== PostgreSQL run skipped: set TEST_DATABASE_URL ==="; fi

# Issues #3 and #5: 1,000,000 dossiers for tracking, submission, worker memory, worklists,
# transitions and statistics (~35 min; --quick: the citizens and back-office runs on 20,000).
CITIZENS_BENCH_ARGS ?= $(filter --quick,$(BENCH_ARGS))

bench: dev-install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/bench_citizens.py $(CITIZENS_BENCH_ARGS)
	$(BIN)/python bench/bench_backoffice.py $(CITIZENS_BENCH_ARGS)
	$(BIN)/python bench/bench_statistics.py
	$(BIN)/python bench/bench_forms.py
	DJANGO_DEBUG=1 $(BIN)/python bench/bench_signing.py
	DJANGO_DEBUG=1 $(BIN)/python bench/bench_validation.py

clean:
	rm -rf var/chinhquyen.sqlite3* var/broker var/media
