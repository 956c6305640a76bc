"""The solver tests' oracle: Lean's ℕ/ℤ semantics, written apart from `lean_env.mini.semantics`
(and with other formulas) so that a mistake in one shows up against the other."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from lean_env.mini.terms import (
    NAT,
    And,
    App,
    Arith,
    Cast,
    FalseP,
    Iff,
    Imp,
    Lit,
    Neg,
    Not,
    Or,
    Rel,
    Term,
    TrueP,
    Var,
)


def lean_mod(a: int, b: int) -> int:
    """`Int.emod` (and ℕ `%`): `a % 0 = a`; Python's `%` by a positive modulus is nonnegative."""
    return a if b == 0 else a % abs(b)


def lean_div(a: int, b: int) -> int:
    """`Int.ediv` (and ℕ `/`): the quotient that goes with `lean_mod`; `a / 0 = 0`."""
    return 0 if b == 0 else (a - lean_mod(a, b)) // b


def lean_value(
    t: Term, env: Mapping[str, int] | None = None, fn: Callable[[int], int] | None = None
) -> int | bool:
    """The value of `t`, its variables read from `env`, every unary application being `fn`."""
    ev = lambda s: lean_value(s, env, fn)
    match t:
        case TrueP():
            return True
        case FalseP():
            return False
        case Var(name=name) if env is not None and name in env:
            return env[name]
        case Lit(value=v):
            return v
        case Neg(arg=s):
            return -ev(s)
        case Cast(arg=s):
            return ev(s)
        case App(args=(s,)) if fn is not None:
            return fn(ev(s))
        case Arith(op=o, lhs=p, rhs=q, ty=ty):
            u, v = ev(p), ev(q)
            return {
                "+": lambda: u + v,
                "-": lambda: max(u - v, 0) if ty == NAT else u - v,
                "*": lambda: u * v,
                "/": lambda: lean_div(u, v),
                "%": lambda: lean_mod(u, v),
                "^": lambda: u**v,
            }[o]()
        case Rel(op=o, lhs=p, rhs=q):
            u, v = ev(p), ev(q)
            if o == "∣":
                return v == 0 if u == 0 else v % u == 0
            return {"=": u == v, "≠": u != v, "<": u < v, "≤": u <= v, ">": u > v, "≥": u >= v}[o]
        case Not(arg=p):
            return not ev(p)
        case And(lhs=p, rhs=q):
            return ev(p) and ev(q)
        case Or(lhs=p, rhs=q):
            return ev(p) or ev(q)
        case Imp(lhs=p, rhs=q):
            return (not ev(p)) or ev(q)
        case Iff(lhs=p, rhs=q):
            return ev(p) == ev(q)
    raise AssertionError(f"cannot evaluate {t}")
