"""The counterexample cross-check of `verify` (`lean_env/mini/crosscheck.py`): it finds real
counterexamples, never reports one for a true statement, and leaves what it cannot evaluate
exactly alone."""

from __future__ import annotations

import pytest

from lean_env.mini import MiniEnv
from lean_env.mini.crosscheck import counterexample
from lean_env.mini.elaborate import parse_statement


def cex(statement: str) -> dict[str, str] | None:
    return counterexample(parse_statement(statement)[1], budget=1.0)


@pytest.mark.parametrize("statement", [
    "theorem t (x : ℕ) (h : x = 1) (x : ℕ) : x = 1",
    "theorem t (n k : ℕ) : n = 0 ∨ n = k + 1",
    "theorem t (x y : ℕ) (h : x - y = 0) : x = y",  # truncated subtraction
    "theorem t (a b : ℤ) (h : b ≠ 0) : a / b * b = a",  # Int.ediv
    "theorem t (a : ℤ) : a % 3 < 2",
    "theorem t (x : ℝ) (h : 0 < x) : x > 1",  # rational points are real points
    "theorem t (q : ℚ) : q / 0 = 1",  # x / 0 = 0
    "theorem t (f : ℕ → ℕ) (h : f 1 = 2) : f 2 = 2",  # functions as random tables
    "theorem t (p q : Prop) (h : p → q) : q → p",
    "theorem t : ∀ n < 20, n * n ≠ 49",  # a bounded quantifier, in full
    "theorem t (x : ℕ) : ∀ y : ℕ, y ≤ x",  # an unbounded one, refuted by sampling
    "theorem t : ¬ Nat.Prime 97",
])
def test_a_false_statement_has_a_counterexample(statement: str) -> None:
    assert cex(statement) is not None


@pytest.mark.parametrize("statement", [
    "theorem t (x y : ℕ) (h : x - y = 0) : x ≤ y",
    "theorem t (a b : ℤ) : a / b * b + a % b = a",
    "theorem t (x : ℝ) (h : 0 < x) : x / x = 1",
    "theorem t (f : ℕ → ℕ) (h : ∀ n, f n = n) : f 2 = 2",  # the ∀ is unknown or false: never a counterexample
    "theorem t : ∀ n < 20, n * n ≠ 50",
    "theorem t (x : ℝ) : Real.sqrt (x ^ 2) = |x|",  # √ is not evaluated
    "theorem t : Nat.Prime 99999989",
    "theorem t (x : ℕ) : ∃ y : ℕ, y > x",
    "theorem t (n : ℕ) (h : n % 2 = 1) : Odd n",
    "theorem t (a : ℤ) : |a| = Int.natAbs a",
])
def test_a_true_statement_has_none(statement: str) -> None:
    assert cex(statement) is None


def test_verify_reports_a_proof_of_a_false_statement_as_a_fault() -> None:
    """A hole planted in a tactic (here: `assumption` accepting any hypothesis) is caught by the
    cross-check: the script replays, yet `verify` refuses it as a fault and counts it."""
    import lean_env.mini.tactics as tactics

    env = MiniEnv()
    original = tactics.Engine._assumption
    tactics.Engine._assumption = lambda self, goal: bool(goal.hyps())  # type: ignore[method-assign]
    try:
        v = env.verify("theorem t (x : ℕ) (h : x = 1) : x = 2", "assumption")
    finally:
        tactics.Engine._assumption = original  # type: ignore[method-assign]
    assert not v.ok and v.fault is not None and "counterexample" in v.fault and "x = " in v.fault
    assert env.faults == 1
    assert env.verify("theorem t (x : ℕ) (h : x = 1) : x = 1", "assumption").ok


def test_the_transition_checker_turns_an_ill_formed_goal_into_a_counted_error(monkeypatch) -> None:
    """A bug planted in the one context API (a new local reusing an existing id: the old name
    problem) is caught on the transition: an error and a counted fault, never a state."""
    import lean_env.mini.context as context
    from lean_env.contract import TacticError
    from lean_env.mini.terms import Goal, Local

    def buggy_add_local(goal, name, type_, *, hint="x"):
        loc = Local(goal.locals[0].fid, name or hint, type_)
        return Goal((*goal.locals, loc), goal.target, goal.case), loc

    monkeypatch.setattr(context, "add_local", buggy_add_local)
    monkeypatch.setattr("lean_env.mini.tactics.add_local", buggy_add_local)
    env = MiniEnv()
    r = env.apply(env.start("theorem t (x : ℕ) : ∀ y : ℕ, y = x"), "intro y")
    assert isinstance(r, TacticError) and "mini internal fault" in r.message
    assert env.faults == 1
    v = env.verify("theorem t (x : ℕ) : ∀ y : ℕ, y = x", "intro y\nrfl")
    assert not v.ok and v.fault is not None and env.faults == 2
