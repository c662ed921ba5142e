# Two commands for a newcomer: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install graphviz demo test lint typecheck unit bench eval fuzz clean

# Virtual environment with the package (editable) and its development tools.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing genogram and its dependencies into $(VENV) (log: $(VENV)/install.log)"
	@{ $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[dev]'; } \
	  > $(VENV)/install.log 2>&1 || { tail -n 30 $(VENV)/install.log; echo "error: install failed; see $(VENV)/install.log" >&2; exit 1; }
	@touch $(STAMP)

# Debian's Graphviz provides `dot`, which draws the genograms.
graphviz:
	@if ! command -v dot >/dev/null 2>&1; then \
	  echo "Graphviz's 'dot' is missing: installing Debian's graphviz package"; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
	      || { echo "error: could not install graphviz; install it with 'apt-get install graphviz' and rerun" >&2; exit 1; }; \
	  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
	    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null) \
	      || { echo "error: could not install graphviz; install it with 'sudo apt-get install graphviz' and rerun" >&2; exit 1; }; \
	  else \
	    echo "error: Graphviz is needed: install the 'graphviz' package of your system (it provides 'dot') and rerun" >&2; exit 1; \
	  fi; \
	fi

install: $(STAMP) graphviz

demo: install
	$(BIN)/genogram demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

test: install lint typecheck unit

# Every benchmark script under bench/ prints its figures; none of them pass or fail.
bench: install
	@$(BIN)/python -m pip install -e '.[bench]' > $(VENV)/bench-install.log 2>&1 || { tail -n 30 $(VENV)/bench-install.log; echo "error: could not install the bench extra" >&2; exit 1; }
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Precision, recall and F1 of case-note extraction on the gold corpus (tests/notes_corpus).
eval: $(STAMP)
	$(BIN)/python tests/notes_corpus/corpus_eval.py

# Coverage-guided fuzzing (atheris) of every parser, FUZZ_SECONDS each (default 60).
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	@$(BIN)/python -m pip install --quiet atheris
	@for target in people relationships notes dates names extract; do \
	  $(BIN)/python fuzz/run.py $$target $(FUZZ_SECONDS) > $(VENV)/fuzz-$$target.log 2>&1 \
	    && echo "fuzz $$target: $$(tail -n 1 $(VENV)/fuzz-$$target.log)" \
	    || { tail -n 40 $(VENV)/fuzz-$$target.log; echo "fuzz $$target: crash (see crash-* files)" >&2; exit 1; }; \
	done

clean:
	rm -rf $(VENV) genogram-demo .mypy_cache .ruff_cache .pytest_cache *.egg-info
