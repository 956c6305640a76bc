# LeanZero: `make demo` runs the prover on the embedded `mini` backend, `make test` the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp

.PHONY: venv demo test lint bench

venv: $(STAMP)

# torch and ray first and pinned: pip then takes the wheels on this machine's disk (the CPU
# build of torch, not the CUDA one of several GB) instead of downloading newer ones for the
# editable install. The `lean` extra (lean-interact) lets the tests replay recorded Lean output.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install torch==2.13.0 ray==2.58.0
	$(BIN)/pip install -e '.[dev,lean]'
	touch $@

demo: venv
	$(BIN)/leanzero prove --backend mini "theorem demo (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry"
	$(BIN)/leanzero prove --backend mini "theorem demo2 (x : ℕ) (h₀ : 0 < x) : x ≠ 0 := by sorry"

# lint and type-check first (seconds), then the tests; any failure fails the target
test: venv
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: venv
	set -e; for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done
