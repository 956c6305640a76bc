"""Sparse polynomials over numbered atoms: the arithmetic `ring` and `linarith` share.

A polynomial maps monomials (sorted tuples of `(atom index, exponent > 0)`) to nonzero
coefficients (ints for `ring`, Fractions for `linarith`: the code is the same for both). Each
caller reads terms into polynomials its own way (`ring.RingNormalizer`, `arith_poly.PolyReader`);
the limits differ too, so they are parameters: `ring` passes its deadline, `linarith` a bound
on the number of terms an expansion may reach.
"""

from __future__ import annotations

from fractions import Fraction
from typing import overload

from lean_env.mini.errors import UNBOUNDED, Deadline

Coeff = int | Fraction
Monomial = tuple[tuple[int, int], ...]
Poly = dict[Monomial, Coeff]

ONE: Monomial = ()


def const(c: Coeff) -> Poly:
    return {ONE: c} if c else {}


def atom(i: int, c: Coeff = 1) -> Poly:
    """`c * x_i`: atom `i` to the first power."""
    return {((i, 1),): c}


def constant_value(p: Poly) -> Coeff | None:
    """The value of a constant polynomial, else None."""
    if not p:
        return 0
    if len(p) == 1 and ONE in p:
        return p[ONE]
    return None


def add(p: Poly, q: Poly, k: Coeff = 1) -> Poly:
    """`p + k * q`."""
    out = dict(p)
    for m, c in q.items():
        v = out.get(m, 0) + k * c
        if v:
            out[m] = v
        else:
            out.pop(m, None)
    return out


def scale(p: Poly, k: Coeff) -> Poly:
    return {m: c * k for m, c in p.items()} if k else {}


def mono_mul(a: Monomial, b: Monomial) -> Monomial:
    if not a:
        return b
    if not b:
        return a
    exps = dict(a)
    for i, e in b:
        exps[i] = exps.get(i, 0) + e
    return tuple(sorted(exps.items()))


def mul(p: Poly, q: Poly, deadline: Deadline = UNBOUNDED) -> Poly:
    """`p * q`, checking the deadline once per monomial of `p` (the loop is `add`'s, inlined: it is
    the hot path of `ring` and `nlinarith`)."""
    out: Poly = {}
    for ma, ca in p.items():
        deadline.check()
        for mb, cb in q.items():
            m = mono_mul(ma, mb)
            v = out.get(m, 0) + ca * cb
            if v:
                out[m] = v
            else:
                out.pop(m, None)
    return out


@overload
def power(p: Poly, n: int, deadline: Deadline = UNBOUNDED, max_terms: None = None) -> Poly: ...


@overload
def power(p: Poly, n: int, deadline: Deadline = UNBOUNDED, *, max_terms: int) -> Poly | None: ...


def power(p: Poly, n: int, deadline: Deadline = UNBOUNDED, max_terms: int | None = None) -> Poly | None:
    """`p ^ n` for `n ≥ 0`.

    Without `max_terms`, by repeated squaring. With it, one factor at a time, and None before
    any step `p^k * p` that could produce more than `max_terms` monomials: the guard has to
    see every partial power (term counts of powers are not monotone), so it sets the method.
    """
    if max_terms is not None:
        out = const(1)
        for _ in range(n):
            if len(out) * len(p) > max_terms:
                return None
            out = mul(out, p, deadline)
        return out
    out, base = const(1), p
    while n:
        if n & 1:
            out = mul(out, base, deadline)
        n >>= 1
        if n:
            base = mul(base, base, deadline)
    return out
