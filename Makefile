# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
PYTHON ?= python3

.PHONY: install demo test lint typecheck generated

install:
	$(PYTHON) -m pip install -q -e ".[dev]"

demo:
	$(PYTHON) -m pip install -q -e .
	slamon demo

test: install
	bash .ci/system-deps
	$(PYTHON) -m ruff check monitor tests bench
	$(PYTHON) -m mypy
	bash .ci/check-generated
	$(PYTHON) -m pytest -q -p no:cacheprovider; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; rc=0; fi; exit $$rc
