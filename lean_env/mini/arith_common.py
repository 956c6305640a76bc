"""Pieces shared by `mini`'s arithmetic procedures: constant folding with Lean's ℕ/ℤ
operations (from `semantics`), ground evaluation, the atom table, and the z3 call that
respects the deadline."""

from __future__ import annotations

import z3

from lean_env.mini.errors import Deadline, DeadlineExceeded
from lean_env.mini.semantics import NotEvaluable, Number, basic_op, field_inv
from lean_env.mini.semantics import arith as field_arith
from lean_env.mini.terms import (
    FIELDS,
    INT,
    NAT,
    NUMBERS,
    App,
    Arith,
    Cast,
    Const,
    Lit,
    Neg,
    Term,
    alpha_eq,
    map_children,
    type_of,
)

# Powers whose value would exceed this many bits are left unevaluated (treated as atoms).
MAX_POW_BITS = 4096


# ---------------------------------------------------------------- constant folding


def pow_fits(base: int, exp: int) -> bool:
    """Whether `base ^ exp` is small enough to compute eagerly."""
    if exp < 0:
        return False
    return abs(base) <= 1 or exp * abs(base).bit_length() <= MAX_POW_BITS


def apply_op(op: str, a: int, b: int, ty) -> int | None:
    """`a op b` at ℕ/ℤ type `ty` with Lean's semantics (None for a power too large to compute)."""
    if op == "^":
        return a**b if pow_fits(a, b) else None
    fn = basic_op(op, ty)
    if fn is None:
        return None
    v = fn(a, b)
    assert isinstance(v, int), (op, ty)  # callers pass ℕ/ℤ types only
    return v


def eval_ground(t: Term) -> Number | None:
    """The value of a closed numeral expression (an int on ℕ/ℤ, a Fraction on ℚ/ℝ), or None
    if `t` mentions anything else or is too large to compute."""
    match t:
        case Lit(value=v):
            return v
        case Neg(arg=a):
            va = eval_ground(a)
            return None if va is None else -va
        case Cast(arg=a):
            return eval_ground(a)
        case Arith(op=op, lhs=a, rhs=b, ty=ty):
            va = eval_ground(a)
            if va is None:
                return None
            vb = eval_ground(b)
            if vb is None:
                return None
            if ty in FIELDS:
                try:
                    return field_arith(op, va, vb, ty)
                except NotEvaluable:
                    return None
            assert isinstance(va, int) and isinstance(vb, int)
            return apply_op(op, va, vb, ty)
        case App(fn=Const(name="Inv.inv"), args=(a,)):
            va = eval_ground(a)
            return None if va is None else field_inv(va)
    return None


# ---------------------------------------------------------------- atoms


def _push_cast(t: Term) -> Term:
    """Push `↑` (ℕ → ℤ) through `+ * / % ^` and numerals, everywhere in `t`.

    Every rewrite is a true identity (ℕ and ℤ division/modulo agree on naturals), so two
    atoms with equal pushed forms have equal values: `↑(x * y)` and `↑x * ↑y` are one atom.
    """
    t = map_children(t, _push_cast)
    if isinstance(t, Cast) and t.ty == INT:  # casts into ℚ/ℝ stay as they are (atoms)
        match t.arg:
            case Lit(value=v):
                return Lit(v, INT)
            case Arith(op=op, lhs=a, rhs=b) if op in "+*/%":
                return Arith(op, _push_cast(Cast(a)), _push_cast(Cast(b)), INT)
            case Arith(op="^", lhs=a, rhs=b):
                return Arith("^", _push_cast(Cast(a)), b, INT)
    return t


def atom_key(t: Term) -> Term:
    """The integer-valued form under which a numeric atom is identified."""
    return _push_cast(Cast(t) if type_of(t) == NAT else t)


class AtomTable:
    """Numeric subterms a procedure does not interpret, numbered; equal (up to bound-variable
    names and cast placement) subterms get the same number. `nat[i]` records that atom `i`
    occurred at type ℕ, so it is known to be ≥ 0."""

    def __init__(self) -> None:
        self.keys: list[Term] = []
        self.nat: list[bool] = []
        self._exact: dict[Term, int] = {}

    def index(self, t: Term) -> int:
        key = atom_key(t)
        i = self._exact.get(key)
        if i is None:
            i = next((j for j, k in enumerate(self.keys) if alpha_eq(k, key)), None)
        if i is None:
            i = len(self.keys)
            self.keys.append(key)
            self.nat.append(False)
        self._exact[key] = i
        if type_of(t) == NAT:
            self.nat[i] = True
        return i


def is_numeric(t: Term) -> bool:
    """An ℕ/ℤ term (what omega reads)."""
    return type_of(t) in (NAT, INT)


def is_number(t: Term) -> bool:
    """A term of any number type, ℕ, ℤ, ℚ or ℝ (what linarith reads)."""
    return type_of(t) in NUMBERS


def head_name(t: Term) -> str | None:
    """The constant's name when `t` is an application of a library constant."""
    if isinstance(t, App) and isinstance(t.fn, Const):
        return t.fn.name
    return None


# ---------------------------------------------------------------- z3


def z3_unsat(constraints: list[z3.BoolRef], deadline: Deadline) -> bool:
    """Whether the constraints are unsatisfiable; raises DeadlineExceeded on timeout."""
    deadline.check()
    solver = z3.Solver()
    solver.set("timeout", deadline.remaining_ms())
    solver.add(*constraints)
    result = solver.check()
    if result == z3.unsat:
        return True
    if result == z3.sat:
        return False
    if deadline.expired() or solver.reason_unknown() in ("timeout", "canceled"):
        raise DeadlineExceeded()
    return False
