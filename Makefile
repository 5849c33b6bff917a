# Two commands matter: `make demo` and `make test`. Both build .venv from the pinned lock when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint airflow bench lock clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip==26.3"
	PIP_CONSTRAINT=$(CURDIR)/constraints.txt $(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Regenerate the lock after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/wwa-lock && $(PYTHON) -m venv /tmp/wwa-lock
	/tmp/wwa-lock/bin/python -m pip install -q --upgrade "pip==26.3"
	/tmp/wwa-lock/bin/python -m pip install -q '.[dev]'
	/tmp/wwa-lock/bin/python -m pip freeze --exclude webex-wholesale-airflow > constraints.txt
	echo "setuptools==80.9.0" >> constraints.txt

clean:
	rm -rf $(VENV) .airflow-home .pytest_cache .ruff_cache

airflow: $(STAMP)
	$(BIN)/python scripts/airflow_ui.py

bench: $(STAMP)
	$(BIN)/python scripts/bench_onboarding.py
