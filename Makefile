# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
# Both work inside a project virtualenv (.venv) made with whichever python3 (>= 3.11) is
# first on PATH, or PYTHON=...; nothing is installed outside this folder, so an externally
# managed system Python (PEP 668) is fine. The venv is reused until pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)
export VIRTUAL_ENV := $(abspath $(VENV))

.PHONY: install install-dev demo test lint typecheck slamon clean-venv

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
	  "slamon needs Python >= 3.11; $(PYTHON) is " + sys.version.split()[0] + \
	  " (pass PYTHON=/path/to/python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamps: one for the runtime install (demo), one for the dev extras (tests).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(BIN)/slamon demo

test: $(VENV)/.installed-dev
	bash .ci/system-deps
	$(BIN)/python -m ruff check monitor tests bench
	$(BIN)/python -m mypy
	bash .ci/check-generated
	$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc

# `make slamon ARGS="cases list"`: any everyday command without activating the venv.
slamon: $(VENV)/.installed
	$(BIN)/slamon $(ARGS)

clean-venv:
	rm -rf $(VENV)
