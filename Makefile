# Two commands for a fresh clone: `make run` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev migrate seed schema bench bench-discovery bench-ws clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_creators --count 300 --if-empty
	SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py seed_demo

## Serve the embedded stack (SQLite, in-memory channels, eager Celery) on http://$(HOST):$(PORT)
run: seed
	$(PY) manage.py runserver $(HOST):$(PORT)

## The whole suite against a throwaway PostgreSQL + Redis on loopback
test: install-dev
	./scripts/test.sh

## OpenAPI schema, validated
schema: install
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

## Discovery speed: seed 1,000,000 creators into a throwaway PostgreSQL, print p50/p95/p99 (bench/README.md)
bench-discovery: install
	./scripts/bench.sh

## Websocket speed: 1,000 and 5,000 sockets on one daphne + Redis layer; connect, delivery, fan-out, memory (bench/README.md)
bench-ws: install-dev
	./scripts/bench_ws.sh

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
