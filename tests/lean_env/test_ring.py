"""`ring` / `ring_nf`: what they must prove, what they must not (ℕ subtraction, `x / x`),
exponent arithmetic, fields, soundness."""

from __future__ import annotations

import itertools
import time
from fractions import Fraction
from functools import partial

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lean_env.mini import poly as P
from lean_env.mini.errors import Deadline, DeadlineExceeded, TacticFailure
from lean_env.mini.evaluate import NotEvaluable, evaluate
from lean_env.mini.ring import ring, ring_equal, ring_nf, ring_nf_term
from lean_env.mini.terms import INT, NAT, REAL, App, Arith, Arrow, Cast, Const, Goal, Lit, Neg, Rel, Var

from .term_builders import A, X, Y, arith_terms, f, i, local, n, op

Z, N = Var("z", NAT), Var("n", NAT)
B = Var("b", INT)
K = Var("k", NAT)
U, V = Var("u", REAL), Var("v", REAL)
add, sub, mul = (partial(op, o) for o in "+-*")
radd, rsub, rmul, rdiv = (partial(op, o, ty=REAL) for o in "+-*/")


def r(v: int) -> Lit:
    return Lit(v, REAL)


def inv(t):
    return App(Const("Inv.inv", Arrow(REAL, REAL)), (t,), REAL)


def pw(a, e, ty=NAT):
    return Arith("^", a, e if not isinstance(e, int) else n(e), ty)


def goal(target):
    return Goal((local("x", NAT), local("y", NAT), local("a", INT), local("b", INT), local("u", REAL),
                 local("v", REAL)), target)


# ---------------------------------------------------------------- what ring proves


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (pw(add(X, Y), 2), add(add(pw(X, 2), mul(n(2), mul(X, Y))), pw(Y, 2))),
        (mul(sub(A, B, INT), add(A, B, INT), INT), sub(pw(A, 2, INT), pw(B, 2, INT), INT)),
        (add(X, add(Y, Z)), add(add(Z, Y), X)),
        (mul(X, n(0)), n(0)),
        (mul(n(2), n(3)), n(6)),
        (sub(n(5), n(7)), n(0)),  # closed ℕ subtraction folds
        (f(add(X, Y)), f(add(Y, X))),  # atoms are normalized inside
        (mul(pw(X, N), n(1)), pw(X, N)),
        (Neg(Neg(A, INT), INT), A),
        (sub(A, A, INT), i(0)),
        (add(sub(X, Y), n(0)), sub(X, Y)),  # ℕ subtraction as an atom
        (pw(add(X, n(1)), 3), add(add(add(pw(X, 3), mul(n(3), pw(X, 2))), mul(n(3), X)), n(1))),
        (Cast(add(X, Y)), Cast(add(Y, X))),
        (add(Cast(n(3)), A), add(A, i(3))),
        (Arith("/", add(X, Y), n(2), NAT), Arith("/", add(Y, X), n(2), NAT)),
        (pw(X, add(n(1), n(1))), mul(X, X)),
        # exponent arithmetic (pow_add, pow_mul, mul_pow)
        (mul(pw(X, N), X), pw(X, add(N, n(1)))),
        (pw(n(2), add(mul(n(2), add(K, n(1))), n(1))), mul(n(4), pw(n(2), add(mul(n(2), K), n(1))))),
        (pw(X, mul(N, K)), pw(pw(X, N), K)),
        (pw(mul(X, Y), N), mul(pw(X, N), pw(Y, N))),
        (pw(X, add(N, K)), mul(pw(X, K), pw(X, N))),
        # fields: division by numerals, distributing ⁻¹ over products, x / 0 = 0
        (rmul(rdiv(U, r(2)), r(2)), U),
        (radd(rdiv(U, V), rdiv(r(1), V)), rdiv(radd(U, r(1)), V)),
        (inv(rmul(U, V)), rmul(inv(U), inv(V))),
        (rdiv(U, r(0)), r(0)),
        (pw(radd(U, rdiv(r(1), r(2))), 2, REAL), radd(radd(pw(U, 2, REAL), U), rdiv(r(1), r(4)))),
        (rdiv(U, radd(V, r(1))), rdiv(U, radd(r(1), V))),
    ],
)
def test_ring_proves(lhs, rhs):
    assert ring_equal(lhs, rhs)
    assert ring(goal(Rel("=", lhs, rhs))) is None


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (add(sub(X, Y), Y), X),  # false on ℕ (x < y)
        (sub(add(X, Y), Y), X),  # true on ℕ, but `ring` cannot see through `-`
        (mul(Arith("/", X, n(2), NAT), n(2)), X),
        (mul(Arith("/", A, B, INT), B, INT), A),
        (pw(n(4), N), pw(n(2), mul(n(2), N))),  # numerals are not factored (as in Mathlib)
        (pw(n(0), N), n(0)),  # false at n = 0
        (rdiv(U, U), r(1)),  # false at u = 0: field_simp's job, with `u ≠ 0`
        (rmul(U, inv(U)), r(1)),
        (inv(radd(U, V)), radd(inv(U), inv(V))),
        (pw(radd(U, rdiv(r(1), r(2))), 2, REAL), radd(radd(pw(U, 2, REAL), U), rdiv(r(1), r(2)))),
        (Cast(add(X, Y)), add(Cast(X), Cast(Y), INT)),  # casts are not pushed
        (add(X, Y), X),
        (mul(n(2), X), add(X, n(2))),
    ],
)
def test_ring_does_not_prove(lhs, rhs):
    assert not ring_equal(lhs, rhs)
    with pytest.raises(TacticFailure) as e:
        ring(goal(Rel("=", lhs, rhs)))
    assert e.value.message == "ring failed to prove equality"


def test_ring_needs_an_equality():
    with pytest.raises(TacticFailure):
        ring(goal(Rel("≤", X, add(X, n(1)))))


def test_int_subtraction_is_a_ring_op():
    assert ring_equal(add(sub(A, B, INT), B, INT), A)


# ---------------------------------------------------------------- normal forms


def test_ring_nf_printing_shapes():
    assert ring_nf_term(pw(add(X, n(1)), 2)) == add(add(n(1), mul(X, n(2))), pw(X, 2))
    assert ring_nf_term(mul(n(3), X)) == mul(X, n(3))
    assert ring_nf_term(add(Y, X)) == add(Y, X)  # atoms numbered in order of appearance
    assert ring_nf_term(sub(A, mul(i(3), B, INT), INT)) == sub(A, mul(B, i(3), INT), INT)
    assert ring_nf_term(Neg(A, INT)) == Neg(A, INT)
    assert ring_nf_term(sub(X, X)) == sub(X, X)  # ℕ subtraction stays an atom, even `x - x`
    assert ring_nf_term(sub(A, A, INT)) == i(0)
    assert ring_nf_term(sub(i(2), i(5), INT)) == i(-3)


def test_ring_nf_goal():
    assert ring_nf(goal(Rel("=", add(X, Y), add(Y, X)))) is None
    g = ring_nf(goal(Rel("≤", mul(n(2), X), add(X, X))))
    assert g is not None and g.target == Rel("≤", mul(X, n(2)), mul(X, n(2)))
    with pytest.raises(TacticFailure) as e:
        ring_nf(goal(Rel("=", X, Y)))
    assert e.value.message == "ring_nf failed"


def test_ring_nf_at_hypothesis():
    g = Goal((local("x", NAT), local("h", Rel("=", add(X, X), n(4)))), Rel("=", X, n(2)))
    out = ring_nf(g, at="h")
    assert out is not None and out.locals[1] == local("h", Rel("=", mul(X, n(2)), n(4)))
    assert out.target == g.target


def test_ring_speed():
    lhs = pw(add(add(X, Y), n(1)), 3)
    rhs = pw(add(n(1), add(Y, X)), 3)
    t0 = time.perf_counter()
    for _ in range(200):
        assert ring_equal(lhs, rhs)
    assert (time.perf_counter() - t0) / 200 < 0.005  # well under the ~1 ms target on a quiet machine


def test_ring_respects_the_deadline():
    big = pw(add(add(X, Y), add(Var("z", NAT), Var("w", NAT))), 80)
    t0 = time.perf_counter()
    with pytest.raises(DeadlineExceeded):
        ring_equal(big, mul(big, n(1)), Deadline(0.2))
    assert time.perf_counter() - t0 < 1.5


# ---------------------------------------------------------------- soundness property

LEAVES_N = st.sampled_from([X, Y, n(0), n(1), n(2), n(3)])
LEAVES_I = st.sampled_from([A, B, i(0), i(1), i(-2), Cast(X)])


NAT_TERMS = arith_terms(NAT, LEAVES_N, max_leaves=7)
INT_TERMS = arith_terms(INT, LEAVES_I, max_leaves=7, negation=True)
ENVS = [dict(zip("xyab", vals)) for vals in itertools.product([0, 1, 3], [0, 2], [-3, 0, 2], [-1, 5])]


def _agree(s, t):
    for env in ENVS:
        try:
            assert evaluate(s, env) == evaluate(t, env)
        except NotEvaluable:
            pass


@settings(max_examples=150, deadline=None)
@given(st.one_of(NAT_TERMS, INT_TERMS))
def test_normal_form_is_sound(t):
    nf = ring_nf_term(t)
    assert ring_equal(t, nf)
    _agree(t, nf)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.tuples(NAT_TERMS, NAT_TERMS), st.tuples(INT_TERMS, INT_TERMS)))
def test_ring_equal_is_sound(pair):
    s, t = pair
    if ring_equal(s, t):
        _agree(s, t)


LEAVES_R = st.sampled_from([U, V, r(0), r(1), r(2), Cast(A, REAL), Cast(X, REAL)])


def real_terms(max_leaves: int) -> st.SearchStrategy:
    """ℝ terms: `+ - * /`, `⁻¹`, unary `-`, `^` by a numeral or by a ℕ term."""

    def extend(kids: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(
            st.builds(lambda o, a, b: Arith(o, a, b, REAL), st.sampled_from("+-*/"), kids, kids),
            st.builds(lambda a, e: Arith("^", a, n(e), REAL), kids, st.integers(0, 3)),
            st.builds(lambda a, e: Arith("^", a, e, REAL), kids, st.sampled_from([X, add(X, n(1)), mul(n(2), X)])),
            st.builds(inv, kids),
            st.builds(lambda a: Neg(a, REAL), kids),
        )

    return st.recursive(LEAVES_R, extend, max_leaves=max_leaves)


_HALVES = [Fraction(0), Fraction(1, 2), Fraction(-3)]
REAL_ENVS = [dict(zip("xauv", vals)) for vals in
             itertools.product([0, 2], [-1, 3], _HALVES, [Fraction(0), Fraction(2, 3)])]


def _agree_real(s, t):
    for env in REAL_ENVS:
        try:
            assert evaluate(s, env) == evaluate(t, env), env
        except NotEvaluable:
            pass


@settings(max_examples=200, deadline=None)
@given(real_terms(7))
def test_field_normal_form_is_sound(t):
    """At rational points, with `x / 0 = 0`: `ring_nf` keeps the value, zeros included."""
    nf = ring_nf_term(t)
    assert ring_equal(t, nf)
    _agree_real(t, nf)


@settings(max_examples=200, deadline=None)
@given(st.tuples(real_terms(6), real_terms(6)))
def test_field_ring_equal_is_sound(pair):
    s, t = pair
    if ring_equal(s, t):
        _agree_real(s, t)


def test_poly_power_methods_agree():
    """`poly.power` by squaring (ring) and one factor at a time under a term bound (linarith)
    give the same polynomial below the bound; above it the bounded one gives up."""
    p = {((0, 1),): 1, ((1, 1),): -2, (): 3}
    for k in range(12):
        assert P.power(p, k) == P.power(p, k, max_terms=10**6)
    assert P.power(p, 40, max_terms=50) is None


def test_integer_exponents_are_atoms():
    """`x ^ (-3 : ℤ)` is `zpow`: `ring` keeps it whole (its exponent stays an integer)."""
    t = Arith("^", rmul(r(4), U), Neg(Lit(3, INT), INT), REAL)
    nf = ring_nf_term(t)
    assert isinstance(nf, Arith) and nf.op == "^" and nf.rhs == Neg(Lit(3, INT), INT)
    assert ring_equal(rmul(t, r(2)), radd(t, t))
    assert not ring_equal(t, rdiv(r(1), pw(rmul(r(4), U), 3, REAL)))
