"""Builders of `mini` terms shared by the solver tests (evaluate, simp, ring, arith).

Imported relatively (`from .term_builders import ...`): pytest runs in importlib mode, where
`tests/lean_env` is not on `sys.path`.
"""

from __future__ import annotations

from hypothesis import strategies as st

from lean_env.mini.terms import INT, NAT, App, Arith, Const, Lit, Local, Neg, Rel, Term, Ty, Var, arrow

X, Y = Var("x", NAT), Var("y", NAT)
A = Var("a", INT)
F = Var("f", arrow(NAT, NAT))


def n(v: int) -> Lit:
    return Lit(v, NAT)


def i(v: int) -> Term:
    return Lit(v, INT) if v >= 0 else Neg(Lit(-v, INT))


def op(o: str, a: Term, b: Term, ty: Ty = NAT) -> Arith:
    return Arith(o, a, b, ty)


def eq(a: Term, b: Term) -> Rel:
    return Rel("=", a, b)


def call(name: str, *args: Term, ty: Ty = NAT) -> App:
    """`name args` for a constant taking ℕ arguments."""
    return App(Const(name, arrow(*(NAT for _ in args), ty)), tuple(args), ty)


def f(t: Term) -> App:
    return App(F, (t,), NAT)


def arith_terms(
    ty: Ty, leaves: st.SearchStrategy, max_leaves: int, negation: bool = False
) -> st.SearchStrategy:
    """Terms of type `ty` over `leaves`: `+ - * / %`, `^` by a numeral 0..3, and `-a` if `negation`."""

    def extend(kids: st.SearchStrategy) -> st.SearchStrategy:
        return st.one_of(
            st.builds(lambda o, a, b: Arith(o, a, b, ty), st.sampled_from("+-*/%"), kids, kids),
            st.builds(lambda a, e: Arith("^", a, n(e), ty), kids, st.integers(0, 3)),
            *([st.builds(lambda a: Neg(a, INT), kids)] if negation else []),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def local(name: str, ty: Ty | Term) -> Local:
    """A local whose id is its name, for tests that call one procedure (simp, ring, omega) on
    a goal directly. The transition checker refuses such a goal (an id is `name#n`, never a
    name), so tests that go through the tactic engine build goals with `terms.goal_of`."""
    return Local(name, name, ty)
