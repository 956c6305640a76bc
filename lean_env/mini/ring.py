"""`ring` and `ring_nf`: commutative (semi)ring normalization over atoms.

A term becomes a polynomial (monomial -> integer coefficient) over *atoms*: every subterm
that is not a ring operation. What counts as a ring operation follows Mathlib's `ring`:

- `+`, `*`, numerals, and `x ^ n` with a numeral exponent (after evaluating a closed
  exponent such as `1 + 1`). A non-numeral exponent makes `x ^ n` an atom: no exponent
  arithmetic (Mathlib does some; we do not).
- on ℤ, binary and unary `-`. On ℕ, `a - b` is truncated and so an atom, as are `/` and `%`
  on both types (ℕ and ℤ are not fields).
- casts `↑a` are atoms: `ring` does not push casts (`push_cast` does), so `↑(a + b)` and
  `↑a + ↑b` are different for `ring`.
- closed subterms fold: `5 - 7` on ℕ is `0`, `7 / 2` is `3`, `↑3` is `3`.

Atoms are compared after normalizing their own arguments, so `f (a + b)` and `f (b + a)` are
the same atom: Mathlib's `ring` falls back on `ring_nf`, which normalizes inside atoms, and
closes such goals.

`ring_nf` prints a normal form close to Mathlib's: monomials by ascending degree, then
lexicographically by (atom index, exponent); atoms numbered in order of first encounter
(left to right); numeral coefficient last (`x * 2`); constant first (`1 + x * 2 + x ^ 2`);
negative coefficients as subtraction (`x - y * 3`), a leading negative one as `-x` or
`-(x * 3)`. Agreement with Mathlib's printing is best effort.
"""

from __future__ import annotations

from lean_env.mini import poly as P
from lean_env.mini.context import replace_type, with_target
from lean_env.mini.errors import UNBOUNDED, Deadline, TacticFailure
from lean_env.mini.poly import Coeff, Monomial, Poly
from lean_env.mini.semantics import NotEvaluable, arith, power
from lean_env.mini.terms import (
    NAT,
    NUMERIC,
    App,
    Arith,
    Cast,
    Goal,
    Lit,
    Neg,
    Rel,
    Term,
    Ty,
    map_children,
    type_of,
)

# ---------------------------------------------------------------- normalizer


def _sort_key(m: Monomial) -> tuple[int, Monomial]:
    return (sum(e for _, e in m), m)


def _int(c: Coeff) -> int:
    """A coefficient of a `ring` polynomial: always an int (numerals, `+ - *`, numeral powers and
    Lean's ℕ/ℤ operations keep it one; only `linarith` builds Fraction coefficients)."""
    assert isinstance(c, int), c
    return c


def _constant(p: Poly) -> int | None:
    """`P.constant_value` of a `ring` polynomial (an int, see `_int`)."""
    v = P.constant_value(p)
    return None if v is None else _int(v)


class RingNormalizer:
    """Turns terms into polynomials over a shared, growing table of atoms (one per tactic call)."""

    def __init__(self, deadline: Deadline = UNBOUNDED) -> None:
        self.deadline = deadline
        self.atoms: list[Term] = []
        self.index: dict[Term, int] = {}

    def atom(self, t: Term) -> Poly:
        i = self.index.get(t)
        if i is None:
            i = self.index[t] = len(self.atoms)
            self.atoms.append(t)
        return P.atom(i)

    def power(self, p: Poly, n: int) -> Poly:
        """`p ^ n`; NotEvaluable when a coefficient would be too large to compute."""
        if n and len(p) <= 1:  # one monomial (or zero): exponents scale, the coefficient is a power
            return {tuple((i, e * n) for i, e in m): power(_int(c), n) for m, c in p.items()}
        return P.power(p, n, self.deadline)

    def poly(self, t: Term) -> Poly:
        """The polynomial of a numeric term."""
        self.deadline.check()
        match t:
            case Lit(value=v):
                return P.const(v)
            case Neg(arg=a):
                return P.scale(self.poly(a), -1)
            case Arith(op="+", lhs=a, rhs=b):
                return P.add(self.poly(a), self.poly(b))
            case Arith(op="*", lhs=a, rhs=b):
                return P.mul(self.poly(a), self.poly(b), self.deadline)
            case Arith(op="-", lhs=a, rhs=b, ty=ty) if ty != NAT:
                return P.add(self.poly(a), self.poly(b), -1)
            case Arith(op="^", lhs=a, rhs=b, ty=ty):
                pa, pb = self.poly(a), self.poly(b)
                n = _constant(pb)
                if n is not None:
                    try:
                        return self.power(pa, n)
                    except NotEvaluable:
                        pass  # too large to expand: keep the power as an atom
                return self.atom(Arith("^", self.render(pa, ty), self.render(pb, NAT), ty))
            case Arith(op=op, lhs=a, rhs=b, ty=ty):  # ℕ `-`, `/`, `%`
                pa, pb = self.poly(a), self.poly(b)
                va, vb = _constant(pa), _constant(pb)
                if va is not None and vb is not None:
                    return P.const(arith(op, va, vb, ty))
                return self.atom(Arith(op, self.render(pa, ty), self.render(pb, ty), ty))
            case Cast(arg=a, ty=ty):
                pa = self.poly(a)
                va = _constant(pa)
                if va is not None:
                    return P.const(va)
                return self.atom(Cast(self.render(pa, type_of(a)), ty))
            case App(fn=fn, args=args, ty=ty):
                return self.atom(App(fn, tuple(self.normalize(x) for x in args), ty))
            case _:
                return self.atom(t)

    def normalize(self, t: Term) -> Term:
        """`t` in normal form if numeric; propositions and functions are returned as they are."""
        ty = type_of(t)
        if ty not in NUMERIC:
            return t
        return self.render(self.poly(t), ty)

    def render(self, p: Poly, ty: Ty) -> Term:
        """The term Mathlib's `ring_nf` would print for polynomial `p` (best effort)."""
        if not p:
            return Lit(0, ty)
        out: Term | None = None
        for m in sorted(p, key=_sort_key):
            c = _int(p[m])
            if out is None:
                out = self._monomial(m, c, ty) if c > 0 else self._negated(m, -c, ty)
            elif c > 0:
                out = Arith("+", out, self._monomial(m, c, ty), ty)
            else:
                out = Arith("-", out, self._monomial(m, -c, ty), ty)
        assert out is not None
        return out

    def _monomial(self, m: Monomial, c: int, ty: Ty) -> Term:
        """`x * y ^ 2 * c` for c > 0 (the coefficient omitted when 1)."""
        out: Term | None = None
        for i, e in m:
            f = self.atoms[i] if e == 1 else Arith("^", self.atoms[i], Lit(e, NAT), ty)
            out = f if out is None else Arith("*", out, f, ty)
        if out is None:
            return Lit(c, ty)
        return out if c == 1 else Arith("*", out, Lit(c, ty), ty)

    def _negated(self, m: Monomial, c: int, ty: Ty) -> Term:
        if not m:
            return Neg(Lit(c, ty), ty)
        return Neg(self._monomial(m, c, ty), ty)


# ---------------------------------------------------------------- public API


def ring_equal(lhs: Term, rhs: Term, deadline: Deadline = UNBOUNDED) -> bool:
    """Whether `lhs` and `rhs` are equal as commutative-ring polynomials over their atoms."""
    if type_of(lhs) != type_of(rhs) or type_of(lhs) not in NUMERIC:
        return False
    n = RingNormalizer(deadline)
    return n.poly(lhs) == n.poly(rhs)


def ring_nf_term(t: Term, deadline: Deadline = UNBOUNDED) -> Term:
    """The normal form `ring_nf` gives a numeric term."""
    return RingNormalizer(deadline).normalize(t)


def ring(goal: Goal, deadline: Deadline = UNBOUNDED) -> None:
    """Close `a = b` when both sides are equal as polynomials.

    Mathlib's `ring` falls back on `ring_nf` and, if that does not close the goal, leaves the
    normalized goal with a "Try this: ring_nf" hint. Here `ring` fails instead; `ring_nf` is
    its own tactic.
    """
    t = goal.target
    if not (isinstance(t, Rel) and t.op == "=" and type_of(t.lhs) in NUMERIC):
        raise TacticFailure("ring failed: not an equality")
    if not ring_equal(t.lhs, t.rhs, deadline):
        raise TacticFailure("ring failed to prove equality")


def _nf_prop(n: RingNormalizer, p: Term) -> Term:
    """Normalize every maximal numeric subterm of a proposition."""
    if type_of(p) in NUMERIC:
        return n.normalize(p)
    if isinstance(p, App):
        return App(p.fn, tuple(n.normalize(a) for a in p.args), p.ty)
    return map_children(p, lambda c: _nf_prop(n, c))


def ring_nf(goal: Goal, deadline: Deadline = UNBOUNDED, at: str | None = None) -> Goal | None:
    """Normalize the target (or the hypothesis with id `at`); close it if it becomes `a = a`.

    Fails with "ring_nf failed" when nothing changes, as Mathlib does.
    """
    n = RingNormalizer(deadline)
    if at is None:
        new = _nf_prop(n, goal.target)
        if new == goal.target:
            raise TacticFailure("ring_nf failed")
        if isinstance(new, Rel) and new.op == "=" and new.lhs == new.rhs:
            return None
        return with_target(goal, new)
    h = goal.get(at)
    if h is None or h.is_var:
        raise TacticFailure("ring_nf failed")
    new = _nf_prop(n, h.prop)
    if new == h.prop:
        raise TacticFailure("ring_nf failed")
    return replace_type(goal, at, new)
