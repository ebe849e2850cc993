# Verbs: setup, train, run, test, bench. A newcomer needs only `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/current.tar.gz

export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
export STAFF_PORT ?= 8000
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook

# Rasa 3.6 needs Python 3.10; the system python3 may be newer, so look for 3.10 explicitly.
PYTHON310 := $(shell for p in $$(pyenv root 2>/dev/null)/versions/3.10*/bin/python3.10 \
	$$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10 \
	python3.10; do "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null \
	&& { echo "$$p"; break; }; done)

TRAIN_INPUTS := config.yml domain.yml $(wildcard data/nlu/*.yml) data/rules.yml \
	data/safety/resources.yml data/org.yml

.PHONY: setup train run test bench lint format validate browser clean nginx run-production \
	bench-topology

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON310)" || { echo "Python 3.10 is required by Rasa 3.6 (try: pyenv install 3.10)"; exit 1; }
	@test -x $(PY) || $(PYTHON310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip<25" wheel
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

# Training is skipped when none of its inputs changed since the last model.
train: $(MODEL)

$(MODEL): $(TRAIN_INPUTS) | setup
	$(PY) -m bot sync-domain
	$(RASA) train --fixed-model-name current --out models

run: setup train
	$(PY) -m bot run

# Debian's chromium drives the browser tests; nothing is downloaded by Playwright itself.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; }

# nginx balances the Rasa replicas of `make run-production`; it runs as a plain foreground process.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || \
		{ apt-get update -qq && apt-get install -y -qq nginx; }

# N Rasa replicas behind nginx, on PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); deploy/README.md
REPLICAS ?= 2
run-production: setup train nginx
	$(PY) -m bot run-production --replicas $(REPLICAS)

test: setup train browser
	$(PY) -m bot sync-domain --check
	$(PY) -m bot validate-knowledge
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q

bench: setup train
	$(PY) bench/run_all.py

# 1 and 2 replicas under load, a stock `rasa init` bot as reference; one JSON line per run.
bench-topology: setup train nginx
	$(PY) bench/topology_bench.py

lint:
	$(VENV)/bin/ruff check .

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf models var .pytest_cache
