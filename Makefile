# Two commands: `make run` (portal on http://127.0.0.1:8000 with SQLite, the article and a
# demo patient) and `make test` (every check). Both set themselves up from nothing.
.DEFAULT_GOAL := help
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Where `make run` writes every email it sends (development only).
MAIL_DIR := .mail

# The newest Python >= 3.12 found on PATH or in pyenv; override with `make PYTHON=/path/to/python3.13`.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)

.PHONY: help run test setup lighthouse clean

help:
	@echo "make run   - set up and serve the portal on http://127.0.0.1:8000 (with the task worker and reminder scheduler)"
	@echo "make test  - set up and run every check (lint, Django checks, tests on SQLite and, with DATABASE_URL, PostgreSQL)"
	@echo "make lighthouse - install Lighthouse (npm) for bench/lighthouse.py; make test does it too"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed: install it, or run make PYTHON=/path/to/python3.12"; exit 1; }
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

# Lighthouse for bench/lighthouse.py and tests/browser/test_lighthouse.py, pinned with its
# lock file (12.8.2: the last release for Node 20). Not `npm ci`: one of Lighthouse's
# dependencies asks for "latest" of another, which no lock file can satisfy for long.
# Without npm the test skips (STRICT=1 fails).
LIGHTHOUSE := bench/lighthouse/node_modules/lighthouse/cli/index.js
$(LIGHTHOUSE): bench/lighthouse/package.json bench/lighthouse/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm install --prefix bench/lighthouse --no-save --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the Lighthouse test will be skipped (apt-get install npm)"; fi

lighthouse: $(LIGHTHOUSE)

run: $(STAMP)
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py createcachetable
	DJANGO_DEBUG=true $(PY) manage.py loaddata fixtures/*.json
	DJANGO_DEBUG=true $(PY) manage.py create_demo_patient
	@# The web server with the task worker (sends the emails) and the reminder scheduler
	@# beside it; Ctrl-C stops all three. Every email is a file in $(MAIL_DIR)/.
	@echo "Emails (reminders, sign-up and password links) are written to $(MAIL_DIR)/"
	@export DJANGO_DEBUG=true DJANGO_EMAIL_FILE_PATH="$(CURDIR)/$(MAIL_DIR)"; \
	  $(PY) manage.py db_worker --no-reload & worker=$$!; \
	  $(PY) manage.py run_scheduler --interval 60 & scheduler=$$!; \
	  trap 'kill $$worker $$scheduler 2>/dev/null; wait $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000

# STRICT=1 (CI) turns "skipped: no Chromium / no PostgreSQL" into failures.
test: $(STAMP) $(LIGHTHOUSE)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	env -u DATABASE_URL DJANGO_DEBUG=true $(PY) manage.py check --fail-level WARNING
	env -u DATABASE_URL DJANGO_DEBUG=true $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
	  $(PY) manage.py collectstatic --noinput --clear -v 0
	@# With DATABASE_URL the PostgreSQL leg runs beside the SQLite one (two cores, half the
	@# wait); its output follows SQLite's. Each leg uses its own database, temp files and ports.
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== SQLite, and beside it PostgreSQL ($${DATABASE_URL%%@*}@…)"; \
	  log=$$(mktemp); \
	  DJANGO_DEBUG=true $(PY) -m pytest -p no:cacheprovider $(if $(STRICT),--strict-requirements,) $(PYTEST_ARGS) > $$log 2>&1 & pg=$$!; \
	  env -u DATABASE_URL DJANGO_DEBUG=true $(PY) -m pytest -p no:cacheprovider $(if $(STRICT),--strict-requirements,) $(PYTEST_ARGS); sqlite=$$?; \
	  wait $$pg; postgres=$$?; \
	  echo "== PostgreSQL leg"; cat $$log; rm -f $$log; \
	  echo "== SQLite leg: exit $$sqlite; PostgreSQL leg: exit $$postgres"; \
	  [ $$sqlite -eq 0 ] && [ $$postgres -eq 0 ]; \
	else \
	  env -u DATABASE_URL DJANGO_DEBUG=true $(PY) -m pytest $(if $(STRICT),--strict-requirements,) $(PYTEST_ARGS) || exit 1; \
	  if [ -n "$(STRICT)" ]; then echo "STRICT=1 needs DATABASE_URL pointing at PostgreSQL"; exit 1; fi; \
	  echo "== PostgreSQL leg skipped: set DATABASE_URL=postgres://... to run it"; fi

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache *.egg-info $(MAIL_DIR) bench/lighthouse/node_modules
