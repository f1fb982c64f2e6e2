# Passerelle: `make run` serves the platform with demo data, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench lint install setup messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# Migrations, reference data (communes, school holidays) and demo data; each step is idempotent.
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py import_communes --wet-run
	$(PY) manage.py import_school_holidays --wet-run
	$(PY) manage.py load_demo_data
	$(PY) manage.py sync_periodic_tasks --wet-run

run: setup
	@echo "Passerelle: http://$(HOST):$(PORT)/  (e-mails are written to var/mail/)"
	@# Tasks run eagerly in the embedded mode, so the beat process itself runs the periodic jobs (offers archived,
	@# applications expired, reminders); it stops with the server.
	$(VENV)/bin/celery -A backend beat --loglevel WARNING & BEAT=$$!; \
	trap 'kill $$BEAT 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) backend.asgi:application

# In parallel, one process per core; a file's tests stay together (the browser journeys share a browser).
PYTEST_ARGS ?= -n auto --dist loadfile
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

messages: install
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=docs
	$(PY) manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) var
