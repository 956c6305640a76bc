"""`ring` and `ring_nf`: commutative (semi)ring normalization over atoms.

A term becomes a polynomial (monomial -> integer coefficient) over *atoms*: every subterm
that is not a ring operation. What counts as a ring operation follows Mathlib's `ring`:

- `+`, `*`, numerals, and `x ^ n` with a numeral exponent (after evaluating a closed
  exponent such as `1 + 1`). A power with an ℤ or ℝ exponent (`zpow`, `rpow`) is an atom.
- exponent arithmetic, as Mathlib's `ring` does it: an exponent is itself a ℕ polynomial,
  `a ^ (e₁ + e₂) = a ^ e₁ * a ^ e₂`, `a ^ (k * m) = (a ^ m) ^ k` for a numeral `k`, and a
  power of a product is the product of the powers, `(2 * x) ^ m = 2 ^ m * x ^ m`. So
  `x ^ m` (m a product of atoms) is an atom of its own, `(x ^ n) ^ m = x ^ (n * m)`; `4 ^ n` and `2 ^ (2 * n)` stay
  different (numerals are not factored, as in Mathlib).
- on ℤ, ℚ and ℝ, binary and unary `-`. On ℕ, `a - b` is truncated and so an atom, as are
  `/` and `%` on ℕ and ℤ (they are not fields).
- on ℚ and ℝ (fields), `a / b = a * b⁻¹`, numerals invert (`x / 2 = x * (1 / 2)`,
  `0⁻¹ = 0`), and `⁻¹` distributes over a product of atoms (`(2 * x * y)⁻¹ = 1/2 * x⁻¹ * y⁻¹`,
  true in any field where `0⁻¹ = 0`); the inverse of an atom, or of a sum, is an atom. So
  `x * x⁻¹` stays as it is: `x / x = 1` is false at `x = 0`, and `ring` does not prove it
  (`field_simp` does, given `x ≠ 0`).
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

from fractions import Fraction

from lean_env.mini import poly as P
from lean_env.mini.context import replace_type, with_target
from lean_env.mini.errors import UNBOUNDED, Deadline, TacticFailure
from lean_env.mini.poly import Coeff, Monomial, Poly
from lean_env.mini.semantics import NotEvaluable, arith, field_power, power
from lean_env.mini.terms import (
    FIELDS,
    NAT,
    NUMBERS,
    App,
    Arith,
    Arrow,
    Cast,
    Const,
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


def _nat_constant(p: Poly) -> int | None:
    """The value of a constant ℕ/ℤ polynomial (an int: numerals, `+ - *`, numeral powers and
    Lean's ℕ/ℤ operations keep coefficients integral; only fields make Fractions)."""
    v = P.constant_value(p)
    if v is None:
        return None
    assert isinstance(v, int) or v.denominator == 1, v
    return int(v)


def _coeff_power(c: Coeff, n: int) -> Coeff:
    return power(c, n) if isinstance(c, int) else field_power(c, n)


def _inv(t: Term, ty: Ty) -> Term:
    return App(Const("Inv.inv", Arrow(ty, ty)), (t,), ty)


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
            return {tuple((i, e * n) for i, e in m): _coeff_power(c, n) for m, c in p.items()}
        return P.power(p, n, self.deadline)

    def symbolic_power(self, pa: Poly, pe: Poly, ty: Ty) -> Poly:
        """`a ^ e` for a non-constant ℕ exponent `e`: `a ^ (c₀ + Σ cᵢ mᵢ) = a ^ c₀ * Π (a ^ mᵢ) ^ cᵢ`,
        and `a ^ m` of one monomial `c * Π xⱼ ^ eⱼ` is `c ^ m * Π (xⱼ ^ m) ^ eⱼ`."""
        c0 = pe.get(P.ONE, 0)
        assert isinstance(c0, int), c0
        out = self.power(pa, c0)
        for m, c in pe.items():
            if m == P.ONE:
                continue
            assert isinstance(c, int) and c > 0, c  # ℕ polynomials have positive integer coefficients
            exponent = self._monomial(m, 1, NAT)
            out = P.mul(out, self.power(self._power_of_monomial(pa, exponent, ty), c), self.deadline)
        return out

    def _power_of_monomial(self, pa: Poly, exponent: Term, ty: Ty) -> Poly:
        if len(pa) == 1:
            ((m, coeff),) = pa.items()
            q = Fraction(coeff)  # a field's integral coefficient reads as the integer it is
            if q.denominator == 1 and q > 0:  # `(2 * x) ^ m = 2 ^ m * x ^ m` (mul_pow)
                c = int(q)
                out = P.const(1) if c == 1 else self.atom(Arith("^", Lit(c, ty), exponent, ty))
                for i, e in m:
                    x = self.atoms[i]
                    if isinstance(x, Arith) and x.op == "^" and type_of(x.rhs) == NAT:  # pow_mul, ℕ exponents only
                        xm = self.poly(Arith("^", x.lhs, Arith("*", x.rhs, exponent, NAT), ty))
                    else:
                        xm = self.atom(Arith("^", x, exponent, ty))
                    out = P.mul(out, self.power(xm, e), self.deadline)
                return out
        if not pa:  # `0 ^ m` is 1 at m = 0: an atom
            return self.atom(Arith("^", Lit(0, ty), exponent, ty))
        return self.atom(Arith("^", self.render(pa, ty), exponent, ty))

    def inverse(self, p: Poly, ty: Ty) -> Poly:
        """`p⁻¹` in a field: numerals invert, `⁻¹` distributes over one monomial (`mul_inv`,
        `inv_pow`), anything else is an atom."""
        if not p:
            return {}  # 0⁻¹ = 0
        if len(p) == 1:
            ((m, c),) = p.items()
            out: Poly = P.const(1 / Fraction(c))
            for i, e in m:
                out = P.mul(out, self.power(self.atom(_inv(self.atoms[i], ty)), e), self.deadline)
            return out
        return self.atom(_inv(self.render(p, ty), ty))

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
            case Arith(op="/", lhs=a, rhs=b, ty=ty) if ty in FIELDS:
                return P.mul(self.poly(a), self.inverse(self.poly(b), ty), self.deadline)
            case App(fn=Const(name="Inv.inv"), args=(a,), ty=ty) if ty in FIELDS:
                return self.inverse(self.poly(a), ty)
            case Arith(op="^", lhs=a, rhs=b, ty=ty) if type_of(b) != NAT:  # zpow, rpow: atoms
                return self.atom(Arith("^", self.normalize(a), self.normalize(b), ty))
            case Arith(op="^", lhs=a, rhs=b, ty=ty):
                pa, pb = self.poly(a), self.poly(b)
                n = _nat_constant(pb)
                try:
                    return self.power(pa, n) if n is not None else self.symbolic_power(pa, pb, ty)
                except NotEvaluable:  # too large to expand: keep the power as an atom
                    return self.atom(Arith("^", self.render(pa, ty), self.render(pb, NAT), ty))
            case Arith(op=op, lhs=a, rhs=b, ty=ty):  # ℕ `-`; ℕ/ℤ `/`, `%`
                pa, pb = self.poly(a), self.poly(b)
                va, vb = _nat_constant(pa), _nat_constant(pb)
                if va is not None and vb is not None:
                    return P.const(arith(op, va, vb, ty))
                return self.atom(Arith(op, self.render(pa, ty), self.render(pb, ty), ty))
            case Cast(arg=a, ty=ty):
                pa = self.poly(a)
                vc = P.constant_value(pa)
                if vc is not None:
                    return P.const(vc)
                return self.atom(Cast(self.render(pa, type_of(a)), ty))
            case App(fn=fn, args=args, ty=ty):
                return self.atom(App(fn, tuple(self.normalize(x) for x in args), ty))
            case _:
                return self.atom(t)

    def normalize(self, t: Term) -> Term:
        """`t` in normal form if numeric; propositions and functions are returned as they are."""
        ty = type_of(t)
        if ty not in NUMBERS:
            return t
        return self.render(self.poly(t), ty)

    def render(self, p: Poly, ty: Ty) -> Term:
        """The term Mathlib's `ring_nf` would print for polynomial `p` (best effort)."""
        if not p:
            return Lit(0, ty)
        out: Term | None = None
        for m in sorted(p, key=_sort_key):
            c = p[m]
            if out is None:
                out = self._monomial(m, c, ty) if c > 0 else self._negated(m, -c, ty)
            elif c > 0:
                out = Arith("+", out, self._monomial(m, c, ty), ty)
            else:
                out = Arith("-", out, self._monomial(m, -c, ty), ty)
        assert out is not None
        return out

    def _monomial(self, m: Monomial, c: Coeff, ty: Ty) -> Term:
        """`x * y ^ 2 * c` for c > 0 (the coefficient omitted when 1; `(1 / 2)` when not integral)."""
        out: Term | None = None
        for i, e in m:
            f = self.atoms[i] if e == 1 else Arith("^", self.atoms[i], Lit(e, NAT), ty)
            out = f if out is None else Arith("*", out, f, ty)
        if out is None:
            return _numeral(c, ty)
        return out if c == 1 else Arith("*", out, _numeral(c, ty), ty)

    def _negated(self, m: Monomial, c: Coeff, ty: Ty) -> Term:
        if not m:
            return Neg(_numeral(c, ty), ty)
        return Neg(self._monomial(m, c, ty), ty)


def _numeral(c: Coeff, ty: Ty) -> Term:
    """A positive coefficient as Mathlib's `ring_nf` prints it: `3`, or `3 / 2` on a field."""
    q = Fraction(c)
    if q.denominator == 1:
        return Lit(q.numerator, ty)
    return Arith("/", Lit(q.numerator, ty), Lit(q.denominator, ty), ty)


# ---------------------------------------------------------------- public API


def ring_equal(lhs: Term, rhs: Term, deadline: Deadline = UNBOUNDED) -> bool:
    """Whether `lhs` and `rhs` are equal as commutative-ring polynomials over their atoms."""
    if type_of(lhs) != type_of(rhs) or type_of(lhs) not in NUMBERS:
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
    if not (isinstance(t, Rel) and t.op == "=" and type_of(t.lhs) in NUMBERS):
        raise TacticFailure("ring failed: not an equality")
    if not ring_equal(t.lhs, t.rhs, deadline):
        raise TacticFailure("ring failed to prove equality")


def _nf_prop(n: RingNormalizer, p: Term) -> Term:
    """Normalize every maximal numeric subterm of a proposition."""
    if type_of(p) in NUMBERS:
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
