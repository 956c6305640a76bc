"""Commutative-ring normal form of ℕ/ℤ terms, as `linarith` reads them (Mathlib's `linear_forms`).

Terms become `poly` polynomials with Fraction coefficients over a shared `AtomTable`.
ℕ terms are read after Mathlib's `push_cast` to ℤ: `+ * ^` and numerals are ring operations
and `Nat.succ n` is `n + 1`, while ℕ `-`, and `/`, `%` at either type, stay atoms (the facts
that hold of them are not ring identities).
"""

from __future__ import annotations

from fractions import Fraction

from lean_env.mini import poly as P
from lean_env.mini.arith_common import AtomTable
from lean_env.mini.terms import NAT, App, Arith, Cast, Const, Lit, Neg, Term

MAX_EXPONENT = 64  # larger literal exponents leave `a ^ n` an atom
MAX_TERMS = 2000  # expansions beyond this many monomials leave the product an atom


class PolyReader:
    """Reads terms into polynomials over a shared atom table."""

    def __init__(self) -> None:
        self.atoms = AtomTable()

    def atom(self, t: Term) -> P.Poly:
        return P.atom(self.atoms.index(t), Fraction(1))

    def read(self, t: Term) -> P.Poly:
        match t:
            case Lit(value=v):
                return P.const(Fraction(v))
            case Neg(arg=a):
                return P.scale(self.read(a), -1)
            case Cast(arg=a):
                return self.read(a)
            case Arith(op="+", lhs=a, rhs=b):
                return P.add(self.read(a), self.read(b))
            case Arith(op="-", lhs=a, rhs=b, ty=ty) if ty != NAT:
                return P.add(self.read(a), self.read(b), -1)
            case Arith(op="*", lhs=a, rhs=b):
                pa, pb = self.read(a), self.read(b)
                if len(pa) * len(pb) <= MAX_TERMS:
                    return P.mul(pa, pb)
            case Arith(op="^", lhs=a, rhs=Lit(value=n)) if n <= MAX_EXPONENT:
                pn = P.power(self.read(a), n, max_terms=MAX_TERMS)
                if pn is not None:
                    return pn
            case App(fn=Const(name="Nat.succ"), args=(n,)):
                return P.add(self.read(n), P.const(Fraction(1)))
        return self.atom(t)
