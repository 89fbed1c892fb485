# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The development defaults; DATABASE_URL, REDIS_URL and REQUIRE_SERVICES pass through.
export DEBUG ?= 1
export DATABASE_URL REDIS_URL REQUIRE_SERVICES

.PHONY: run test test-dates install install-dev migrate seed lint clean messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip uv

# uv installs the stack in seconds; pip is the fallback when uv cannot be had.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e . || $(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[dev]' || $(PY) -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo --if-empty

run: seed
	$(PY) manage.py collectstatic --no-input --verbosity 0
	@$(PY) manage.py demo_logins --host $(HOST) --port $(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# The suite with the clock moved to the days that catch a test depending on today's date.
TEST_DATES ?= 2027-01-31 2028-02-29 2027-12-01 2027-12-31
test-dates: install-dev
	@for day in $(TEST_DATES); do \
		echo "== TEST_CLOCK=$$day"; \
		TEST_CLOCK=$$day $(PY) -m pytest $(PYTEST_ARGS) || exit 1; \
	done

lint: install-dev
	$(VENV)/bin/ruff check .

messages: install
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=staticfiles --ignore=var --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var/ staticfiles/
