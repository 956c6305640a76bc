"""`push_cast`, `norm_cast` and `exact_mod_cast`: casts up the tower ℕ → ℤ → ℚ → ℝ as the
injective, order-preserving ring homomorphisms they are.

- `push_cast` moves casts to the leaves (`Nat.cast_add`, `cast_mul`, `cast_pow`, `cast_ofNat`,
  and `cast_sub`/`cast_neg` from ℤ or ℚ; never ℕ's truncated `-`, `/` or `%`).
- `norm_cast` does that, then lifts a relation whose two sides are built only from casts of
  one source type, numerals, `+ * ^` (and `-` from ℤ) back into the source type:
  `(↑a : ℚ) + ↑b = 7` becomes `a + b = 7` (`Nat.cast_inj`, `cast_le`, `cast_lt` with the
  homomorphism lemmas read backwards). `∣` is lifted only into ℤ (every nonzero number divides
  in a field).
- `exact_mod_cast e` closes the goal when `norm_cast` makes the type of `e` and the target the
  same (up to bound names).
Mathlib's versions know more lemmas (`Nat.cast_sub` with its side condition, `Nat.cast_div`
with divisibility, `Int.toNat`, ...); these are the ones every step of which is an equivalence.
"""

from __future__ import annotations

from lean_env.mini.context import replace_type, with_target
from lean_env.mini.errors import TacticFailure
from lean_env.mini.simp import cast_lemmas
from lean_env.mini.terms import (
    INT,
    NAT,
    NUMBERS,
    And,
    Arith,
    Cast,
    Goal,
    Iff,
    Imp,
    Lit,
    Neg,
    Not,
    Or,
    Rel,
    Term,
    Ty,
    alpha_eq,
    children,
    map_children,
    type_of,
)


def push(t: Term) -> Term:
    """`t` with every cast moved to the leaves (bottom-up, to a fixed point): simp's cast
    lemmas (`simp.cast_lemmas`), and `↑↑x = ↑x` (Int.cast_natCast, Rat.cast_intCast, ...)."""
    t = map_children(t, push)
    if isinstance(t, Cast):
        if isinstance(t.arg, Cast):
            return push(Cast(t.arg.arg, t.ty))
        step = cast_lemmas(t)
        if step is not None:
            return push(step)
    return t


def lift(t: Term, src: Ty) -> Term | None:
    """The `src`-term whose cast is `t` (built from casts of `src` terms, numerals and ring
    operations), or None. ℕ's `-` is no ring operation: a difference is never lifted into ℕ."""
    match t:
        case Cast(arg=a) if type_of(a) == src:
            return a
        case Cast(arg=a) if type_of(a) in NUMBERS and NUMBERS.index(type_of(a)) < NUMBERS.index(src):
            return Cast(a, src)
        case Lit(value=v):
            return Lit(v, src)
        case Neg(arg=a) if src != NAT:
            inner = lift(a, src)
            return None if inner is None else Neg(inner, src)
        case Arith(op=("+" | "*") as op, lhs=a, rhs=b) | Arith(op=("-" as op), lhs=a, rhs=b) if (
            op != "-" or src != NAT
        ):
            x, y = lift(a, src), lift(b, src)
            return None if x is None or y is None else Arith(op, x, y, src)
        case Arith(op="^", lhs=a, rhs=n) if type_of(n) == NAT:  # zpow/rpow have no ℕ/ℤ counterpart
            x = lift(a, src)
            return None if x is None else Arith("^", x, n, src)
    return None


def _has_cast(t: Term) -> bool:
    return isinstance(t, Cast) or any(_has_cast(c) for c in children(t))


def lift_relations(p: Term) -> Term:
    """Every relation whose sides lift into a lower type (see the module doc), lifted."""
    match p:
        case Rel(op=op, lhs=a, rhs=b) if type_of(a) in NUMBERS and (_has_cast(a) or _has_cast(b)):
            ty = type_of(a)
            for src in NUMBERS[: NUMBERS.index(ty)]:
                if op == "∣" and not (ty == INT and src == NAT):
                    continue
                x, y = lift(a, src), lift(b, src)
                if x is not None and y is not None:
                    return Rel(op, x, y)
            return p
        case Not() | And() | Or() | Imp() | Iff():
            return map_children(p, lift_relations)
    return p


def norm(p: Term) -> Term:
    """`norm_cast`'s normal form of a proposition."""
    return lift_relations(push(p))


def _at(goal: Goal, at: str | None, step, name: str) -> Goal:
    if at is None:
        new = step(goal.target)
        if new == goal.target:
            raise TacticFailure(f"{name} made no progress")
        return with_target(goal, new)
    h = goal.get(at)
    if h is None or h.is_var:
        raise TacticFailure(f"{name} made no progress")
    new = step(h.prop)
    if new == h.prop:
        raise TacticFailure(f"{name} made no progress")
    return replace_type(goal, at, new)


def push_cast(goal: Goal, at: str | None = None) -> Goal:
    return _at(goal, at, push, "push_cast")


def norm_cast(goal: Goal, at: str | None = None) -> Goal | None:
    """`norm_cast` at one place; closes a target that becomes `a = a`."""
    out = _at(goal, at, norm, "norm_cast")
    t = out.target
    if at is None and isinstance(t, Rel) and t.op in ("=", "≤", "≥") and alpha_eq(t.lhs, t.rhs):
        return None
    return out


def mod_cast_equal(have: Term, want: Term) -> bool:
    """Whether `exact_mod_cast` turns a proof of `have` into one of `want`."""
    return alpha_eq(norm(have), norm(want))
