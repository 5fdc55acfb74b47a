# The two commands a newcomer types: `make demo` and `make test`.
# Everything they need is installed here (venv, Debian packages, FerretDB).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-image lint format bench clean

$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)
	PYTHON=$(BIN)/python bash devservers/install.sh

demo: setup
	$(BIN)/python -m replica.demo

test: setup lint
	$(BIN)/python -m pytest

# The image built and run for real on a dockerd of its own (as root; see tests/image).
test-image: setup
	PYTHON=$(BIN)/python bash devservers/install.sh --image
	$(BIN)/python -m pytest -m image tests/image

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/store.py
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/recrawl.py

clean:
	rm -rf $(VENV) .cache .demo articles.jsonl
