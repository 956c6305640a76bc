"""The front end reads at least 90% of miniF2F's ℕ/ℤ/Prop statements (see bench/minif2f_fragment.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "minif2f"


def _bench():
    spec = importlib.util.spec_from_file_location("minif2f_fragment", ROOT / "bench" / "minif2f_fragment.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    if not (DATA / "valid.jsonl").exists():
        pytest.skip("../shared/minif2f absent")
    return _bench()


def test_fragment_parse_rate(bench) -> None:
    rows = bench.load_rows(DATA, "all")
    subset, parsed, failures = bench.fragment_report(rows)
    assert len(subset) >= 100
    assert len(parsed) + len(failures) == len(subset)
    rate = len(parsed) / len(subset)
    assert rate >= 0.90, "\n".join(f"{r['name']}: {msg}" for r, msg in failures)


def test_subset_selection(bench) -> None:
    assert bench.in_fragment("theorem t (x : ℕ → ℤ) (h : x 1 = 2) (p : Prop) : x 2 = 1 := by sorry")
    assert not bench.in_fragment("theorem t (x : ℝ) (h : x = 2) : x = 1 := by sorry")
    assert not bench.in_fragment("theorem t (f : ℕ → ℝ) : f 1 = 1 := by sorry")
    assert not bench.in_fragment("theorem t (n : ℕ) : Real.sqrt n = 1 := by sorry")
    assert bench.binders_in_fragment("theorem t (n : ℕ) : Real.sqrt n = 1 := by sorry")
    # hypotheses are not variable binders, whatever they mention
    assert bench.in_fragment("theorem t (n : ℕ) (h₀ : n ≠ 0) (h₁ : Nat.Prime n) : n > 1 := by sorry")
