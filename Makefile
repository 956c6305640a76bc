# LeanZero: `make demo` runs the prover on the embedded `mini` backend, `make test` the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.stamp

.PHONY: venv demo test bench

venv: $(STAMP)

# torch first and pinned: pip then takes the CPU wheel on this machine's disk instead of
# pulling the CUDA build (several GB) as a dependency of the editable install.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e '.[dev]'
	touch $@

demo: venv
	$(BIN)/leanzero prove --backend mini "theorem demo (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry"
	$(BIN)/leanzero prove --backend mini "theorem demo2 (x : ℕ) (h₀ : 0 < x) : x ≠ 0 := by sorry"

test: venv
	$(BIN)/python -m pytest -q

bench: venv
	set -e; for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done
