# award-ledger: `make demo` and `make test` work on a fresh machine with only Python.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench profile clean vectors rules

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/awards demo --out demo-out

lint: $(STAMP)
	$(BIN)/ruff check ledger domain projections cli demo tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -n 2 -q tests

bench: $(STAMP)
	$(BIN)/python -m bench.run

# where a verify of the 100k bench ledger spends its time; WHAT=verify-since|rebuild|report too
WHAT ?= verify
profile: $(STAMP)
	$(BIN)/python -m bench.profile $(WHAT)

vectors: $(STAMP)
	$(BIN)/python -m tests.vectors.generate

# docs/RULES.md from the regime files (domain/regimes/*.toml), docs/BONUS.md from bonus.toml;
# tests keep them equal
rules: $(STAMP)
	$(BIN)/python -m projections.rules_doc docs/RULES.md
	$(BIN)/python -m projections.bonus_doc docs/BONUS.md

clean:
	rm -rf $(VENV) demo-out .mypy_cache .pytest_cache .ruff_cache
