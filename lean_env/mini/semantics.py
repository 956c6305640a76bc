"""Lean's number operations in Python: the one place `mini` writes their semantics down.

ℕ and ℤ on Python ints, Lean's way, not Python's: ℕ subtraction truncates, `x / 0 = 0`,
`x % 0 = x`, ℤ `/` and `%` are `Int.ediv` and `Int.emod` (remainder in `[0, |b|)`),
`0 ∣ b ↔ b = 0`. ℚ and ℝ on exact Fractions (a closed ℝ term of the fragment is rational):
a field's `/` is `a * b⁻¹` with `0⁻¹ = 0` (so `x / 0 = 0`), there is no `%`. `evaluate`,
`simp`, `ring` and the arithmetic procedures all compute through these functions. `arith`
and `power` refuse (NotEvaluable) results above `MAX_BITS` bits rather than eat memory.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from fractions import Fraction

from lean_env.mini.terms import FIELDS, NAT

Number = int | Fraction  # ℕ/ℤ values are ints, ℚ/ℝ values Fractions

MAX_BITS = 1 << 20  # ~315k decimal digits: beyond this we refuse to compute


class NotEvaluable(Exception):
    """The term cannot be evaluated: free variable, unknown constant, undecidable, too big."""


# ---------------------------------------------------------------- division and subtraction


def int_ediv(a: int, b: int) -> int:
    """`Int.ediv` (ℤ `/`): the quotient whose remainder is in `[0, |b|)`; `a / 0 = 0`."""
    if b == 0:
        return 0
    return a // b if b > 0 else -(a // -b)


def int_emod(a: int, b: int) -> int:
    """`Int.emod` (ℤ `%`): always in `[0, |b|)` for `b ≠ 0`; `a % 0 = a`."""
    if b == 0:
        return a
    return a % abs(b)


def nat_sub(a: int, b: int) -> int:
    """Truncated ℕ subtraction."""
    return a - b if a > b else 0


def nat_div(a: int, b: int) -> int:
    """ℕ `/`: floor division, `a / 0 = 0`."""
    return a // b if b else 0


def nat_mod(a: int, b: int) -> int:
    """ℕ `%`: `a % 0 = a`."""
    return a % b if b else a


# `Int.fdiv`/`Int.fmod` round toward −∞ as ℕ division does: the same functions, on ℤ.
int_fdiv, int_fmod = nat_div, nat_mod


def int_tdiv(a: int, b: int) -> int:
    """`Int.tdiv`: rounds toward zero, `a / 0 = 0`."""
    if b == 0:
        return 0
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def int_tmod(a: int, b: int) -> int:
    return a - b * int_tdiv(a, b) if b else a


def dvd(a: int, b: int) -> bool:
    """`a ∣ b` over ℕ or ℤ: `∃ c, b = a * c` (so `0 ∣ b ↔ b = 0`)."""
    if a == 0:
        return b == 0
    return b % abs(a) == 0


# ---------------------------------------------------------------- operators

_NAT_OPS: dict[str, Callable[[int, int], int]] = {
    "+": operator.add, "-": nat_sub, "*": operator.mul, "/": nat_div, "%": nat_mod,
}
_INT_OPS: dict[str, Callable[[int, int], int]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": int_ediv, "%": int_emod,
}


def field_inv(a: Number) -> Fraction:
    """`a⁻¹` in ℚ/ℝ: `0⁻¹ = 0` (Lean's `inv_zero`)."""
    return Fraction(0) if a == 0 else 1 / Fraction(a)


def field_div(a: Number, b: Number) -> Fraction:
    """`a / b` in ℚ/ℝ: `a * b⁻¹`, so `a / 0 = 0`."""
    return Fraction(a) * field_inv(b)


_FIELD_OPS: dict[str, Callable[[Number, Number], Number]] = {
    "+": lambda a, b: Fraction(a) + b, "-": lambda a, b: Fraction(a) - b,
    "*": lambda a, b: Fraction(a) * b, "/": field_div,
}


def basic_op(op: str, ty: object) -> Callable[..., Number] | None:
    """Lean's `+ - * / %` at type `ty` (ℕ, ℤ, or a field: no `%`), unguarded; None for any
    other operator."""
    if ty in FIELDS:
        return _FIELD_OPS.get(op)
    return (_NAT_OPS if ty == NAT else _INT_OPS).get(op)


def _guard(v: Number) -> Number:
    if isinstance(v, Fraction):
        if v.numerator.bit_length() > MAX_BITS or v.denominator.bit_length() > MAX_BITS:
            raise NotEvaluable("numeral too large to evaluate")
    elif v.bit_length() > MAX_BITS:
        raise NotEvaluable("numeral too large to evaluate")
    return v


def power(base: int, exp: int) -> int:
    """`base ^ exp` (exp ≥ 0), refused when the result would exceed `MAX_BITS` bits."""
    if exp < 0:
        raise NotEvaluable("negative exponent")
    if base in (0, 1) or exp == 0:
        return base**exp
    if base == -1:
        return -1 if exp % 2 else 1
    # |base| ≥ 2: the result has at least `exp` bits; checking that first keeps the float
    # product below from overflowing on huge exponents
    if exp > MAX_BITS or exp * math.log2(abs(base)) > MAX_BITS:
        raise NotEvaluable("exponent too large to evaluate")
    return base**exp


def field_power(a: Number, n: int) -> Fraction:
    """`a ^ n` in ℚ/ℝ for a natural exponent `n`, size-guarded like `power`."""
    q = Fraction(a)
    return Fraction(power(q.numerator, n), power(q.denominator, n))


def arith(op: str, a: Number, b: Number, ty: object) -> Number:
    """One arithmetic operation with Lean's semantics at type `ty`, size-guarded. On ℕ/ℤ the
    operands and the result are ints; on ℚ/ℝ Fractions (ints accepted), and the exponent of
    `^` is a natural number."""
    if ty in FIELDS:
        if op == "^":
            if not (isinstance(b, int) or b.denominator == 1):
                raise NotEvaluable("exponent is not a natural number")
            return field_power(a, int(b))
        fn = basic_op(op, ty)
        if fn is None:
            raise NotEvaluable(f"unknown operator {op} on {ty}")
        return _guard(Fraction(fn(a, b)))
    if isinstance(a, Fraction) or isinstance(b, Fraction):
        raise NotEvaluable(f"a fraction in {ty} arithmetic")
    if op == "^":
        return power(a, b)
    fn = basic_op(op, ty)
    if fn is None:
        raise NotEvaluable(f"unknown operator {op}")
    return _guard(fn(a, b)) if op == "*" else fn(a, b)


def relation(op: str, a: int | Fraction, b: int | Fraction) -> bool:
    """`a op b` on ℕ/ℤ values, or on ℚ/ℝ values (Fractions; the caller refuses `∣` on those)."""
    match op:
        case "=":
            return a == b
        case "≠":
            return a != b
        case "<":
            return a < b
        case "≤":
            return a <= b
        case ">":
            return a > b
        case "≥":
            return a >= b
        case "∣":
            return dvd(int(a), int(b))
    raise NotEvaluable(f"unknown relation {op}")
