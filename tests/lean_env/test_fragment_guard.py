"""Decision procedures read ℝ/ℚ with field semantics, never as integers.

ℕ-style evaluation of `(7 : ℝ) / 2 = 3` would "prove" a falsehood. ℚ/ℝ arithmetic is in
mini's fragment, so every closer sees these goals: each must refuse the false ones (and the
true ones close). Terms are built directly so the test does not depend on the parser.
"""

from __future__ import annotations

import pytest

from lean_env.mini.errors import Deadline, TacticFailure
from lean_env.mini.tactics import Engine
from lean_env.mini.terms import NAT, REAL, Arith, Cast, Goal, Lit, Rel, Var, goal_of, in_fragment, named

X = Var("x", REAL)
SEVEN_HALVES = Arith("/", Lit(7, REAL), Lit(2, REAL), REAL)
CLOSERS = ["omega", "linarith", "nlinarith", "positivity", "decide", "norm_num", "simp", "ring",
           "ring_nf", "rfl", "trivial", "simp at *", "norm_num at *"]


def engine() -> Engine:
    return Engine(Deadline(5.0))


@pytest.mark.parametrize("tactic", CLOSERS)
def test_real_division_is_never_truncated(tactic):
    goal = Goal((), Rel("=", SEVEN_HALVES, Lit(3, REAL)))
    assert in_fragment(goal.target)  # the closers read it, with field semantics
    with pytest.raises(TacticFailure):
        result = engine().run_text(goal, tactic)
        assert result, f"{tactic} closed (7:ℝ)/2 = 3"
        raise TacticFailure("changed but did not close")


@pytest.mark.parametrize("tactic", ["omega", "linarith", "nlinarith", "simp at h", "norm_num at h", "simp [h]"])
def test_real_hypotheses_are_not_read_as_integers(tactic):
    # x : ℝ, h : x = 7 / 2 ⊢ x = 3 is false; no closer may prove it
    goal = goal_of([("x", REAL), ("h", Rel("=", X, SEVEN_HALVES))], Rel("=", X, Lit(3, REAL)))
    with pytest.raises(TacticFailure):
        result = engine().run_text(goal, tactic)
        assert result, f"{tactic} closed a false ℝ goal"
        raise TacticFailure("changed but did not close")


@pytest.mark.parametrize("tactic", ["norm_num", "linarith", "nlinarith"])
def test_real_division_is_exact(tactic):
    seven_halves = Arith("/", Lit(7, REAL), Lit(2, REAL), REAL)
    goal = Goal((), Rel("=", Arith("*", seven_halves, Lit(2, REAL), REAL), Lit(7, REAL)))
    assert engine().run_text(goal, tactic) == []


def test_fragment_goals_still_work_beside_field_hypotheses():
    x = Var("x", NAT)
    cast_eq = Rel("=", Cast(x, REAL), Lit(1, REAL))
    goal = goal_of([("x", NAT), ("hr", cast_eq), ("h", Rel("=", x, Lit(1, NAT)))], Rel("=", x, Lit(1, NAT)))
    assert engine().run_text(goal, "omega") == []
    assert engine().run_text(goal, "linarith") == []
    # the outside hypothesis alone is not used: x = 1 does not follow for omega
    goal2 = goal_of([("x", NAT), ("hr", cast_eq)], Rel("=", x, Lit(1, NAT)))
    with pytest.raises(TacticFailure):
        engine().run_text(goal2, "omega")
    # simp at a fragment hypothesis keeps the outside one untouched
    goal3 = goal_of([("x", NAT), ("hr", cast_eq), ("h", Rel("=", Arith("+", x, Lit(0, NAT), NAT), Lit(1, NAT)))],
                    Rel("=", Cast(x, REAL), Lit(1, REAL)))
    [after] = engine().run_text(goal3, "simp at h")
    assert [loc.name for loc in after.locals] == ["x", "hr", "h"]
    assert after.locals[1] == goal3.locals[1] and after.target == goal3.target
    assert named(after).locals[2].type == Rel("=", x, Lit(1, NAT))
    assert engine().run_text(goal3, "exact hr") == []
