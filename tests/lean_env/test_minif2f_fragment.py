"""The front end reads at least 90% of miniF2F's statements whose theorem binders are typed by
ℕ/ℤ/Prop (see bench/minif2f_fragment.py), builds only well-typed terms, and prints them back
as text it reads again."""

from __future__ import annotations

import importlib.util
from dataclasses import fields
from pathlib import Path

import pytest

from lean_env.mini.elaborate import check_goal, parse_statement
from lean_env.mini.errors import ParseError
from lean_env.mini.printer import pp_hyps, pp_term
from lean_env.mini.terms import Base, Cast, Goal, Term, Var, hint_of

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


@pytest.fixture(scope="module")
def rows(bench):
    return bench.load_rows(DATA, "all")


@pytest.fixture(scope="module")
def goals(rows) -> dict[str, Goal]:
    out: dict[str, Goal] = {}
    for row in rows:
        try:
            out[row["name"]] = parse_statement(row["formal_statement"])[1]
        except ParseError:
            pass
    return out


def test_fragment_parse_rate(bench, rows) -> None:
    """Primary measure: theorem binders in ℕ/ℤ/Prop (hypotheses may mention anything)."""
    subset, parsed, failures = bench.fragment_report(rows)
    assert len(subset) >= 200
    assert len(parsed) + len(failures) == len(subset)
    assert len(parsed) / len(subset) >= 0.90, "\n".join(f"{r['name']}: {msg}" for r, msg in failures)
    # every failure is listed with the construct that blocked it
    assert all(bench._construct(msg) for _, msg in failures)


def test_narrow_subset_parse_rate(bench, rows) -> None:
    """Second line: statements that mention no type beyond ℕ/ℤ/Prop at all."""
    subset, parsed, failures = bench.fragment_report(rows, strict=True)
    assert len(subset) >= 100
    assert len(parsed) / len(subset) >= 0.90, "\n".join(f"{r['name']}: {msg}" for r, msg in failures)


def test_subset_selection(bench) -> None:
    assert bench.in_fragment("theorem t (x : ℕ → ℤ) (h : x 1 = 2) (p : Prop) : x 2 = 1 := by sorry")
    assert not bench.in_fragment("theorem t (x : ℝ) (h : x = 2) : x = 1 := by sorry")
    assert not bench.in_fragment("theorem t (f : ℕ → ℝ) : f 1 = 1 := by sorry")
    assert not bench.in_fragment("theorem t (n : ℕ) : Real.sqrt n = 1 := by sorry")
    assert bench.binders_in_fragment("theorem t (n : ℕ) : Real.sqrt n = 1 := by sorry")
    assert not bench.binders_in_fragment("theorem t (f : ℕ → ℝ) : f 1 = 1 := by sorry")
    # hypotheses are not variable binders, whatever they mention
    assert bench.in_fragment("theorem t (n : ℕ) (h₀ : n ≠ 0) (h₁ : Nat.Prime n) : n > 1 := by sorry")
    assert bench.binders_in_fragment("theorem t (n : ℕ) (h₀ : ∑ k ∈ Finset.range n, (k : ℝ) = 1) : n > 1 := by sorry")


def test_every_parsed_statement_is_well_typed(rows, goals) -> None:
    assert len(goals) >= 0.8 * len(rows)
    for name, goal in goals.items():
        try:
            check_goal(goal)
        except TypeError as e:  # pragma: no cover - the message is the point
            pytest.fail(f"{name}: {e}")


def _erase(t: Term | Base | object) -> object:
    """`t` without numeric types and casts: what survives Lean's printing in every case
    (`(5 : ℝ) / 3` prints `5 / 3`, `↑m / ↑a = 3 / 4` loses its ℝ)."""
    if isinstance(t, Cast):
        return _erase(t.arg)
    if isinstance(t, Var):
        return ("Var", hint_of(t.name))  # a local by its user name, not by its id
    if isinstance(t, tuple):
        return tuple(_erase(x) for x in t)
    if not hasattr(t, "__dataclass_fields__") or isinstance(t, Base):
        return t
    return (type(t).__name__, *(_erase(getattr(t, f.name)) for f in fields(t) if f.name not in ("ty", "elem")))


def test_printed_statements_read_back(goals) -> None:
    """print then parse gives the same statement up to the numeric types Lean's text loses;
    when it does not parse back, the reason is a type (never a syntax error)."""
    same = 0
    for name, goal in goals.items():
        binders = " ".join(f"({line})" for line in pp_hyps(goal))
        if "✝" in binders:  # a binder shadowed by a later one of its name: no text can write it
            same += 1
            continue
        text = f"theorem t {binders} : {pp_term(goal.target)}"
        try:
            back = parse_statement(text)[1]
        except ParseError as e:
            assert not e.message.startswith(("unexpected", "expected")), f"{name}: {text}\n{e}"
            continue
        assert [loc.name for loc in back.locals] == [loc.name for loc in goal.locals], name
        pairs = [(a.type, b.type) for a, b in zip(goal.locals, back.locals)] + [(goal.target, back.target)]
        for before, after in pairs:
            assert _erase(before) == _erase(after), f"{name}: {text}"
        same += 1
    assert same >= 0.9 * len(goals)


def test_mini_fragment_counts_and_blockers(bench) -> None:
    """Issue 14's measure: statements whose goal mini's decision procedures model, per split, and
    a named blocker for every other one (mini's figures, not Lean's)."""
    valid = bench.load_rows(DATA, "valid")
    inside, blockers = bench.mini_fragment(valid)
    assert len(inside) + len(blockers) == len(valid)
    assert len(inside) >= 150
    assert all(b.strip() for b in blockers.values())
    assert "Real.sqrt" in blockers.values()
