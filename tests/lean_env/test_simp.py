"""`simp` / `norm_num`: the documented rewrite set, user rules, locations, and soundness."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_env.mini.errors import TacticFailure
from lean_env.mini.simp import norm_num, simp
from lean_env.mini.terms import (
    FALSE,
    INT,
    NAT,
    PROP,
    TRUE,
    And,
    Arith,
    Cast,
    Forall,
    Goal,
    Iff,
    Imp,
    Neg,
    Not,
    Or,
    Rel,
    Var,
)

from .lean_oracle import lean_value
from .term_builders import A, X, Y, arith_terms, call, eq, f, i, local, n, op

P, Q = Var("p", PROP), Var("q", PROP)
VARS = (local("x", NAT), local("y", NAT), local("a", INT), local("p", PROP), local("q", PROP))


def goal(target, *hyps):
    return Goal(VARS + tuple(hyps), target)



# ---------------------------------------------------------------- norm_num on numerals


@pytest.mark.parametrize(
    "target",
    [
        eq(op("+", n(2), n(2)), n(4)),
        eq(op("%", op("*", n(17), n(18)), n(4)), n(2)),
        eq(call("Nat.gcd", n(180), n(168)), n(12)),
        call("Nat.Prime", n(97), ty=PROP),
        Not(call("Nat.Prime", n(91), ty=PROP)),
        eq(op("/", i(-7), i(2), INT), i(-4)),
        eq(op("%", i(-7), i(2), INT), i(1)),
        eq(op("-", n(3), n(5)), n(0)),
        eq(op("^", n(2), n(1000)), op("*", op("^", n(2), n(500)), op("^", n(2), n(500)))),
        Rel("≠", n(3), n(4)),
        Rel("∣", n(3), n(12)),
        eq(call("Nat.factorial", n(5)), n(120)),
        eq(Cast(op("-", n(2), n(5))), i(0)),
        And(Rel("<", n(1), n(2)), Or(FALSE, Rel("≤", i(-3), i(-3)))),
    ],
)
def test_norm_num_closes(target):
    assert norm_num(goal(target)) is None


def test_norm_num_leaves_false():
    out = norm_num(goal(eq(op("+", n(2), n(2)), n(5))))
    assert out is not None and out.target == FALSE


def test_simp_leaves_false_and_closes_literals():
    out = simp(goal(eq(op("+", n(2), n(2)), n(5))))
    assert out is not None and out.target == FALSE
    assert simp(goal(eq(op("+", n(2), n(2)), n(4)))) is None
    assert simp(goal(eq(op("%", op("*", n(17), n(18)), n(4)), n(2)))) is None
    assert simp(goal(eq(call("Nat.gcd", n(180), n(168)), n(12)))) is None  # Nat.reduceGcd


def test_simp_does_not_decide_primes_or_huge_powers():
    with pytest.raises(TacticFailure):
        simp(goal(call("Nat.Prime", n(97), ty=PROP)))
    with pytest.raises(TacticFailure):  # exponent above Lean's threshold of 256
        simp(goal(eq(op("^", n(2), n(1000)), X)))


def test_no_progress_messages():
    with pytest.raises(TacticFailure) as e:
        simp(goal(eq(X, Y)))
    assert e.value.message == "simp made no progress"
    with pytest.raises(TacticFailure) as e:
        norm_num(goal(eq(X, Y)))
    assert e.value.message == "norm_num failed to simplify"


# ---------------------------------------------------------------- the simp set


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (eq(op("+", X, n(0)), X), TRUE),
        (eq(op("*", n(1), X), op("+", n(0), X)), TRUE),
        (eq(op("*", X, n(0)), Y), eq(n(0), Y)),
        (eq(op("-", X, n(0)), Y), eq(X, Y)),
        (eq(op("-", n(0), X), Y), eq(n(0), Y)),  # ℕ: 0 - x = 0
        (eq(op("-", i(0), A, INT), A), eq(Neg(A), A)),  # ℤ: 0 - a = -a
        (eq(op("-", op("+", X, Y), Y), X), TRUE),  # add_sub_cancel holds on ℕ
        (eq(op("^", X, n(1)), op("^", Y, n(0))), eq(X, n(1))),
        (Rel("≤", X, X), TRUE),
        (Rel("<", X, X), FALSE),
        (Rel("≠", X, Y), Not(eq(X, Y))),
        (Rel(">", X, Y), Rel("<", Y, X)),
        (Rel("≤", n(0), X), TRUE),
        (Rel("<", X, n(0)), FALSE),
        (Rel("<", n(0), op("+", X, n(1))), TRUE),
        (eq(op("+", X, n(1)), n(0)), FALSE),
        (Not(Rel("<", X, Y)), Rel("≤", Y, X)),
        (Not(Not(P)), P),
        (And(TRUE, P), P),
        (And(P, P), P),
        (And(P, Not(P)), FALSE),
        (Or(P, TRUE), TRUE),
        (Imp(P, FALSE), Not(P)),
        (Imp(TRUE, P), P),
        (Iff(P, FALSE), Not(P)),
        (Forall("z", NAT, TRUE), TRUE),
        (Forall("z", NAT, P), P),
        (eq(Cast(X), Cast(Y)), eq(X, Y)),
        (eq(Cast(op("+", X, n(1))), A), eq(op("+", Cast(X), i(1), INT), A)),
        (eq(op("+", X, Y), op("+", X, n(3))), eq(Y, n(3))),
        (eq(op("*", X, Y), n(0)), Or(eq(X, n(0)), eq(Y, n(0)))),
        (Rel("∣", n(1), X), TRUE),
        (Rel("∣", n(0), X), eq(X, n(0))),
    ],
)
def test_simp_set(before, after):
    out = simp(goal(before))
    assert (out.target if out is not None else TRUE) == after


def test_nat_subtraction_is_not_cancelled():
    with pytest.raises(TacticFailure):  # x - y + y = x is false on ℕ
        simp(goal(eq(op("+", op("-", X, Y), Y), X)))
    with pytest.raises(TacticFailure):
        norm_num(goal(eq(op("+", op("-", X, Y), Y), X)))
    # on ℤ it is a simp lemma
    b = Var("b", INT)
    assert simp(goal(eq(op("+", op("-", A, b, INT), b, INT), A))) is None


def test_simp_only_uses_only_builtins_and_rules():
    with pytest.raises(TacticFailure):
        simp(goal(eq(op("+", X, n(0)), X)), only=True)
    assert simp(goal(eq(op("+", n(2), n(2)), n(4))), only=True) is None
    assert simp(goal(eq(X, X)), only=True) is None


# ---------------------------------------------------------------- user rules


def test_rewrite_with_equation():
    h = eq(X, n(5))
    assert simp(goal(eq(op("+", X, n(1)), n(6)), local("h", h)), rules=[h]) is None
    out = simp(goal(eq(op("+", X, n(1)), n(7)), local("h", h)), rules=[h])
    assert out is not None and out.target == FALSE


def test_rewrite_with_quantified_rule():
    h = Forall("m", NAT, eq(f(Var("m", NAT)), op("+", Var("m", NAT), n(1))))
    assert simp(goal(eq(f(n(3)), n(4))), rules=[h]) is None
    assert simp(goal(eq(f(f(X)), op("+", f(X), n(1)))), rules=[h]) is None


def test_nat_offset_matching():
    h = Forall("m", NAT, eq(f(op("+", Var("m", NAT), n(1))), Var("m", NAT)))
    assert simp(goal(eq(f(n(5)), n(4))), rules=[h]) is None


def test_conditional_rule():
    m = Var("m", NAT)
    h = Forall("m", NAT, Imp(Rel("<", n(0), m), eq(f(m), n(1))))
    assert simp(goal(eq(f(n(3)), n(1))), rules=[h]) is None
    with pytest.raises(TacticFailure):  # side condition 0 < 0 fails
        simp(goal(eq(f(n(0)), n(1))), rules=[h])


def test_prop_rules():
    assert simp(goal(And(P, Q)), rules=[P, Q]) is None
    out = simp(goal(Or(P, Q)), rules=[Not(P)])
    assert out is not None and out.target == Q
    out = simp(goal(Not(eq(X, Y))), rules=[Rel("≠", X, Y)])
    assert out is None
    out = simp(goal(P), rules=[Iff(P, eq(X, n(2)))])
    assert out is not None and out.target == eq(X, n(2))


def test_bound_variable_is_not_captured():
    h = eq(X, n(5))  # about the local x
    with pytest.raises(TacticFailure):  # ∀ x, x = 5 is about a different x
        simp(goal(Forall("x", NAT, eq(X, n(5)))), rules=[h])


def test_looping_rules_hit_the_cap():
    with pytest.raises(TacticFailure) as e:
        simp(goal(eq(X, n(1))), rules=[eq(X, Y), eq(Y, X)])
    assert "maximum number of steps" in e.value.message


def test_use_hyps_and_locations():
    hp = local("hp", P)
    assert simp(goal(P, hp), use_hyps=True) is None
    with pytest.raises(TacticFailure):  # plain simp does not use hypotheses
        simp(goal(P, hp))
    h = local("h", eq(op("+", X, n(0)), n(5)))
    out = simp(goal(eq(X, n(5)), h), at="h")
    assert out is not None and out.lookup("h") == local("h", eq(X, n(5)))
    assert out.target == eq(X, n(5))
    bad = local("h", eq(op("+", n(2), n(2)), n(5)))
    assert simp(goal(P, bad), at="h") is None  # a hypothesis simplified to False closes the goal
    assert norm_num(goal(P, bad), at="h") is None
    triv = local("t", eq(n(2), n(2)))
    out = simp(goal(P, triv), at="t")
    assert out is not None and out.lookup("t") is None  # a hypothesis simplified to True is cleared
    with pytest.raises(TacticFailure):
        simp(goal(P), at="nope")


def test_simp_at_a_hypothesis_by_its_id():
    h = local("h", eq(op("*", X, n(1)), n(5)))
    out = simp(goal(eq(op("+", X, n(0)), Y), h), at="h")
    assert out is not None and out.lookup("h") == local("h", eq(X, n(5))) and out.target == eq(op("+", X, n(0)), Y)


# ---------------------------------------------------------------- soundness property


NAT_ARITH = arith_terms(NAT, st.integers(0, 12).map(n), max_leaves=6)
INT_ARITH = arith_terms(INT, st.one_of(st.integers(-12, 12).map(i), NAT_ARITH.map(Cast)), max_leaves=6)
REL = st.sampled_from(["=", "≠", "<", "≤", ">", "≥", "∣"])
ATOMS = st.one_of(
    st.builds(Rel, REL, NAT_ARITH, NAT_ARITH),
    st.builds(Rel, REL, INT_ARITH, INT_ARITH),
)
PROPS = st.recursive(
    ATOMS,
    lambda kids: st.one_of(
        st.builds(Not, kids), st.builds(And, kids, kids), st.builds(Or, kids, kids), st.builds(Imp, kids, kids)
    ),
    max_leaves=3,
)


def _check(p):
    truth = lean_value(p)
    out = norm_num(Goal((), p))
    if truth:
        assert out is None
    else:
        assert out is not None and out.target == FALSE
    try:
        out = simp(Goal((), p))
    except TacticFailure:
        return
    assert (lean_value(out.target) if out is not None else True) == truth


@settings(max_examples=80, deadline=None)
@given(PROPS)
def test_norm_num_closes_exactly_the_true_propositions(p):
    """norm_num closes a closed proposition iff it is true; simp never changes its truth."""
    _check(p)


def _random_arith(rng, ty, depth):
    if depth <= 0 or rng.random() < 0.3:
        if ty == INT and rng.random() < 0.2:
            return Cast(_random_arith(rng, NAT, depth - 1))
        return n(rng.randint(0, 12)) if ty == NAT else i(rng.randint(-12, 12))
    o = rng.choice("+-*/%^")
    if o == "^":
        return Arith("^", _random_arith(rng, ty, depth - 1), n(rng.randint(0, 3)), ty)
    return Arith(o, _random_arith(rng, ty, depth - 1), _random_arith(rng, ty, depth - 1), ty)


def _random_prop(rng, depth):
    r = rng.random()
    if depth == 0 or r < 0.5:
        ty = rng.choice([NAT, INT])
        return Rel(rng.choice("=≠<≤>≥∣"), _random_arith(rng, ty, 3), _random_arith(rng, ty, 3))
    if r < 0.6:
        return Not(_random_prop(rng, depth - 1))
    return rng.choice([And, Or, Imp])(_random_prop(rng, depth - 1), _random_prop(rng, depth - 1))


def test_many_random_closed_propositions():
    rng = random.Random(20240601)
    for _ in range(1500):
        _check(_random_prop(rng, 2))
