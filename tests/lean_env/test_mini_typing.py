"""Behaviour pinned while making `lean_env/mini` type-check: the places mypy could not follow, and
whose fixes had to leave what mini does (and accepts) unchanged."""

from __future__ import annotations

from fractions import Fraction

import pytest
import z3

from lean_env.mini import MiniEnv
from lean_env.mini import poly as P
from lean_env.mini.arith_linarith import _real
from lean_env.mini.elaborate import parse_statement
from lean_env.mini.ring import RingNormalizer, _nat_constant
from lean_env.mini.syntax import SIdent, SProj
from lean_env.mini.terms import INT, NAT, PROP, App, Arith, Lit, Local, Rel, Var, goal_of


def test_prop_equality_is_recognised_by_the_full_predicate_and_never_proved() -> None:
    """`elaborate.py` defined `_is_prop_syntax` twice; the later (3-argument) definition is the one
    Python calls, so `Even n = Odd n` (a Prop-valued application on each side) is an equality of
    propositions. Removing the dead first definition must not change that; and no such statement
    is ever proved (the transition check refuses `Rel` between propositions)."""
    _, goal = parse_statement("theorem t (n : ℕ) : Even n = Odd n")
    t = goal.target
    assert isinstance(t, Rel) and t.op == "="
    assert isinstance(t.lhs, App) and t.lhs.ty == PROP and isinstance(t.rhs, App) and t.rhs.ty == PROP
    _, goal = parse_statement("theorem t (n : ℕ) : n.succ = n + 1")  # field notation: still numeric
    t = goal.target
    assert isinstance(t, Rel) and isinstance(t.lhs, App) and t.lhs.ty == NAT
    env = MiniEnv()
    for statement in ("theorem t (n : ℕ) : Even n = Odd n", "theorem t (p : Prop) : p = p"):
        for script in ("rfl", "simp", "decide"):
            assert not env.verify(statement, script).ok, (statement, script)


def test_sproj_position_is_a_dataclass_field_ignored_by_equality() -> None:
    """`SProj.field` (an attribute) shadows `dataclasses.field` for type checkers only."""
    e = SIdent("h")
    assert SProj(e, "1").pos == (0, 0)
    assert SProj(e, "1", (1, 2)) == SProj(e, "1", (3, 4))


def test_local_accessors() -> None:
    goal = goal_of([("x", NAT), ("h", Rel("<", Var("x", NAT), Lit(3, NAT)))], Rel("=", Lit(0, NAT), Lit(0, NAT)))
    x, h = goal.locals
    assert x.var == Var(x.fid, NAT) and h.prop == h.type
    with pytest.raises(AssertionError):
        _ = x.prop
    with pytest.raises(AssertionError):
        _ = h.var
    assert isinstance(Local("y#1", "y", INT).var, Var)


def test_linarith_reads_int_and_fraction_coefficients() -> None:
    """`P.const(-1)` leaves an int coefficient in linarith's polynomials: `_real` takes both."""
    assert z3.simplify(_real(-1) == z3.RealVal(-1))
    assert z3.simplify(_real(Fraction(-3, 4)) == z3.RealVal("-3/4"))


def test_ring_coefficients_are_ints_on_integer_types() -> None:
    x = Var("x", INT)
    t = Arith("^", Arith("-", Arith("*", Lit(3, INT), x, INT), Lit(2, INT), INT), Lit(3, NAT), INT)
    p = RingNormalizer().poly(t)
    assert p and all(type(c) is int for c in p.values())
    with pytest.raises(AssertionError):  # a ℕ/ℤ constant is never a proper fraction
        _nat_constant({(): Fraction(1, 2)})
    assert _nat_constant({(): Fraction(4, 2)}) == 2


def test_poly_power_refuses_only_with_a_term_bound() -> None:
    p = P.add(P.atom(0), P.atom(1))
    assert len(P.power(p, 3)) == 4
    assert P.power(p, 3, max_terms=2) is None
