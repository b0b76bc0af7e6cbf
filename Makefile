# Two entry points for a fresh machine with only Python 3.11+ and pip:
#   make demo   installs the tool and runs analyze, report and scaffold on the bundled sample
#   make test   installs the test extras and runs the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= demo-out

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

.PHONY: install install-test demo test test-fast clean
install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"

demo: install
	$(BIN)/msa analyze samples/shop -o $(OUT)/shop-analysis.json --plan $(OUT)/shop-plan.toml
	$(BIN)/msa report $(OUT)/shop-analysis.json
	$(BIN)/msa report $(OUT)/shop-analysis.json --format html -o $(OUT)/shop-report.html
	$(BIN)/msa report $(OUT)/shop-analysis.json --format md -o $(OUT)/shop-report.md
	$(BIN)/msa scaffold $(OUT)/shop-analysis.json -o $(OUT)/shop-services --force
	@echo "demo output in $(OUT)/ (open $(OUT)/shop-report.html)"

test: install-test
	$(BIN)/python -m pytest -q

test-fast: install-test
	$(BIN)/python -m pytest -q -m "not e2e"

clean:
	rm -rf $(OUT) .pytest_cache build dist *.egg-info
