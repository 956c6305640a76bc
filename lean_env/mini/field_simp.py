"""`field_simp`: clear the denominators of a field (in)equation, given nonzero denominators.

Mathlib's `field_simp` moves every `/` and `⁻¹` of a ℚ/ℝ relation outwards and cross-multiplies,
as far as its discharger proves the denominators nonzero. Here each side becomes a fraction
`n / (d₁ * ... * d_k)` with every dᵢ proved nonzero, and `n₁ / D₁ = n₂ / D₂` becomes
`n₁ * (L / D₁) = n₂ * (L / D₂)` for `L` the least common multiple of the factor lists (factors
compared by their `ring` normal form): `3 + 1 / x = 7 / x` with `x ≠ 0` becomes `3 * x + 1 = 7`.
A quotient whose denominator is not proved nonzero stays as it is (an atom), as in Mathlib.

The discharger (what proves `d ≠ 0`) is `positivity`'s judgement of `d`, hypotheses included
(`h : x ≠ 0`, `0 < x`, and products and powers of such), and the facts passed as arguments
(`field_simp [hx]`). Not `sub_ne_zero`: `x - 3 ≠ 0` is not read off `x ≠ 3`, state it first.
`=` and `≠` need nonzero denominators; `<`/`≤` need positive ones (`div_le_iff`). Every step is
multiplication of both sides by a nonzero (positive) number, so the new relation is equivalent.
"""

from __future__ import annotations

from collections import Counter

from lean_env.mini.arith_positivity import NONZERO, POS, prover_for
from lean_env.mini.context import replace_type, with_target
from lean_env.mini.errors import UNBOUNDED, Deadline, TacticFailure
from lean_env.mini.ring import ring_equal, ring_nf_term
from lean_env.mini.terms import FIELDS, NAT, App, Arith, Const, Goal, Lit, Neg, Rel, Term, Ty, type_of

NO_PROGRESS = "field_simp made no progress"
Fraction_ = tuple[Term, list[Term]]  # numerator, nonzero denominator factors


class _Clearer:
    def __init__(self, hyps: list[Term], deadline: Deadline) -> None:
        self.judge = prover_for(hyps, deadline)
        self.deadline = deadline
        self.keys: dict[Term, Term] = {}

    def nonzero(self, d: Term) -> bool:
        return self.judge(d) in (POS, NONZERO)

    def positive(self, d: Term) -> bool:
        return self.judge(d) is POS

    def key(self, d: Term) -> Term:
        if d not in self.keys:
            self.keys[d] = ring_nf_term(d, self.deadline)
        return self.keys[d]

    def frac(self, t: Term) -> Fraction_:
        self.deadline.check()
        ty = type_of(t)
        match t:
            case Arith(op="/", lhs=a, rhs=b):
                return self.divide(self.frac(a), self.frac(b), t, ty)
            case App(fn=Const(name="Inv.inv"), args=(b,)):
                return self.divide((Lit(1, ty), []), self.frac(b), t, ty)
            case Arith(op="+" | "-" as op, lhs=a, rhs=b):
                (na, da), (nb, db) = self.frac(a), self.frac(b)
                common = self.lcm(da, db)
                left, right = _times(na, self.rest(common, da), ty), _times(nb, self.rest(common, db), ty)
                return Arith(op, left, right, ty), common
            case Arith(op="*", lhs=a, rhs=b):
                (na, da), (nb, db) = self.frac(a), self.frac(b)
                return Arith("*", na, nb, ty), da + db
            case Arith(op="^", lhs=a, rhs=e) if type_of(e) == NAT:
                na, da = self.frac(a)
                return Arith("^", na, e, ty), [Arith("^", d, e, ty) for d in da]  # pow_ne_zero
            case Neg(arg=a):
                na, da = self.frac(a)
                return Neg(na, ty), da
        return t, []

    def divide(self, a: Fraction_, b: Fraction_, whole: Term, ty: Ty) -> Fraction_:
        (na, da), (nb, db) = a, b
        if not self.nonzero(nb):
            return whole, []  # not known nonzero: the quotient stays whole
        return _times(na, db, ty), [*da, nb]

    def lcm(self, da: list[Term], db: list[Term]) -> list[Term]:
        ca, cb = Counter(self.key(d) for d in da), Counter(self.key(d) for d in db)
        out = list(da)
        extra = cb - ca
        for d in db:
            k = self.key(d)
            if extra[k] > 0:
                out.append(d)
                extra[k] -= 1
        return out

    def rest(self, common: list[Term], part: list[Term]) -> list[Term]:
        """`common` with the factors of `part` taken out (`part` divides `common`)."""
        left = Counter(self.key(d) for d in part)
        out: list[Term] = []
        for d in common:
            k = self.key(d)
            if left[k] > 0:
                left[k] -= 1
            else:
                out.append(d)
        return out


def _times(n: Term, factors: list[Term], ty: Ty) -> Term:
    """`n * d₁ * ... * d_k`, without a leading `1 *`."""
    for d in factors:
        n = d if n == Lit(1, ty) else Arith("*", n, d, ty)
    return n


def clear(prop: Term, hyps: list[Term], deadline: Deadline) -> Term | None:
    """The relation `prop` with its denominators cleared; None when nothing changes."""
    if not (isinstance(prop, Rel) and prop.op in ("=", "≠", "<", "≤", ">", "≥") and type_of(prop.lhs) in FIELDS):
        return None
    ty = type_of(prop.lhs)
    c = _Clearer(hyps, deadline)
    (nl, dl), (nr, dr) = c.frac(prop.lhs), c.frac(prop.rhs)
    if not dl and not dr:
        return None
    common = c.lcm(dl, dr)
    if prop.op not in ("=", "≠") and not all(c.positive(d) for d in common):
        return None  # an order needs positive denominators
    return Rel(prop.op, _times(nl, c.rest(common, dl), ty), _times(nr, c.rest(common, dr), ty))


def field_simp(goal: Goal, deadline: Deadline = UNBOUNDED, at: str | None = None,
               facts: tuple[Term, ...] = ()) -> Goal | None:
    """`field_simp` at the target (or the hypothesis with id `at`); None when the target
    becomes `a = a`."""
    hyps = [loc.prop for loc in goal.hyps() if loc.fid != at] + list(facts)
    if at is None:
        new = clear(goal.target, hyps, deadline)
        if new is None:
            raise TacticFailure(NO_PROGRESS)
        if isinstance(new, Rel) and new.op == "=" and ring_equal(new.lhs, new.rhs, deadline):
            return None  # Mathlib's field_simp ends with ring_nf, which closes `x = 1 * x`
        return with_target(goal, new)
    h = goal.get(at)
    if h is None or h.is_var:
        raise TacticFailure(NO_PROGRESS)
    new = clear(h.prop, hyps, deadline)
    if new is None:
        raise TacticFailure(NO_PROGRESS)
    return replace_type(goal, at, new)
