"""Big operators and finite sets of naturals/integers: what `mini` reads and the rules it knows.

In the fragment (`terms.fragment_blocker`, `terms.finset_parts`): `∑ x ∈ s, body` and
`∏ x ∈ s, body` over ℕ/ℤ elements with a numeric body, and `Finset.card s`, where `s` is
`Finset.range n`, `Finset.Icc/Ico/Ioc/Ioo a b`, `Nat.divisors n`, `Nat.properDivisors n`, or
`Finset.filter (fun x => P x) s` of one of these (the bounds and `P` themselves in the
fragment). A `Finset` variable, `Set.toFinset`, or anything else stays outside.

Rules, as Mathlib states them:
- `Finset.sum_range_zero`, `Finset.prod_range_zero`, `Finset.sum_range_one`,
  `Finset.prod_range_one` are simp lemmas: plain `simp` uses them;
- `Finset.sum_range_succ : ∑ x ∈ range (n + 1), f x = ∑ x ∈ range n, f x + f n` (and
  `prod_range_succ` with `*`) rewrite with `rw [...]`, or repeatedly as `simp [...]` /
  `norm_num [...]` arguments; `range k` for a numeral `k ≥ 1` reads as `range ((k - 1) + 1)`,
  as Lean's unifier reads numerals against `n + 1`.
Evaluation of closed big operators is in `evaluate.py` (`decide` and `norm_num`, with caps).
"""

from __future__ import annotations

from collections.abc import Callable

from lean_env.mini.terms import NAT, App, Arith, BigOp, Const, Lit, Term, instantiate

SUCC_RULES = {"Finset.sum_range_succ": "∑", "Finset.prod_range_succ": "∏"}
SIMP_RULES = frozenset(("Finset.sum_range_zero", "Finset.prod_range_zero", "Finset.sum_range_one",
                        "Finset.prod_range_one"))
RULE_NAMES = frozenset(SUCC_RULES) | SIMP_RULES


def _identity(op: str, ty) -> Term:
    return Lit(0 if op == "∑" else 1, ty)


def _predecessor(n: Term) -> Term | None:
    """`m` with `n = m + 1`: `m` for `m + 1`, `m + (k - 1)` for `m + k`, `k - 1` for `k`."""
    match n:
        case Arith(op="+", lhs=m, rhs=Lit(value=1)):
            return m
        case Arith(op="+", lhs=m, rhs=Lit(value=k)) if k > 1:
            return Arith("+", m, Lit(k - 1, NAT), NAT)
        case Lit(value=k) if k >= 1:
            return Lit(k - 1, NAT)
    return None


def range_succ(t: Term, op: str) -> Term | None:
    """`Finset.sum_range_succ` (op `∑`) or `prod_range_succ` (`∏`) at `t`, else None."""
    if not (isinstance(t, BigOp) and t.op == op):
        return None
    match t.finset:
        case App(fn=Const(name="Finset.range") as fn, args=(n,)):
            m = _predecessor(n)
            if m is None:
                return None
            head = BigOp(t.op, t.name, t.elem, App(fn, (m,), t.finset.ty), t.body, t.ty)
            return Arith("+" if op == "∑" else "*", head, instantiate(t, m), t.ty)
    return None


def range_small(t: Term) -> Term | None:
    """The simp lemmas `sum_range_zero`, `prod_range_zero`, `sum_range_one`, `prod_range_one`."""
    if isinstance(t, BigOp):
        match t.finset:
            case App(fn=Const(name="Finset.range"), args=(Lit(value=0),)):
                return _identity(t.op, t.ty)
            case App(fn=Const(name="Finset.range"), args=(Lit(value=1),)):
                return instantiate(t, Lit(0, NAT))
    return None


def succ_proc(name: str) -> Callable[[Term], Term | None]:
    """The simp procedure of a `*_range_succ` rule given as a simp argument."""
    op = SUCC_RULES[name]
    return lambda t: range_succ(t, op)
