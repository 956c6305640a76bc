"""Square hints from the linear forms in sight: completing the square, as a person would.

`nlinarith` proves `q ≥ 0` for a quadratic `q` when it is handed the right squares: with
`q = d₁ L₁² + d₂ L₂² + c` (dᵢ > 0, c ≥ 0), the hints `sq_nonneg L₁, sq_nonneg L₂` make the rest
linear. This module reads a quadratic polynomial off the text of a relation (`lhs ≤ rhs` as
`rhs - lhs`), finds its coefficients by evaluating it at integer points (checked at further
points, so a cubic or a division is never taken for a quadratic), and completes the square
variable by variable (Lagrange's method): each pivot gives one linear form, scaled to integer
coefficients. Only a heuristic proposal: whatever it suggests, the backend judges.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction

from prover.actions import goaltext as gt

MAX_VARIABLES = 3
_CHECKS = ((2, -1, 3), (-3, 2, 1), (1, 3, -2), (4, -2, -3))  # points a quadratic model must fit


def relation_polynomial(prop: str, names: Sequence[str]) -> Callable[[dict[str, int]], int] | None:
    """`rhs - lhs` of a relation `lhs op rhs` (op in `= ≤ < ≥ >`) as integer-valued polynomial
    arithmetic in `names`; None for anything else (division, `%`, other atoms)."""
    rel = gt.relation(prop)
    if rel is None or rel[1] not in ("=", "≤", "<", "≥", ">"):
        return None
    lhs, op, rhs = rel
    text = f"({rhs}) - ({lhs})" if op in ("=", "≤", "<") else f"({lhs}) - ({rhs})"
    if any(t.text in ("/", "%", "⁻¹") for t in gt.tokens(text)):
        return None
    run = gt.numeric(text, names)
    if run is None:
        return None
    compiled = run

    def value(point: dict[str, int]) -> int:
        v = compiled(point)
        if v is None:
            raise TypeError  # undefined here: not a polynomial we can read
        return v

    return value


def completed_squares(prop: str, names: Sequence[str], natural: frozenset[str] = frozenset()) -> list[str]:
    """The linear forms whose squares complete the quadratic of `prop` (see the module doc),
    as Lean text over `names`; [] when it is not a quadratic in at most `MAX_VARIABLES` of them
    with some square term. A form over a `natural` variable is computed in ℤ (`(x : ℤ) - 3`):
    ℕ subtraction would stop at 0."""
    names = [n for n in names if gt.occurs(n, prop)][:MAX_VARIABLES]
    if not names:
        return []
    f = relation_polynomial(prop, names)
    if f is None:
        return []
    try:
        matrix = _quadratic(f, names)
    except (ZeroDivisionError, OverflowError, TypeError):
        return []
    if matrix is None:
        return []
    return [_render(form, names, natural) for form in _lagrange(matrix, len(names))]


def _quadratic(f: Callable[[dict[str, int]], int], names: Sequence[str]) -> list[list[Fraction]] | None:
    """The symmetric (k+1)×(k+1) matrix M of f (index 0 the constant 1), f(x) = x̂ᵀ M x̂ with
    x̂ = (1, x₁..x_k); None if f is not that quadratic or has no square term."""
    k = len(names)

    def at(point: Sequence[int]) -> int:
        v = f(dict(zip(names, point)))
        if not isinstance(v, int) or isinstance(v, bool):
            raise TypeError
        return v

    zero = [0] * k
    unit = [[int(i == j) for j in range(k)] for i in range(k)]
    c = Fraction(at(zero))
    m = [[Fraction(0)] * (k + 1) for _ in range(k + 1)]
    m[0][0] = c
    for i in range(k):
        plus, minus = at(unit[i]), at([-x for x in unit[i]])
        m[i + 1][i + 1] = Fraction(plus + minus - 2 * at(zero), 2)
        m[0][i + 1] = m[i + 1][0] = Fraction(plus - minus, 4)  # half the linear coefficient
    for i, j in itertools.combinations(range(k), 2):
        both = [a + b for a, b in zip(unit[i], unit[j])]
        cross = at(both) - at(unit[i]) - at(unit[j]) + at(zero)
        m[i + 1][j + 1] = m[j + 1][i + 1] = Fraction(cross, 2)
    if all(m[i][i] == 0 for i in range(1, k + 1)):
        return None
    for point in _CHECKS:
        x = [1, *point[:k]]
        model = sum(m[a][b] * x[a] * x[b] for a in range(k + 1) for b in range(k + 1))
        if model != at(point[:k]):
            return None
    return m


def _lagrange(m: list[list[Fraction]], k: int) -> list[list[Fraction]]:
    """Linear forms (coefficients of 1, x₁..x_k) from completing the square on each variable
    with a positive remaining diagonal entry, in order."""
    m = [row[:] for row in m]
    forms: list[list[Fraction]] = []
    for p in range(1, k + 1):
        d = m[p][p]
        if d <= 0:
            continue
        form = [Fraction(0)] * (k + 1)
        for j in range(k + 1):
            if j >= p or j == 0:
                form[j] = m[p][j] / d
        forms.append(form)
        for a in range(k + 1):  # M ← M - d · form formᵀ (the completed square taken out)
            for b in range(k + 1):
                m[a][b] -= d * form[a] * form[b]
    return forms


def _render(form: list[Fraction], names: Sequence[str], natural: frozenset[str]) -> str:
    """`(2 * a - b - 3)`: integer coefficients (the form scaled), variables first."""
    scale = math.lcm(*(c.denominator for c in form))
    coeffs = [int(c * scale) for c in form]
    g = math.gcd(*coeffs) or 1
    coeffs = [c // g for c in coeffs]
    if next(c for c in coeffs[1:] + coeffs[:1] if c) < 0:
        coeffs = [-c for c in coeffs]
    parts: list[str] = []
    for c, name in [*zip(coeffs[1:], names), (coeffs[0], "")]:
        if c == 0:
            continue
        if not parts and name in natural:
            name = f"({name} : ℤ)"
        body = name if abs(c) == 1 and name else (f"{abs(c)} * {name}" if name else str(abs(c)))
        if not parts:
            parts.append(body if c > 0 else f"-{body}")
        else:
            parts.append(f"{'+' if c > 0 else '-'} {body}")
    return f"({' '.join(parts)})"
