"""`positivity`, following Mathlib: a syntactic recursion over the term that proves `0 < e`,
`0 ≤ e` or `e ≠ 0` from the shape of `e`, numerals, ℕ being nonnegative, and hypotheses
`c ≤ a` / `c < a` / `a = c` / `a ≠ 0` (c a numeral) about subterms."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from lean_env.mini.arith_common import eval_ground, head_name
from lean_env.mini.errors import Deadline, TacticFailure
from lean_env.mini.semantics import Number
from lean_env.mini.terms import (
    FIELDS,
    INT,
    NAT,
    REAL,
    App,
    Arith,
    Cast,
    Goal,
    Lit,
    Rel,
    Term,
    alpha_eq,
    type_of,
)


class _S(Enum):
    """What is known about a term: Mathlib's `Strictness`."""

    NONE = "none"
    NONZERO = "nonzero"
    NONNEG = "nonnegative"
    POS = "positive"


NONE, NONZERO, NONNEG, POS = _S.NONE, _S.NONZERO, _S.NONNEG, _S.POS
_AT_LEAST_NONNEG = (POS, NONNEG)
_AT_LEAST_NONZERO = (POS, NONZERO)
NOT_A_GOAL = "not a positivity goal"


def _or_else(a: _S, b: _S) -> _S:
    """Combine two results for the same term (nonnegative and nonzero give positive)."""
    if a is NONE:
        return b
    if POS in (a, b) or {a, b} == {NONNEG, NONZERO}:
        return POS
    return a


def _sign_of_value(v: Number | None) -> _S:
    if v is None:
        return NONE
    return POS if v > 0 else NONNEG if v == 0 else NONZERO


class _Prover:
    def __init__(self, hyps: list[Term], deadline: Deadline) -> None:
        self.hyps = hyps
        self.deadline = deadline

    def core(self, e: Term) -> _S:
        self.deadline.check()
        r = _or_else(self.extension(e), _sign_of_value(eval_ground(e)))
        if type_of(e) == NAT:
            r = _or_else(r, NONNEG)
        if r is POS:
            return r
        for h in self.hyps:
            r = _or_else(r, _compare_hyp(h, e))
        return r

    def extension(self, e: Term) -> _S:
        match e:
            case Arith(op="+", lhs=a, rhs=b):
                ra, rb = self.core(a), self.core(b)
                if ra in _AT_LEAST_NONNEG and rb in _AT_LEAST_NONNEG:
                    return POS if POS in (ra, rb) else NONNEG
            case Arith(op=("*" | "/") as op, lhs=a, rhs=b, ty=ty) if op == "*" or ty in FIELDS:
                # mul_pos, mul_nonneg, mul_ne_zero; on a field div_pos, div_nonneg, div_ne_zero
                ra, rb = self.core(a), self.core(b)
                if ra is POS and rb is POS:
                    return POS
                if ra in _AT_LEAST_NONNEG and rb in _AT_LEAST_NONNEG:
                    return NONNEG
                if ra in _AT_LEAST_NONZERO and rb in _AT_LEAST_NONZERO:
                    return NONZERO
            case Arith(op="^", lhs=a, rhs=n):
                return self.power(a, n)
            case Arith(op="/", lhs=a, rhs=b, ty=ty) if ty == INT:
                ra, rb = self.core(a), self.core(b)
                if ra is POS and rb is POS and alpha_eq(a, b):
                    return POS
                if ra in _AT_LEAST_NONNEG and rb in _AT_LEAST_NONNEG:
                    return NONNEG
            case Cast(arg=a):  # a cast up the tower keeps the sign; from ℕ it is at least nonnegative
                ra = self.core(a)
                return _or_else(ra, NONNEG) if type_of(a) == NAT else ra
        return self.function(e)

    def power(self, a: Term, n: Term) -> _S:
        even = NONE
        if isinstance(n, Lit):
            if n.value == 0:
                return POS
            if n.value % 2 == 0 and type_of(a) in (INT, *FIELDS):  # even_two_mul / Even.pow_nonneg
                even = NONNEG
        ra = self.core(a)
        if type_of(n) == REAL and ra is NONZERO:  # rpow: (-1) ^ (1 / 2 : ℝ) = 0 in Mathlib
            ra = NONE
        return _or_else(even, ra)

    def function(self, e: Term) -> _S:
        name = head_name(e)
        if name is None or not isinstance(e, App):  # `head_name` is None unless `e` is an App
            return NONE
        args = e.args
        if name in ("Nat.factorial", "Nat.succ") and len(args) == 1:
            return POS
        if name == "Inv.inv" and len(args) == 1:  # inv_pos, inv_nonneg, inv_ne_zero
            return self.core(args[0])
        if name in ("abs", "Int.natAbs") and len(args) == 1:
            return POS if self.core(args[0]) in _AT_LEAST_NONZERO else NONNEG
        if name in ("min", "max") and len(args) == 2:
            ra, rb = self.core(args[0]), self.core(args[1])
            if name == "min":
                if ra is POS and rb is POS:
                    return POS
                return NONNEG if ra in _AT_LEAST_NONNEG and rb in _AT_LEAST_NONNEG else NONE
            if POS in (ra, rb):
                return POS
            return NONNEG if NONNEG in (ra, rb) else NONE
        return NONE


def _compare_hyp(h: Term, e: Term) -> _S:
    """What hypothesis `h` says about `e` directly (Mathlib's `compareHyp`)."""
    if not isinstance(h, Rel):
        return NONE
    op, lo, hi = h.op, h.lhs, h.rhs
    if op in (">", "≥"):
        op, lo, hi = {">": "<", "≥": "≤"}[op], hi, lo
    match op:
        case "≤" if alpha_eq(hi, e):
            s = _sign_of_value(eval_ground(lo))
            return s if s in _AT_LEAST_NONNEG else NONE
        case "<" if alpha_eq(hi, e):
            return POS if _sign_of_value(eval_ground(lo)) in _AT_LEAST_NONNEG else NONE
        case "=" if alpha_eq(hi, e):
            return _sign_of_value(eval_ground(lo))
        case "=" if alpha_eq(lo, e):
            return _sign_of_value(eval_ground(hi))
        case "≠" if alpha_eq(lo, e) and _is_zero(hi):
            return NONZERO
    return NONE


def _is_zero(t: Term) -> bool:
    return isinstance(t, Lit) and t.value == 0 or isinstance(t, Cast) and _is_zero(t.arg)


def _goal_shape(target: Term) -> tuple[Term, _S]:
    """The term `e` and the strictness wanted, or TacticFailure if not a positivity goal."""
    match target:
        case Rel(op="≤", lhs=z, rhs=e) | Rel(op="≥", lhs=e, rhs=z) if _is_zero(z):
            return e, NONNEG
        case Rel(op="<", lhs=z, rhs=e) | Rel(op=">", lhs=e, rhs=z) if _is_zero(z):
            return e, POS
        case Rel(op="≠", lhs=e, rhs=z) if _is_zero(z):
            return e, NONZERO
        case Rel(op="≠", lhs=z, rhs=e) if _is_zero(z):
            return e, NONZERO
    raise TacticFailure(NOT_A_GOAL)


_WORD = {POS: "positivity", NONNEG: "nonnegativity", NONZERO: "nonzeroness"}


def positivity(goal: Goal, deadline: Deadline) -> None:
    """Close `0 < e`, `0 ≤ e` or `e ≠ 0`, or raise TacticFailure with Mathlib's message."""
    deadline.check()
    e, wanted = _goal_shape(goal.target)
    got = _Prover([loc.prop for loc in goal.hyps()], deadline).core(e)
    if got is wanted or got is POS:
        return None
    if got is NONE:
        raise TacticFailure("failed to prove positivity/nonnegativity/nonzeroness")
    wanted_word, got_word = _WORD[wanted], _WORD[got]
    raise TacticFailure(
        f"failed to prove {wanted_word}, but it would be possible to prove {got_word} if desired"
    )


def prover_for(hyps: list[Term], deadline: Deadline) -> Callable[[Term], _S]:
    """`positivity`'s judgement of a term (POS, NONNEG, NONZERO or NONE) under `hyps`, for the
    side conditions of other tactics (`field_simp`'s nonzero denominators)."""
    return _Prover(hyps, deadline).core
