# The two commands a newcomer needs:
#   make run   -- set everything up, build the graph, serve it on http://127.0.0.1:8000/
#   make test  -- set everything up, build the graph, run the whole test suite
# Everything else here is a step of those two.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup build lint clean

run: build
	$(BIN)/kg serve

test: build
	$(BIN)/ruff check .
	$(BIN)/pytest

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

build: setup
	$(BIN)/kg build

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf graph/build graph/build.* .pytest_cache .ruff_cache
