# The two commands a newcomer needs:
#   make run   -- set everything up, build the graph, serve it on http://127.0.0.1:8000/
#   make test  -- set everything up, build the graph, run the whole test suite
# Everything else here is a step of those two.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json

.PHONY: run test setup build lint clean browser virtuoso test-virtuoso

run: build
	$(BIN)/kg serve

test: build browser virtuoso
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

setup: $(STAMP) $(NODE_STAMP)

# the query editor's files (YASGUI), served by the app from node_modules: no CDN
$(NODE_STAMP): package.json package-lock.json
	command -v npm >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm)
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

# headless Chromium for the UI tests (Debian's package; never a browser download)
browser:
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) \
		|| echo "chromium could not be installed: the UI tests will be skipped"

# Debian's Virtuoso for the remote-mode tests (about 5 minutes to install; the suite then takes about 60 s)
virtuoso:
	command -v virtuoso-t >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource-7-bin) \
		|| echo "virtuoso could not be installed: the Virtuoso tests will be skipped"

# publish with Digest auth, serve with --backend, same answers as embedded, outage and recovery
test-virtuoso: setup virtuoso
	$(BIN)/pytest tests/remote/test_remote_virtuoso.py -q

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: setup
	$(BIN)/kg build

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf graph/build graph/.build.* .pytest_cache .ruff_cache
