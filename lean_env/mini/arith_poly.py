"""Commutative-ring normal form of ℕ/ℤ terms, as `linarith` reads them (Mathlib's `linear_forms`).

A polynomial maps monomials (sorted tuples of `(atom, degree)`) to rational coefficients.
ℕ terms are read after Mathlib's `push_cast` to ℤ: `+ * ^` and numerals are ring operations
and `Nat.succ n` is `n + 1`, while ℕ `-`, and `/`, `%` at either type, stay atoms (the facts
that hold of them are not ring identities).
"""

from __future__ import annotations

from fractions import Fraction

from lean_env.mini.arith_common import AtomTable
from lean_env.mini.terms import NAT, App, Arith, Cast, Const, Lit, Neg, Term

Monomial = tuple[tuple[int, int], ...]
Poly = dict[Monomial, Fraction]

ONE: Monomial = ()
MAX_EXPONENT = 64  # larger literal exponents leave `a ^ n` an atom
MAX_TERMS = 2000  # expansions beyond this many monomials leave the product an atom


def const(c: int | Fraction) -> Poly:
    return {ONE: Fraction(c)} if c else {}


def add(p: Poly, q: Poly, k: int | Fraction = 1) -> Poly:
    """`p + k * q`."""
    out = dict(p)
    for m, c in q.items():
        v = out.get(m, 0) + k * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return out


def scale(p: Poly, k: int | Fraction) -> Poly:
    return {m: c * k for m, c in p.items()} if k else {}


def _mono_mul(a: Monomial, b: Monomial) -> Monomial:
    acc = dict(a)
    for i, d in b:
        acc[i] = acc.get(i, 0) + d
    return tuple(sorted(acc.items()))


def mul(p: Poly, q: Poly) -> Poly:
    out: Poly = {}
    for ma, ca in p.items():
        for mb, cb in q.items():
            m = _mono_mul(ma, mb)
            v = out.get(m, 0) + ca * cb
            if v:
                out[m] = v
            else:
                out.pop(m, None)
    return out


def power(p: Poly, n: int) -> Poly | None:
    """`p ^ n`, or None once the expansion grows past MAX_TERMS monomials."""
    out = const(1)
    for _ in range(n):
        if len(out) * len(p) > MAX_TERMS:
            return None
        out = mul(out, p)
    return out


def constant_value(p: Poly) -> Fraction | None:
    """The value of a constant polynomial, else None."""
    if not p:
        return Fraction(0)
    if len(p) == 1 and ONE in p:
        return p[ONE]
    return None


class PolyReader:
    """Reads terms into polynomials over a shared atom table."""

    def __init__(self) -> None:
        self.atoms = AtomTable()

    def atom(self, t: Term) -> Poly:
        return {((self.atoms.index(t), 1),): Fraction(1)}

    def read(self, t: Term) -> Poly:
        match t:
            case Lit(value=v):
                return const(v)
            case Neg(arg=a):
                return scale(self.read(a), -1)
            case Cast(arg=a):
                return self.read(a)
            case Arith(op="+", lhs=a, rhs=b):
                return add(self.read(a), self.read(b))
            case Arith(op="-", lhs=a, rhs=b, ty=ty) if ty != NAT:
                return add(self.read(a), self.read(b), -1)
            case Arith(op="*", lhs=a, rhs=b):
                pa, pb = self.read(a), self.read(b)
                if len(pa) * len(pb) <= MAX_TERMS:
                    return mul(pa, pb)
            case Arith(op="^", lhs=a, rhs=Lit(value=n)) if n <= MAX_EXPONENT:
                pn = power(self.read(a), n)
                if pn is not None:
                    return pn
            case App(fn=Const(name="Nat.succ"), args=(n,)):
                return add(self.read(n), const(1))
        return self.atom(t)
