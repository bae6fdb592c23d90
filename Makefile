# Shouhu: `make demo` runs the portal with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
WEB_PORT ?= 8000
# Links in the demo's notifications and emails point at the demo's own address.
PORTAL_URL ?= http://$(HOST):$(WEB_PORT)
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: demo test lint messages translations browser redis-binary screenshots clean

# --- set-up -----------------------------------------------------------------
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUNTIME_STAMP)

# Translations are compiled with Babel, so no system gettext is needed.
messages: $(RUNTIME_STAMP)
	$(BIN)/pybabel compile --directory locale --domain django --statistics

# Debian's Chromium for the browser stories (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

# The Redis server binary, for the test that stops and starts a Redis of its own.
redis-binary:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "Installing Debian's redis-server for the outage test"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends redis-server; }

# --- the two commands ---------------------------------------------------------
demo: $(RUNTIME_STAMP) messages
	$(BIN)/python manage.py migrate --noinput
	SHOUHU_PORTAL_URL=$(PORTAL_URL) $(BIN)/python manage.py load_demo
	@echo ""
	@echo "Shouhu is starting at $(PORTAL_URL)/  (Ctrl-C stops the web server, worker and beat)"
	@echo ""
	HOST=$(HOST) WEB_PORT=$(WEB_PORT) SHOUHU_PORTAL_URL=$(PORTAL_URL) $(BIN)/honcho --procfile Procfile.demo start

test: $(DEV_STAMP) messages browser redis-binary
	$(BIN)/python -m tests.services
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/djlint . --lint
	$(BIN)/djlint . --check
	$(BIN)/bandit -c pyproject.toml -r accounts config fraud interventions orders demo -q
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

# --- helpers ---------------------------------------------------------------------
lint: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint . --reformat --warn  # exits 0 once it has rewritten files, as ruff format does

# Fonts for screenshots of Chinese pages (not needed by the tests).
screenshots: $(DEV_STAMP) messages browser
	@fc-list :lang=zh | grep -q . || { $(SUDO) apt-get install -y -qq --no-install-recommends fonts-noto-cjk; }
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) var

# Extract the strings of code and templates into the zh_Hans catalogue (needs system gettext).
translations: $(DEV_STAMP)
	$(BIN)/python manage.py makemessages --locale zh_Hans --no-obsolete \
	  --ignore '.venv/*' --ignore 'var/*' --ignore 'bench/*' --ignore 'tests/*' --ignore 'docs/*'
