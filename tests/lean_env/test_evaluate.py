"""Lean semantics of closed-term evaluation, bounded quantifiers, and `decide`."""

from __future__ import annotations

import itertools
import time

import pytest

from lean_env.mini.errors import Deadline, DeadlineExceeded, TacticFailure
from lean_env.mini.evaluate import NotDecidable, NotEvaluable, decide, evaluate, is_closed
from lean_env.mini.semantics import arith, int_ediv, int_emod, relation
from lean_env.mini.terms import (
    FALSE,
    INT,
    NAT,
    PROP,
    TRUE,
    And,
    App,
    Arith,
    Cast,
    Const,
    Exists,
    Forall,
    Goal,
    Imp,
    Neg,
    Not,
    Or,
    Rel,
    Var,
    arrow,
)

from .lean_oracle import lean_value
from .term_builders import X, Y, call, i, local, n, op


def ev(t, env=None):
    return evaluate(t, env)


# ---------------------------------------------------------------- arithmetic tables


@pytest.mark.parametrize(
    ("a", "b", "q", "r"),
    [(7, 2, 3, 1), (-7, 2, -4, 1), (7, -2, -3, 1), (-7, -2, 4, 1), (6, -3, -2, 0), (-6, 3, -2, 0),
     (0, 5, 0, 0), (5, 0, 0, 5), (-5, 0, 0, -5), (1, 7, 0, 1), (-1, 7, -1, 6), (-1, -7, 1, 6)],
)
def test_int_ediv_emod_signs(a, b, q, r):
    assert int_ediv(a, b) == q
    assert int_emod(a, b) == r
    assert ev(op("/", i(a), i(b), INT)) == q
    assert ev(op("%", i(a), i(b), INT)) == r


def test_semantics_agree_with_the_oracle():
    """`semantics` against the tests' independently written Lean semantics."""
    pairs = list(itertools.product(range(-9, 10), repeat=2))
    for o, ty, (a, b) in itertools.product("+-*/%^", (NAT, INT), pairs):
        if (ty == NAT and min(a, b) < 0) or (o == "^" and b < 0):
            continue
        lit = n if ty == NAT else i
        assert arith(o, a, b, ty) == lean_value(Arith(o, lit(a), lit(b), ty)), (o, a, b, ty)
    for r, (a, b) in itertools.product(("=", "≠", "<", "≤", ">", "≥", "∣"), pairs):
        assert relation(r, a, b) == lean_value(Rel(r, i(a), i(b))), (r, a, b)


def test_int_division_invariant():
    for a in range(-13, 14):
        for b in range(-6, 7):
            if b:
                q, r = int_ediv(a, b), int_emod(a, b)
                assert a == b * q + r and 0 <= r < abs(b)


@pytest.mark.parametrize(
    ("o", "a", "b", "want"),
    [("-", 3, 5, 0), ("-", 5, 3, 2), ("/", 7, 0, 0), ("%", 7, 0, 7), ("/", 7, 2, 3), ("%", 7, 2, 1),
     ("/", 0, 0, 0), ("%", 0, 0, 0), ("^", 0, 0, 1), ("^", 2, 10, 1024), ("*", 6, 7, 42), ("+", 1, 1, 2)],
)
def test_nat_ops(o, a, b, want):
    assert ev(op(o, n(a), n(b))) == want


def test_int_sub_and_neg():
    assert ev(op("-", i(3), i(5), INT)) == -2
    assert ev(Neg(op("-", i(3), i(5), INT))) == 2
    assert ev(op("^", i(-2), n(3), INT)) == -8


@pytest.mark.parametrize(
    ("a", "b", "ty", "want"),
    [(0, 0, NAT, True), (0, 5, NAT, False), (3, 6, NAT, True), (4, 6, NAT, False), (5, 0, NAT, True),
     (-3, 6, INT, True), (3, -6, INT, True), (-4, 6, INT, False), (0, -1, INT, False), (0, 0, INT, True)],
)
def test_dvd(a, b, ty, want):
    lit = n if ty == NAT else i
    assert ev(Rel("∣", lit(a), lit(b))) is want


def test_casts():
    assert ev(Cast(n(3))) == 3
    assert ev(Neg(Cast(op("-", n(3), n(5))))) == 0  # the ℕ subtraction truncates before the cast
    assert ev(op("-", Cast(n(3)), Cast(n(5)), INT)) == -2


def test_power_guard():
    t0 = time.perf_counter()
    with pytest.raises(NotEvaluable):
        ev(op("^", n(2), op("^", n(2), n(40))))
    with pytest.raises(NotEvaluable):
        ev(op("^", n(10), n(10**7)))
    assert time.perf_counter() - t0 < 0.5
    assert ev(op("^", n(1), n(10**20))) == 1
    assert ev(op("^", i(-1), n(10**20 + 1), INT)) == -1
    assert ev(op("^", n(3), n(100))) == 3**100


def test_relations():
    assert ev(Rel("<", n(2), n(3))) is True
    assert ev(Rel("≥", i(-2), i(3))) is False
    assert ev(Rel("≠", n(2), n(3))) is True
    assert ev(Rel("=", op("-", n(2), n(3)), n(0))) is True


# ---------------------------------------------------------------- constants


@pytest.mark.parametrize(
    ("term", "want"),
    [
        (call("Nat.gcd", n(180), n(168)), 12),
        (call("Nat.lcm", n(4), n(6)), 12),
        (call("Nat.factorial", n(5)), 120),
        (call("Nat.choose", n(5), n(2)), 10),
        (call("Nat.choose", n(2), n(5)), 0),
        (call("Nat.sqrt", n(17)), 4),
        (call("Nat.succ", n(4)), 5),
        (call("Nat.Prime", n(97), ty=PROP), True),
        (call("Nat.Prime", n(91), ty=PROP), False),
        (call("Nat.Prime", n(1), ty=PROP), False),
        (call("Nat.Prime", n(2), ty=PROP), True),
        (call("Nat.Prime", n(99_999_989), ty=PROP), True),  # the largest prime below 10⁸
        (call("Nat.Prime", n(3 * (2**89 - 1)), ty=PROP), False),  # a small factor: any size
        (call("Nat.Prime", n(9_973 * 99_999_989), ty=PROP), False),
        (call("Even", n(4), ty=PROP), True),
        (call("Odd", n(4), ty=PROP), False),
        (call("Nat.ModEq", n(5), n(12), n(2), ty=PROP), True),
        (call("min", n(3), n(5)), 3),
        (call("max", n(3), n(5)), 5),
        (call("Nat.log", n(2), n(1024)), 10),
    ],
)
def test_constants(term, want):
    assert ev(term) == want


def test_int_constants():
    int_call = lambda name, *a, ty=INT: App(Const(name, arrow(*(INT for _ in a), ty)), tuple(a), ty)
    assert ev(int_call("Int.natAbs", i(-5), ty=NAT)) == 5
    assert ev(int_call("Int.toNat", i(-3), ty=NAT)) == 0
    assert ev(int_call("abs", i(-3))) == 3
    assert ev(int_call("Odd", i(-3), ty=PROP)) is True
    assert ev(int_call("Int.ModEq", i(3), i(-1), i(5), ty=PROP)) is True
    assert ev(int_call("Int.gcd", i(-12), i(18), ty=NAT)) == 6


@pytest.mark.parametrize("value", [
    2**61 - 1,  # a Mersenne prime: no certificate mini could give
    2**67 - 1,  # composite, but its least factor is 193707721
    318665857834031151167461,  # 399165290221 × 798330580441: a strong pseudoprime to bases 2..37
    3317044064679887385961981,  # a strong pseudoprime to bases 2..41
    10_007 * 10_009,  # composite, least factor past the trial limit
])
def test_primality_without_a_short_certificate_is_refused(value):
    with pytest.raises(NotEvaluable):
        ev(call("Nat.Prime", n(value), ty=PROP))


def test_large_primes_and_factorials_are_refused():
    with pytest.raises(NotEvaluable):
        ev(call("Nat.Prime", n(2**89 - 1), ty=PROP))
    with pytest.raises(NotEvaluable):
        ev(call("Nat.factorial", n(10**7)))


def test_unknown_constant():
    with pytest.raises(NotEvaluable):
        ev(call("Nat.totient", n(5)))


# ---------------------------------------------------------------- variables and environments


def test_free_variables_need_env():
    with pytest.raises(NotEvaluable):
        ev(op("+", X, n(1)))
    assert ev(op("+", X, n(1)), {"x": 4}) == 5
    assert not is_closed(op("+", X, n(1)))
    assert is_closed(Forall("x", NAT, Rel("=", X, X)))


def test_function_variables():
    f = Var("f", arrow(NAT, NAT))
    t = Rel("=", App(f, (n(3),), NAT), n(9))
    assert ev(t, {"f": lambda v: v * v}) is True
    with pytest.raises(NotEvaluable):
        ev(t)


# ---------------------------------------------------------------- quantifiers


def ball(name, bound, body, strict=True):
    return Forall(name, NAT, Imp(Rel("<" if strict else "≤", Var(name, NAT), bound), body))


def bex(name, bound, body, strict=True):
    return Exists(name, NAT, And(Rel("<" if strict else "≤", Var(name, NAT), bound), body))


def test_bounded_forall_and_exists():
    assert ev(ball("x", n(10), Rel("<", op("*", X, X), n(100)))) is True
    assert ev(ball("x", n(10), Rel("<", op("*", X, X), n(81)), strict=False)) is False
    assert ev(bex("x", n(10), Rel("=", op("*", X, X), n(49)))) is True
    assert ev(bex("x", n(7), Rel("=", op("*", X, X), n(49)))) is False
    assert ev(bex("x", n(7), Rel("=", op("*", X, X), n(49)), strict=False)) is True
    assert ev(ball("x", n(0), FALSE)) is True
    # `k > x` is the same instance as `x < k`
    assert ev(Forall("x", NAT, Imp(Rel(">", n(3), X), Rel("<", X, n(3))))) is True
    # nested, inner bound mentions the outer variable
    assert ev(ball("x", n(6), ball("y", X, Rel("<", Y, X)))) is True


def test_unbounded_quantifiers_are_not_decidable():
    with pytest.raises(NotDecidable):
        ev(Forall("x", NAT, Rel("≤", n(0), X)))
    with pytest.raises(NotDecidable):
        ev(Forall("x", INT, Imp(Rel("<", Var("x", INT), i(3)), TRUE)))
    with pytest.raises(NotDecidable):  # the bound mentions the bound variable
        ev(Forall("x", NAT, Imp(Rel("<", X, op("+", X, n(1))), TRUE)))
    with pytest.raises(NotDecidable):  # no short-circuit: the instance for the whole must exist
        ev(And(FALSE, Forall("x", NAT, Rel("≤", n(0), X))))


def test_connectives():
    assert ev(Or(FALSE, Not(FALSE))) is True
    assert ev(Imp(FALSE, FALSE)) is True
    assert ev(And(TRUE, Rel("=", n(1), n(2)))) is False


def test_deadline_interrupts_long_loop():
    t = ball("x", n(10**8), Rel("=", op("+", X, n(0)), X))
    t0 = time.perf_counter()
    with pytest.raises(DeadlineExceeded):
        evaluate(t, None, Deadline(0.3))
    assert time.perf_counter() - t0 < 1.5


# ---------------------------------------------------------------- decide


def goal(target, *locals_):
    return Goal(tuple(locals_), target)


def test_decide_true():
    assert decide(goal(Rel("=", op("+", n(2), n(2)), n(4)))) is None
    assert decide(goal(ball("x", n(20), Not(Rel("=", op("*", X, X), n(2)))))) is None


def test_decide_false_message():
    with pytest.raises(TacticFailure) as e:
        decide(goal(Rel("=", op("+", n(2), n(2)), n(5))), pp=lambda t: "2 + 2 = 5")
    assert e.value.message == "tactic 'decide' proved that the proposition\n  2 + 2 = 5\nis false"


def test_decide_free_variables():
    with pytest.raises(TacticFailure) as e:
        decide(goal(Rel("<", X, n(5)), local("x", NAT)), pp=lambda t: "x < 5")
    assert e.value.message.startswith("expected type must not contain free variables\n  x < 5")


def test_decide_no_instance():
    with pytest.raises(TacticFailure) as e:
        decide(goal(Forall("x", NAT, Rel("≤", n(0), X))), pp=lambda t: "∀ (x : ℕ), 0 ≤ x")
    assert e.value.message == "failed to synthesize\n  Decidable (∀ (x : ℕ), 0 ≤ x)"


def test_decide_ignores_hypotheses():
    h = local("h", Rel("=", n(1), n(2)))
    with pytest.raises(TacticFailure):
        decide(goal(FALSE, h))


def test_decide_deadline():
    t = ball("x", n(250), ball("y", n(250), ball("z", n(250), Rel("=", op("+", X, n(0)), X))))
    t0 = time.perf_counter()
    with pytest.raises(DeadlineExceeded):
        decide(goal(t), Deadline(0.2))
    assert time.perf_counter() - t0 < 1.2
