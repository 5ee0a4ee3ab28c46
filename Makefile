# Social Studio: `make demo` runs the whole app locally, `make test` runs everything CI runs.
VENV ?= .venv
PYTHON ?= python3
FLASK = $(VENV)/bin/flask --app studio
STAMP = $(VENV)/.installed

.PHONY: demo test stress lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(FLASK) init
	$(FLASK) demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# SQLite always; PostgreSQL too when STUDIO_TEST_DATABASE_URL names a server (CI sets it).
# The deployment tests (tests/deploy) always use that server and Redis: they run once, in the
# first pass, and are left out of the second.
# Each pass ends with its 20 slowest tests.
test: lint
	STUDIO_TEST_ON_SQLITE=1 $(VENV)/bin/pytest --durations=20
	@if [ -n "$$STUDIO_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		$(VENV)/bin/pytest -m "not browser and not deploy" --durations=20; \
	fi

# The fault, deploy and browser suites N times with new seeds; passes per test (tests/stress.py).
N ?= 5
stress: $(STAMP)
	$(VENV)/bin/python tests/stress.py --rounds $(N)

bench: $(STAMP)
	$(VENV)/bin/python bench/upload_pipeline.py
	$(VENV)/bin/python bench/audit.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
