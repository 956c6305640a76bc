"""Completed squares (`prover/actions/squares.py`): the forms are right, and only quadratics get them."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

from prover.actions import goaltext as gt
from prover.actions.squares import completed_squares


def test_completing_the_square_on_examples() -> None:
    assert completed_squares("10 * a ≤ 28 * a ^ 2 + 1", ["a"]) == ["(28 * a - 5)"]
    assert completed_squares("2 * a * (2 + c) ≤ a ^ 2 + c ^ 2 + 4 * (1 + c)", ["a", "c"]) == ["(a - c - 2)"]
    assert completed_squares("y = x ^ 2 - 6 * x + 13", ["x", "y"]) == ["(x - 3)"]
    assert completed_squares("a ^ 2 + b ^ 2 ≥ 2 * a * b", ["a", "b"]) == ["(a - b)"]
    assert completed_squares("x ^ 2 ≥ 2 * x - 1", ["x"], frozenset({"x"})) == ["((x : ℤ) - 1)"]


def test_only_quadratics_in_the_given_names() -> None:
    assert completed_squares("x ^ 3 ≥ 0", ["x"]) == []  # a cubic is refused (checked at more points)
    assert completed_squares("x / 2 ≥ 0", ["x"]) == []  # division
    assert completed_squares("x + 1 ≥ 0", ["x"]) == []  # linear: no square term
    assert completed_squares("f x ^ 2 ≥ 0", ["x"]) == []  # another atom
    assert completed_squares("x ^ 2 * y ≥ 0", ["x", "y"]) == []  # degree 3


def test_the_forms_complete_the_square() -> None:
    """For random positive-definite quadratics q, q - Σ dᵢ Lᵢ² is a constant (the forms are the
    quadratic's completed squares, up to the positive scale dᵢ)."""
    rng = random.Random(3)
    names = ["x", "y"]
    for _ in range(60):
        a, c = rng.randint(1, 5), rng.randint(1, 5)
        b = rng.randint(-2, 2)
        d, e, f = rng.randint(-6, 6), rng.randint(-6, 6), rng.randint(-9, 9)
        if 4 * a * c - b * b <= 0:
            continue
        q = f"{a} * x ^ 2 + {b} * x * y + {c} * y ^ 2 + {d} * x + {e} * y + {f}"
        forms = completed_squares(f"0 ≤ {q}", names)
        assert len(forms) == 2, q
        value = gt.numeric(q, names)
        lin = [gt.numeric(form, names) for form in forms]
        assert value is not None and all(v is not None for v in lin)
        # q - Σ dᵢ Lᵢ² constant for some dᵢ > 0: fit d on three points, check on the grid
        pts = [dict(zip(names, p)) for p in itertools.product(range(-3, 4), repeat=2)]
        rows = [[Fraction(lv(p) ** 2) for lv in lin] + [Fraction(1), Fraction(value(p))] for p in pts]  # type: ignore[misc, operator]
        ds = _solve(rows)
        assert ds is not None and all(x > 0 for x in ds[:2]), q


def _solve(rows: list[list[Fraction]]) -> list[Fraction] | None:
    """Least-squares-free exact fit: the unique (d₁, d₂, c) with Σ dᵢ Lᵢ² + c = q on every row."""
    m = [r[:] for r in rows]
    n = 3
    for col in range(n):
        pivot = next((i for i in range(col, len(m)) if m[i][col] != 0), None)
        if pivot is None:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for i in range(len(m)):
            if i != col and m[i][col] != 0:
                k = m[i][col] / m[col][col]
                m[i] = [x - k * y for x, y in zip(m[i], m[col])]
    if any(all(x == 0 for x in r[:n]) and r[n] != 0 for r in m[n:]):
        return None  # inconsistent: q is not of that form
    return [m[i][n] / m[i][i] for i in range(n)]
