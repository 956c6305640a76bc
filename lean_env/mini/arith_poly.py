"""Commutative-ring normal form of number terms, as `linarith` reads them (Mathlib's
`linearFormOfExpr` after its preprocessing).

Terms become `poly` polynomials with Fraction coefficients over a shared `AtomTable`.
ℕ terms are read after Mathlib's `natToInt` (`push_cast` to ℤ): `+ * ^` and numerals are ring
operations and `Nat.succ n` is `n + 1`, while ℕ `-`, and `/`, `%` on ℕ/ℤ, stay atoms (the
facts that hold of them are not ring identities). On ℚ/ℝ, `-` is a ring operation and division
by a numeral is multiplication by its inverse (Mathlib's `cancelDenoms`); any other `/`, `x⁻¹`,
and every cast into ℚ/ℝ are atoms (linarith does not see through `↑`, and runs on each type
separately: only ℕ's facts join ℤ's).
"""

from __future__ import annotations

from fractions import Fraction

from lean_env.mini import poly as P
from lean_env.mini.arith_common import AtomTable
from lean_env.mini.terms import FIELDS, INT, NAT, App, Arith, Cast, Const, Lit, Neg, Term

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
            case Cast(arg=a, ty=ty) if ty == INT:  # ℕ → ℤ: natToInt's push_cast
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
            case Arith(op="/", lhs=a, rhs=b, ty=ty) if ty in FIELDS:
                c = P.constant_value(self.read(b))
                if c:  # a nonzero numeral
                    return P.scale(self.read(a), Fraction(1) / c)
            case App(fn=Const(name="Inv.inv"), args=(b,)):
                c = P.constant_value(self.read(b))
                if c:
                    return P.const(Fraction(1) / c)
            case App(fn=Const(name="Nat.succ"), args=(n,)):
                return P.add(self.read(n), P.const(Fraction(1)))
        return self.atom(t)
