# Two commands for a fresh machine: `make demo` and `make test`; each sets up its own venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck format bench clean coqui-env

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -e '.[dev,seq2seq,ctranslate2,piper,ear]'
	touch $@

demo: $(VENV)/.runtime
	$(BIN)/bulletin demo

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest -q -n 3 --dist loadgroup

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.runtime
	$(BIN)/python bench/pipeline.py

# Coqui TTS gets its own venv: its torch 2.9 (with torchaudio) cannot share the main env's
# torch 2.13. About 7.6 GB and 2-3 minutes (requirements/coqui.txt).
COQUI_VENV ?= .venv-coqui

$(COQUI_VENV)/.installed: requirements/coqui.txt
	$(PYTHON) -m venv $(COQUI_VENV)
	$(COQUI_VENV)/bin/python -m pip install --quiet -r requirements/coqui.txt
	touch $@

coqui-env: $(COQUI_VENV)/.installed

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
