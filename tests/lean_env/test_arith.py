"""Tests of mini's arithmetic procedures: goals they must prove, goals they must reject, and
a soundness property against an independent brute-force evaluator with Lean's semantics."""

from __future__ import annotations

import itertools
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lean_env.mini.arith import linarith, nlinarith, omega, positivity
from lean_env.mini.arith_common import apply_op
from lean_env.mini.errors import Deadline, DeadlineExceeded, TacticFailure
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
    Forall,
    Goal,
    Iff,
    Imp,
    Lit,
    Neg,
    Not,
    Or,
    Rel,
    Term,
    Var,
    arrow,
    free_vars,
    subterms,
    type_of,
)

from .lean_oracle import lean_value
from .term_builders import local

# ---------------------------------------------------------------- building terms

x, y, z = Var("x", NAT), Var("y", NAT), Var("z", NAT)
a, b, c = Var("a", INT), Var("b", INT), Var("c", INT)
f = Var("f", arrow(INT, INT))
P = Var("P", PROP)


def lit(v: int, ty=NAT) -> Term:
    return Lit(v, ty) if v >= 0 else Neg(Lit(-v, INT))


def _t(v, like: Term) -> Term:
    return lit(v, type_of(like)) if isinstance(v, int) else v


def ar(op: str, p, q) -> Term:
    if isinstance(p, int):
        p = lit(p, type_of(q) if op != "^" else NAT)
    q = lit(q, NAT) if op == "^" and isinstance(q, int) else _t(q, p)
    return Arith(op, p, q, type_of(p))


add, sub, mul, div, mod, pw = (partial(ar, o) for o in "+-*/%^")


def up(p) -> Term:
    return Cast(p)


def rel(op: str, p, q) -> Term:
    if isinstance(p, int):
        p = lit(p, type_of(q))
    return Rel(op, p, _t(q, p))


lt, le, eq, ne, gt, ge, dvd = (partial(rel, o) for o in ("<", "≤", "=", "≠", ">", "≥", "∣"))


def call(fn: str, ty, *args: Term) -> Term:
    return App(Const(fn, arrow(*[type_of(t) for t in args], ty)), tuple(args), ty)


def goal(target: Term, *hyps: Term) -> Goal:
    """A goal whose variables are the free variables of its statement."""
    seen: dict[str, Var] = {}
    for t in (target, *hyps):
        names = free_vars(t)
        for s in subterms(t):
            if isinstance(s, Var) and s.name in names:
                seen.setdefault(s.name, s)
    locals_ = [local(v.name, v.ty) for v in seen.values()]
    locals_ += [local(f"h{i}", h) for i, h in enumerate(hyps)]
    return Goal(tuple(locals_), target)


def proves(proc, g: Goal, **kw) -> bool:
    try:
        proc(g, Deadline(20), **kw)
        return True
    except TacticFailure:
        return False


def message(proc, g: Goal) -> str:
    with pytest.raises(TacticFailure) as info:
        proc(g, Deadline(20))
    return info.value.message


# ---------------------------------------------------------------- omega

LITERAL_FACTS = [  # Lean's values: ℤ division rounds so that the remainder is nonnegative
    eq(div(lit(-7, INT), 2), lit(-4, INT)),
    eq(mod(lit(-7, INT), 2), lit(1, INT)),
    eq(div(lit(7, INT), lit(-2, INT)), lit(-3, INT)),
    eq(mod(lit(7, INT), lit(-2, INT)), lit(1, INT)),
    eq(div(lit(-7, INT), lit(-2, INT)), lit(4, INT)),
    eq(sub(lit(3), lit(5)), lit(0)),
    eq(div(lit(7), lit(0)), lit(0)),
    eq(mod(lit(-7, INT), lit(0, INT)), lit(-7, INT)),
]

OMEGA_TRUE = LITERAL_FACTS + [
    Imp(lt(x, 5), le(x, 4)),
    Or(eq(mod(x, 2), 0), eq(mod(x, 2), 1)),
    Or(eq(mod(a, 2), 0), eq(mod(a, 2), 1)),
    ge(add(sub(x, y), y), x),
    eq(div(x, 0), 0),
    eq(mod(x, 0), x),
    eq(mod(a, 0), a),
    ge(up(x), lit(0, INT)),
    eq(up(add(x, y)), add(up(x), up(y))),
    Imp(le(y, x), eq(up(sub(x, y)), sub(up(x), up(y)))),
    le(mul(div(a, 3), 3), a),
    lt(a, mul(add(div(a, 3), 1), 3)),
    Imp(dvd(2, x), eq(mod(x, 2), 0)),
    Imp(Not(dvd(2, a)), eq(mod(a, 2), 1)),
    Imp(dvd(0, a), eq(a, 0)),
    Forall("n", NAT, ge(add(Var("n", NAT), 1), 1)),
    Not(lt(x, x)),
    ne(add(mul(2, a), 1), mul(2, b)),
    eq(mul(x, y), mul(x, y)),
    le(mul(x, y), add(mul(x, y), z)),
    ge(App(f, (a,), INT), App(f, (a,), INT)),
    ge(call("g", NAT, a), 0),
    le(call("min", NAT, x, y), x),
    eq(call("Nat.succ", NAT, x), add(x, 1)),
    eq(pw(2, 10), lit(1024)),
    Iff(lt(a, b), le(add(a, 1), b)),
    Imp(And(lt(x, 3), gt(x, 1)), eq(x, 2)),
]


@pytest.mark.parametrize("target", OMEGA_TRUE, ids=range(len(OMEGA_TRUE)))
def test_omega_proves(target):
    assert proves(omega, goal(target))


def test_omega_uses_hypotheses():
    assert proves(omega, goal(eq(a, 6), eq(add(a, b), 10), eq(sub(a, b), 2)))
    assert proves(omega, goal(FALSE, lt(x, 2), gt(x, 1)))
    assert proves(omega, goal(lt(x, 5), Or(lt(x, 3), eq(x, 4))))
    assert proves(omega, goal(le(a, 10), Forall("n", INT, le(Var("n", INT), 0)), le(a, 10)))


OMEGA_FALSE = [
    eq(add(sub(x, y), y), x),
    eq(div(lit(-7, INT), 2), lit(-3, INT)),
    eq(mod(lit(-7, INT), 2), lit(-1, INT)),
    eq(mul(x, y), mul(y, x)),  # nonlinear: different atoms, as in Lean
    eq(mul(a, 2), add(a, 1)),
    ge(a, 0),
    ge(App(f, (a,), INT), 0),
    eq(div(x, y), div(y, x)),
    eq(up(sub(x, y)), sub(up(x), up(y))),
    Imp(dvd(a, b), dvd(a, mul(2, b))),  # non-literal divisor: unreadable
    ge(mul(a, a), 0),
    lt(x, 5),
    P,
    Not(TRUE),
    FALSE,
]


@pytest.mark.parametrize("target", OMEGA_FALSE, ids=range(len(OMEGA_FALSE)))
def test_omega_rejects(target):
    assert message(omega, goal(target)) == "omega could not prove the goal"


def test_omega_ignores_what_it_cannot_read():
    # `P` in the disjunction and `¬P` are separate, unreadable facts: omega cannot combine them.
    assert not proves(omega, goal(lt(x, 5), Or(P, lt(x, 5)), Not(P)))
    assert not proves(omega, goal(FALSE, lt(mul(a, a), 0)))
    assert proves(omega, goal(lt(x, 5), Or(P, lt(x, 5)), Not(P), lt(x, 3)))


def test_deadline():
    with pytest.raises(DeadlineExceeded):
        omega(goal(lt(x, 5), lt(x, 3)), Deadline(0))
    with pytest.raises(DeadlineExceeded):
        linarith(goal(lt(a, 5), lt(a, 3)), Deadline(0))


# ---------------------------------------------------------------- linarith / nlinarith


def test_linarith_proves():
    assert proves(linarith, goal(lt(a, c), lt(a, b), lt(b, c)))
    assert proves(linarith, goal(lt(a, c)), extra=[lt(a, b), lt(b, c)])
    assert proves(linarith, goal(le(x, 4), lt(x, 5)))  # ℕ, strict strengthened
    assert proves(linarith, goal(eq(a, b), le(a, b), ge(a, b)))
    assert proves(linarith, goal(le(add(mul(2, a), b), 7), le(a, 2), le(b, 3)))
    assert proves(linarith, goal(eq(mul(a, b), mul(b, a))))  # ring normal form
    assert proves(linarith, goal(ge(up(x), 0)))
    assert proves(linarith, goal(ge(a, 3), Not(lt(a, 3))))
    assert proves(linarith, goal(Not(lt(a, b)), ge(a, b)))
    assert proves(linarith, goal(P, lt(a, 0), gt(a, 0)))  # exfalso on other targets
    assert proves(linarith, goal(ne(a, b), lt(a, b)))  # `≠` target: intro `a = b`
    assert proves(linarith, goal(lt(a, 2), And(lt(a, 1), P)))  # conjunctions are split
    assert proves(linarith, goal(ge(add(sub(x, y), 1), 1)))  # ℕ `x - y` is an atom ≥ 0


def test_linarith_rejects():
    msg = "linarith failed to find a contradiction"
    assert message(linarith, goal(ge(mul(a, a), 0))) == msg
    assert message(linarith, goal(Imp(lt(a, b), Imp(lt(b, c), lt(a, c))))) == msg  # no intro
    assert not proves(linarith, goal(ge(add(sub(x, y), y), x)))  # true, but needs omega
    assert not proves(linarith, goal(eq(add(sub(x, y), y), x)))
    assert not proves(linarith, goal(eq(div(a, 2), 0), lt(a, 2)))
    assert not proves(linarith, goal(lt(a, c), lt(a, b)))
    assert not proves(linarith, goal(P))
    assert not proves(linarith, goal(ne(a, b), le(a, b)))
    assert not proves(linarith, goal(lt(a, 0), Or(lt(a, 0), lt(a, 1))))


def test_nlinarith_proves():
    assert proves(nlinarith, goal(ge(mul(a, a), 0)))
    assert proves(nlinarith, goal(le(0, add(pw(a, 2), pw(b, 2)))))
    assert proves(nlinarith, goal(lt(0, mul(a, b)), lt(0, a), lt(0, b)))
    two_ab = mul(mul(2, a), b)
    assert proves(nlinarith, goal(le(two_ab, add(pw(a, 2), pw(b, 2)))),
                  extra=[le(0, pw(sub(a, b), 2))])
    assert proves(nlinarith, goal(le(mul(x, y), mul(x, add(y, 1)))))
    assert proves(nlinarith, goal(ge(pw(a, 2), 0), lt(a, 0)))


def test_nlinarith_rejects():
    assert not proves(nlinarith, goal(lt(0, mul(a, b)), lt(0, a)))
    assert not proves(nlinarith, goal(gt(pw(a, 2), 0)))
    assert not proves(nlinarith, goal(lt(mul(a, b), 0), lt(a, 0)))
    assert not proves(nlinarith, goal(eq(mul(x, y), mul(y, add(x, 1)))))


# ---------------------------------------------------------------- positivity


def test_positivity_proves():
    assert proves(positivity, goal(lt(0, add(pw(a, 2), 1))))
    assert proves(positivity, goal(le(0, pw(a, 2))))
    assert proves(positivity, goal(gt(pw(a, 2), 0), ne(a, 0)))
    assert proves(positivity, goal(le(lit(0, INT), up(x))))
    assert proves(positivity, goal(lt(lit(0, INT), add(up(x), 1))))
    assert proves(positivity, goal(lt(0, call("Nat.factorial", NAT, x))))
    assert proves(positivity, goal(le(0, div(a, b)), le(0, a), lt(0, b)))
    assert proves(positivity, goal(ne(add(a, b), 0), lt(0, a), lt(0, b)))
    assert proves(positivity, goal(lt(0, mul(a, b)), lt(0, a), le(1, b)))
    assert proves(positivity, goal(le(0, x)))
    assert proves(positivity, goal(lt(0, call("abs", INT, a)), ne(a, 0)))
    assert proves(positivity, goal(lt(0, lit(3, INT))))
    assert proves(positivity, goal(ne(lit(-3, INT), 0)))
    assert proves(positivity, goal(lt(0, div(a, a)), lt(0, a)))
    assert proves(positivity, goal(ne(0, mul(a, b)), ne(a, 0), ne(b, 0)))


def test_positivity_rejects():
    assert message(positivity, goal(lt(x, 5))) == "not a positivity goal"
    assert message(positivity, goal(lt(0, pw(a, 2)))).startswith("failed to prove positivity")
    assert message(positivity, goal(lt(0, sub(a, b)), lt(b, a))).startswith("failed to prove")
    assert not proves(positivity, goal(le(0, div(a, b)), le(0, a)))
    assert not proves(positivity, goal(le(0, Neg(pw(a, 2)))))
    assert not proves(positivity, goal(lt(0, x)))
    assert not proves(positivity, goal(lt(0, a), le(0, a)))
    assert not proves(positivity, goal(le(0, pw(a, 3))))
    assert not proves(positivity, goal(lt(0, lit(-3, INT))))


# ---------------------------------------------------------------- soundness property


FUNCTIONS = [lambda t: t, lambda t: -t, lambda t: t * t, lambda t: 1, lambda t: t % 3 - 1]
BOX = {NAT: range(0, 6), INT: range(-5, 6)}
VARS = {NAT: [x, y], INT: [a, b]}


@st.composite
def terms(draw, ty, depth: int) -> Term:
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if ty == INT and draw(st.booleans()):
            return up(draw(st.sampled_from(VARS[NAT])))
        if draw(st.integers(0, 2)) == 0:
            return lit(draw(st.integers(0 if ty == NAT else -3, 4)), ty)
        return draw(st.sampled_from(VARS[ty]))
    kinds = ["+", "-", "*k", "/", "%", "xy", "^"] + (["neg", "cast", "f"] if ty == INT else [])
    kind = draw(st.sampled_from(kinds))
    sub_ = lambda: draw(terms(ty, depth - 1))
    k = lit(draw(st.integers(0 if ty == NAT else -3, 3)), ty)
    match kind:
        case "+" | "-":
            return Arith(kind, sub_(), sub_(), ty)
        case "*k":
            return Arith("*", k, sub_(), ty) if draw(st.booleans()) else Arith("*", sub_(), k, ty)
        case "/" | "%":
            return Arith(kind, sub_(), k, ty)
        case "xy":
            return Arith("*", sub_(), sub_(), ty)
        case "^":
            return Arith("^", sub_(), lit(draw(st.integers(0, 3))), ty)
        case "neg":
            return Neg(sub_())
        case "cast":
            return up(draw(terms(NAT, depth - 1)))
        case _:
            return App(f, (sub_(),), INT)


@st.composite
def props(draw, depth: int = 1) -> Term:
    if depth == 0 or draw(st.integers(0, 3)) > 0:
        ty = draw(st.sampled_from([NAT, INT]))
        op = draw(st.sampled_from(["=", "≠", "<", "≤", ">", "≥", "∣"]))
        if op == "∣":
            return Rel(op, lit(draw(st.integers(0, 3)), ty), draw(terms(ty, 2)))
        return Rel(op, draw(terms(ty, 2)), draw(terms(ty, 2)))
    kind = draw(st.sampled_from(["¬", "∧", "∨", "→"]))
    if kind == "¬":
        return Not(draw(props(depth - 1)))
    cls = {"∧": And, "∨": Or, "→": Imp}[kind]
    return cls(draw(props(depth - 1)), draw(props(depth - 1)))


def has_counterexample(g: Goal) -> bool:
    hyps = [loc.type for loc in g.hyps()]
    statement = [g.target, *hyps]
    used = [v for v in (x, y, a, b) if any(v.name in free_vars(t) for t in statement)]
    uses_f = any(isinstance(s, App) for t in statement for s in subterms(t))
    for fn in FUNCTIONS if uses_f else FUNCTIONS[:1]:
        for values in itertools.product(*(BOX[v.ty] for v in used)):
            env = {v.name: val for v, val in zip(used, values)}
            if all(lean_value(h, env, fn) for h in hyps) and not lean_value(g.target, env, fn):
                return True
    return False


PROPERTY = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(target=props(), hyps=st.lists(props(0), max_size=2))
def test_omega_sound_on_random_goals(target, hyps):
    g = goal(target, *hyps)
    if has_counterexample(g):
        assert not proves(omega, g), g


@PROPERTY
@given(target=props(0), hyps=st.lists(props(0), max_size=2))
def test_linarith_sound_on_random_goals(target, hyps):
    g = goal(target, *hyps)
    if has_counterexample(g):
        assert not proves(linarith, g), g
        assert not proves(nlinarith, g), g


def test_constant_folding_agrees_with_lean():
    """`apply_op` (omega's and positivity's folding) against the oracle; big powers stay unfolded."""
    for op, ty, u, v in itertools.product("+-*/%^", (NAT, INT), range(-7, 8), range(-7, 8)):
        if (ty == NAT and min(u, v) < 0) or (op == "^" and v < 0):
            continue
        assert apply_op(op, u, v, ty) == lean_value(Arith(op, lit(u, ty), lit(v, ty), ty)), (op, u, v)
    assert apply_op("^", 2, 5000, NAT) is None


def test_evaluator_agrees_with_lean():
    """The brute-force oracle itself: Lean's values, and a true and a false goal."""
    assert all(lean_value(t, {}, None) for t in LITERAL_FACTS)
    assert has_counterexample(goal(eq(add(sub(x, y), y), x)))
    assert has_counterexample(goal(ge(App(f, (a,), INT), a)))
    assert not has_counterexample(goal(lt(div(x, 2), add(x, 1))))


SIGN_HYPS = [lt(0, a), le(0, a), ne(a, 0), le(1, b), gt(b, 0), eq(b, lit(-2, INT)), lt(0, x)]


@PROPERTY
@given(ty=st.sampled_from([NAT, INT]), data=st.data(),
       hyps=st.lists(st.sampled_from(SIGN_HYPS), max_size=3))
def test_positivity_sound_on_random_goals(ty, data, hyps):
    e = data.draw(terms(ty, 3))
    zero = lit(0, ty)
    target = data.draw(st.sampled_from([lt(zero, e), le(zero, e), ne(e, zero), gt(e, zero)]))
    g = goal(target, *hyps)
    if has_counterexample(g):
        assert not proves(positivity, g), g
