"""`interval_cases x`: one goal per value of an integer variable between literal bounds.

As Mathlib's `interval_cases`, the bounds are read from the hypotheses about `x` itself
(`x < 8`, `2 ≤ x`, `x ≥ 1`, `7 > x`; a ℕ variable is at least 0), the bound sides evaluated
as closed arithmetic; both must be found. Each value `v` gives the goal with `x` replaced by
`v` in the target and every hypothesis (Mathlib substitutes too). The split covers every
integer the hypotheses allow, so it is sound whatever the goal. Differences: Mathlib also
reads bounds inside `Set.Ico` memberships and `using h₁, h₂`; here only direct relations, and
at most `MAX_CASES` values (Mathlib has no cap, but each case costs a search).
"""

from __future__ import annotations

from lean_env.mini.context import subst_var
from lean_env.mini.errors import TacticFailure
from lean_env.mini.evaluate import evaluate
from lean_env.mini.semantics import NotEvaluable
from lean_env.mini.terms import INT, NAT, Goal, Lit, Neg, Rel, Term, alpha_eq

MAX_CASES = 64


def _value(t: Term) -> int | None:
    try:
        v = evaluate(t)
    except NotEvaluable:
        return None
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def bounds(goal: Goal, x: Term) -> tuple[int | None, int | None]:
    """The tightest `lo ≤ x < hi` the hypotheses state directly (None where none is found)."""
    lo: int | None = 0 if x.ty == NAT else None  # type: ignore[union-attr]
    hi: int | None = None
    for h in goal.hyps():
        r = h.prop
        if not isinstance(r, Rel) or r.op not in ("<", "≤", ">", "≥"):
            continue
        op, a, b = (r.op, r.lhs, r.rhs) if r.op in ("<", "≤") else ({">": "<", "≥": "≤"}[r.op], r.rhs, r.lhs)
        if alpha_eq(a, x) and (v := _value(b)) is not None:  # x < v, x ≤ v
            top = v if op == "<" else v + 1
            hi = top if hi is None else min(hi, top)
        elif alpha_eq(b, x) and (v := _value(a)) is not None:  # v < x, v ≤ x
            bottom = v + 1 if op == "<" else v
            lo = bottom if lo is None else max(lo, bottom)
    return lo, hi


def interval_cases(goal: Goal, name: str) -> list[Goal]:
    loc = goal.lookup(name)
    if loc is None:
        raise TacticFailure(f"unknown identifier '{name}'")
    if not loc.is_var or loc.var.ty not in (NAT, INT):
        raise TacticFailure(f"interval_cases failed: '{name}' is not a natural number or an integer variable")
    x = loc.var
    lo, hi = bounds(goal, x)
    if lo is None:
        raise TacticFailure(f"interval_cases failed: could not find lower bound on {name}")
    if hi is None:
        raise TacticFailure(f"interval_cases failed: could not find upper bound on {name}")
    if hi - lo > MAX_CASES:
        raise TacticFailure(f"mini: interval_cases would make {hi - lo} cases, more than its limit of {MAX_CASES}")
    return [subst_var(goal, loc.fid, Lit(v, x.ty) if v >= 0 else Neg(Lit(-v, x.ty), x.ty)) for v in range(lo, hi)]
