# Two commands do all the set-up: `make site` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: constraints site test checks bad-inputs-under-load lint typecheck workflows pytest browser-deps java postgres docs-check serve offline bench screenshots clean

$(BIN)/segments: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

constraints:  ## newest versions within pyproject.toml's ranges, written to constraints.txt
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet -e '.[dev]'
	{ sed -n '/^#/p' constraints.txt; .venv-constraints/bin/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt
	rm -rf .venv-constraints

site: $(BIN)/segments  ## generate docs/ from data/ and build site/
	$(BIN)/segments build

offline: $(BIN)/segments  ## build site.zip that opens from file:// with no server
	$(BIN)/segments build --offline

serve: $(BIN)/segments  ## preview with live reload
	$(BIN)/segments serve

bench: $(BIN)/segments  ## speed, memory and rebuild benchmarks (not part of make test)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/rebuilds.py
	$(BIN)/python benchmarks/engines.py

screenshots: $(BIN)/segments browser-deps  ## rebuild the site and refresh the README's docs-images/*.png
	CHROMIUM=$(CHROMIUM) $(BIN)/python scripts/screenshots.py

browser-deps:  ## Debian's Chromium and axe-core, for the browser tests
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium' (or set CHROMIUM=/path/to/chromium)"; exit 1; \
	  fi; \
	fi
	@if [ ! -f node_modules/axe-core/axe.min.js ]; then npm ci --no-audit --no-fund --loglevel=error; fi

java:  ## Debian's Java 17, for the Spark engine's tests (a local Spark session)
	@if ! command -v java >/dev/null && [ -z "$$JAVA_HOME" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	  else \
	    echo "Java is missing: run 'sudo apt-get install openjdk-17-jre-headless' (or set JAVA_HOME)"; exit 1; \
	  fi; \
	fi

postgres:  ## Debian's PostgreSQL, for the PostgreSQL engine's tests (they start a throwaway server)
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else \
	    echo "PostgreSQL is missing: run 'sudo apt-get install postgresql'"; exit 1; \
	  fi; \
	fi

# Only the folders that exist (benchmarks/ may not be there yet).
LINT_DIRS := $(wildcard generator tests benchmarks scripts)

lint: $(BIN)/segments
	$(BIN)/ruff check $(LINT_DIRS)
	$(BIN)/ruff format --check $(LINT_DIRS)
	$(BIN)/lint-imports

typecheck: $(BIN)/segments
	$(BIN)/mypy generator

workflows: $(BIN)/segments
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline --min-severity low .github/workflows/

docs-check: $(BIN)/segments  ## fails when docs/ is not what the generator would write
	$(BIN)/segments generate --check

# One pytest worker per core (xdist); a module's tests stay on one worker, so its module
# fixtures (built sites, servers) are made once; session fixtures once per worker.
PYTEST_WORKERS ?= auto
pytest: $(BIN)/segments browser-deps java postgres  ## unit, end-to-end, engine and browser tests
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# Issue 15: the bad-input suites on two workers beside busy loops; an abort at exit fails it.
UNDER_LOAD := tests/table/test_bad_inputs.py tests/e2e/test_bad_inputs_build.py tests/e2e/test_bad_commands.py
bad-inputs-under-load: $(BIN)/segments  ## bad-input suites, pytest -n 2, every CPU busy
	$(BIN)/python scripts/under_load.py -- $(BIN)/python -m pytest -q -n 2 -p no:cacheprovider \
	  $(UNDER_LOAD)

checks: lint typecheck workflows docs-check  ## everything but the tests

# Everything CI runs. The checks run beside pytest (a third job: they are short and mostly wait
# on files); the bad-input suites run once, under load, instead of also in the plain run.
test: $(BIN)/segments browser-deps java postgres  ## everything CI runs
	$(MAKE) --no-print-directory -j 3 --output-sync=target checks pytest \
	  PYTEST_ARGS="$(addprefix --ignore=,$(UNDER_LOAD))"
	$(MAKE) --no-print-directory bad-inputs-under-load

clean:
	rm -rf $(VENV) site site.zip .segments-cache node_modules
