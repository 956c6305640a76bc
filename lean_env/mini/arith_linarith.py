"""`linarith` and `nlinarith`, following Mathlib's recipe.

Comparison hypotheses (and the negated target) become facts `p ≥ 0`, `p > 0`, `p = 0` over
polynomials; ℕ atoms get `≥ 0`; strict comparisons between integers are strengthened
(`a < b` to `a + 1 ≤ b`, Mathlib's `strengthenStrictInt`), those over ℚ/ℝ stay strict. Each
non-constant monomial is then an independent real unknown and z3 decides the linear relaxation
over ℚ: unsatisfiable means proved. That is sound, because any counterexample to the goal
(integers where the type is ℕ/ℤ) is also a model of the relaxation. Mathlib runs linarith on
each type's comparisons separately (ℕ's joining ℤ's); here they share one relaxation, which
decides the same thing: the types share no atom (a cast into ℚ/ℝ is an atom), so the union
is contradictory exactly when one type's part is. `nlinarith` first adds `sq_nonneg` facts
for the squares it sees and the pairwise products of the facts of one type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import z3

from lean_env.mini import poly as P
from lean_env.mini.arith_common import is_number, z3_unsat
from lean_env.mini.arith_poly import MAX_TERMS, PolyReader
from lean_env.mini.errors import Deadline, TacticFailure
from lean_env.mini.terms import (
    FIELDS,
    INT,
    NAT,
    And,
    Arith,
    Goal,
    Lit,
    Not,
    Rel,
    Term,
    Ty,
    alpha_eq,
    subterms,
    type_of,
)

FAILURE = "linarith failed to find a contradiction"
MAX_PRODUCT_FACTS = 40  # nlinarith multiplies pairs among at most this many facts

Comparison = tuple[str, Term, Term]
_FLIP = {"<": "≥", "≤": ">", ">": "≤", "≥": "<"}  # ¬(a < b) is a ≥ b, ...


@dataclass(frozen=True)
class _Fact:
    """`poly rel 0` with rel one of `≥`, `>`, `=`, about numbers of type `ty` (ℕ facts count as ℤ)."""

    poly: P.Poly
    rel: str
    ty: Ty = INT


def _comparison(p: Term) -> Comparison | None:
    """`a R b` over ℕ/ℤ for R in `= < ≤ > ≥`; `¬` of an inequality is turned around."""
    match p:
        case Rel(op=op, lhs=a, rhs=b) if op in ("=", *_FLIP) and is_number(a) and is_number(b):
            return op, a, b
        case Not(arg=Rel(op=op, lhs=a, rhs=b)) if op in _FLIP and is_number(a) and is_number(b):
            return _FLIP[op], a, b
    return None


def _negated_targets(target: Term) -> list[list[Comparison]]:
    """One list of extra hypotheses per run: Mathlib splits `=` into two, negates an
    inequality, intros a negated comparison, and otherwise (after `exfalso`) adds nothing."""
    match target:
        case Rel(op="=", lhs=a, rhs=b) if is_number(a) and is_number(b):
            return [[("<", a, b)], [(">", a, b)]]
        case Rel(op=op, lhs=a, rhs=b) if op in _FLIP and is_number(a) and is_number(b):
            return [[(_FLIP[op], a, b)]]
        case Rel(op="≠", lhs=a, rhs=b) if is_number(a) and is_number(b):
            return [[("=", a, b)]]
        case Not(arg=inner) if (c := _comparison(inner)) is not None:
            return [[c]]
    return [[]]


def _fact(reader: PolyReader, c: Comparison) -> _Fact:
    op, a, b = c
    ty = type_of(a)
    ty = INT if ty == NAT else ty  # natToInt: ℕ facts are ℤ facts
    pa, pb = reader.read(a), reader.read(b)
    if op in ("<", ">") and ty in FIELDS:
        return _Fact(P.add(pb, pa, -1) if op == "<" else P.add(pa, pb, -1), ">", ty)
    match op:
        case "=":
            return _Fact(P.add(pa, pb, -1), "=", ty)
        case "≤":
            return _Fact(P.add(pb, pa, -1), "≥", ty)
        case "≥":
            return _Fact(P.add(pa, pb, -1), "≥", ty)
        case "<":  # integer-valued: a < b iff a + 1 ≤ b
            return _Fact(P.add(P.add(pb, pa, -1), P.const(-1)), "≥", ty)
        case _:  # ">"
            return _Fact(P.add(P.add(pa, pb, -1), P.const(-1)), "≥", ty)


def _square_bases(comparisons: list[Comparison]) -> list[Term]:
    """Every `a` such that `a ^ 2` or `a * a` occurs in the comparisons (Mathlib's findSquares)."""
    found: list[Term] = []
    for _, lhs, rhs in comparisons:
        for side in (lhs, rhs):
            for s in subterms(side):
                match s:
                    case Arith(op="^", lhs=a, rhs=Lit(value=2)):
                        base = a
                    case Arith(op="*", lhs=a, rhs=b) if alpha_eq(a, b):
                        base = a
                    case _:
                        continue
                if not any(alpha_eq(base, f) for f in found):
                    found.append(base)
    return found


def _product(f: _Fact, g: _Fact) -> _Fact | None:
    if f.ty != g.ty or len(f.poly) * len(g.poly) > MAX_TERMS:  # Mathlib multiplies within a type
        return None
    if "=" in (f.rel, g.rel):
        rel = "="
    elif f.rel == g.rel == ">":
        rel = ">"
    else:
        rel = "≥"
    return _Fact(P.mul(f.poly, g.poly), rel, f.ty)


def _real(c: P.Coeff) -> z3.ArithRef:
    """A coefficient as a z3 rational (an int coefficient, as `P.const(-1)` leaves, is n/1)."""
    return z3.RealVal(f"{c.numerator}/{c.denominator}")


def _relaxation_unsat(facts: list[_Fact], deadline: Deadline) -> bool:
    """Decide the facts over ℚ with every non-constant monomial an independent unknown."""
    unknowns: dict[P.Monomial, z3.ArithRef] = {}
    constraints = []
    for f in facts:
        terms = []
        for m, c in f.poly.items():
            if m == P.ONE:
                terms.append(_real(c))
                continue
            if m not in unknowns:
                unknowns[m] = z3.Real(f"m{len(unknowns)}")
            terms.append(_real(c) * unknowns[m])
        e = z3.Sum(terms) if terms else _real(Fraction(0))
        constraints.append(e == 0 if f.rel == "=" else e > 0 if f.rel == ">" else e >= 0)
    return z3_unsat(constraints, deadline)


def _refutes(
    hyps: list[Term], negated: list[Comparison], deadline: Deadline, nonlinear: bool
) -> bool:
    """Whether the comparisons among `hyps`, plus `negated`, are contradictory."""
    reader = PolyReader()
    comparisons = negated + [c for c in map(_comparison, hyps) if c is not None]
    facts = [_fact(reader, c) for c in comparisons]
    squares = []
    if nonlinear:
        for base in _square_bases(comparisons):
            p = reader.read(base)
            ty = type_of(base)
            if len(p) ** 2 <= MAX_TERMS:
                squares.append(_Fact(P.mul(p, p), "≥", INT if ty == NAT else ty))
    facts += [_Fact(P.atom(i, Fraction(1)), "≥") for i, nat in enumerate(reader.atoms.nat) if nat]
    facts += squares
    if nonlinear:
        pool = facts[:MAX_PRODUCT_FACTS]
        products = []
        for i, f in enumerate(pool):
            deadline.check()
            for g in pool[i:]:
                prod = _product(f, g)
                if prod is not None:
                    products.append(prod)
        facts += products
    return _relaxation_unsat(facts, deadline)


def _split_conjunctions(p: Term) -> list[Term]:
    """Mathlib's linarith splits `∧` in hypotheses (`splitHypotheses`, on by default)."""
    if isinstance(p, And):
        return _split_conjunctions(p.lhs) + _split_conjunctions(p.rhs)
    return [p]


def _run(goal: Goal, deadline: Deadline, extra: Sequence[Term], nonlinear: bool) -> None:
    deadline.check()
    facts = [loc.prop for loc in goal.hyps()] + list(extra)
    hyps = [q for p in facts for q in _split_conjunctions(p)]
    for negated in _negated_targets(goal.target):
        if not _refutes(hyps, negated, deadline, nonlinear):
            raise TacticFailure(FAILURE)
    return None


def linarith(goal: Goal, deadline: Deadline, extra: Sequence[Term] = ()) -> None:
    """Mathlib's `linarith`: a linear combination of the comparison facts is contradictory."""
    return _run(goal, deadline, extra, nonlinear=False)


def nlinarith(goal: Goal, deadline: Deadline, extra: Sequence[Term] = ()) -> None:
    """Mathlib's `nlinarith`: `linarith` after adding squares and pairwise products."""
    return _run(goal, deadline, extra, nonlinear=True)
