# Two commands on a fresh clone: `make run` and `make test`. Everything else is a step they use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP_PY := $(VENV)/.installed
STAMP_NODE := node_modules/.installed
ASSETS := static/build/app.css static/build/govuk-frontend.min.js static/build/assets/.copied
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install assets migrate lint format clean worker beat

install: $(STAMP_PY)

$(STAMP_PY): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(STAMP_NODE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(ASSETS)

static/build/app.css: static/src/app.scss $(STAMP_NODE)
	mkdir -p static/build
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
	  --silence-deprecation=import --silence-deprecation=global-builtin \
	  --load-path=node_modules static/src/app.scss $@

static/build/govuk-frontend.min.js: $(STAMP_NODE)
	mkdir -p static/build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

static/build/assets/.copied: $(STAMP_NODE)
	mkdir -p static/build/assets
	cp -r node_modules/govuk-frontend/dist/govuk/assets/images static/build/assets/
	touch $@

migrate: $(STAMP_PY)
	$(BIN)/python manage.py migrate --noinput

run: $(STAMP_PY) assets migrate
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite runs on one pytest-xdist worker per core (at most 4; each gets its own test database
# and Redis database, see tests/conftest.py). PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_XDIST ?= -n auto --maxprocesses=4 --dist worksteal

test: $(STAMP_PY) assets
	$(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

worker: $(STAMP_PY)
	$(BIN)/celery -A config worker --loglevel=info

beat: $(STAMP_PY)
	$(BIN)/celery -A config beat --loglevel=info

lint: $(STAMP_PY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP_PY)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf static/build staticfiles node_modules/.installed
