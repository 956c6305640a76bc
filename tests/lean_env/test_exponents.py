"""Powers whose exponent is not a natural number (an adversarial review found these holes):
`zpow` (ℤ exponent) is no monoid power in its exponent, `rpow` (ℝ exponent) is outside the
fragment and never nonzero by positivity (Mathlib: `(-1 : ℝ) ^ (1 / 2 : ℝ) = 0`)."""

from __future__ import annotations

import pytest

from lean_env.mini import MiniEnv

FALSE_ACCEPTED_BEFORE = [
    ("theorem t (x y : ℝ) (h : x ≠ 0) : x ^ y ≠ 0", "positivity"),
    ("theorem t : (-1 : ℝ) ^ ((1:ℝ)/2) ≠ 0", "positivity"),
    ("theorem t (x y : ℝ) (h : x ≠ 0) (h2 : x ^ y = 0) : False", "have h3 : x ^ y ≠ 0 := by positivity\nexact h3 h2"),
    ("theorem t (x y : ℝ) (h : x ≠ 0) : 1 / x ^ y * x ^ y = 1", "field_simp"),
    # pow_add / pow_mul are false for zpow at 0 (0 ^ (1 + -1) = 1, 0 ^ 1 * 0 ^ -1 = 0) and rpow
    ("theorem t (x : ℝ) (a b : ℤ) (n : ℕ) : (x ^ (a + b)) ^ n = (x ^ a) ^ n * (x ^ b) ^ n", "ring"),
    ("theorem t (x : ℝ) (a : ℤ) (n : ℕ) : (x ^ (a + 1)) ^ n = (x ^ a) ^ n * x ^ n", "ring"),
    ("theorem t (x y z : ℝ) (n : ℕ) : (x ^ (y + z)) ^ n = (x ^ y * x ^ z) ^ n", "ring"),
    ("theorem t (x y : ℝ) (n : ℕ) : (x ^ (2 * y)) ^ n = ((x ^ y) ^ n) ^ 2", "ring"),
    # crashed the normalizer (an exponent coefficient that is no natural number)
    ("theorem t (x : ℝ) (n : ℕ) : (x ^ (-1 : ℤ)) ^ n = 1", "ring"),
    ("theorem t (x : ℝ) (a : ℤ) (n : ℕ) : (x ^ (a - 1)) ^ n = 0", "ring_nf"),
    # an ill-typed lift (no HPow ℤ ℤ): a fault, now no progress
    ("theorem t (a : ℤ) (h : (a : ℚ) ^ (-1 : ℤ) = 2) : False", "norm_cast at h"),
]


@pytest.mark.parametrize(("statement", "script"), FALSE_ACCEPTED_BEFORE)
def test_non_natural_exponents_are_not_monoid_powers(statement: str, script: str) -> None:
    v = MiniEnv().verify(statement, script)
    assert not v.ok and v.fault is None, v.messages
    assert not any("internal error" in m for m in v.messages), v.messages


def test_what_still_holds_for_integer_and_natural_exponents() -> None:
    env = MiniEnv()
    assert env.verify("theorem t (x : ℝ) (a : ℤ) (n : ℕ) : (x ^ a) ^ (n + 1) = (x ^ a) ^ n * x ^ a", "ring").ok
    assert env.verify("theorem t (x : ℝ) (h : x ≠ 0) (a : ℤ) : x ^ a ≠ 0", "positivity").ok  # zpow_ne_zero
    assert env.verify("theorem t (x : ℝ) (h : 0 < x) (y : ℝ) : 0 < x ^ y", "positivity").ok is False  # rpow: outside
    state = env.start("theorem t (x y : ℝ) : x ^ y = x ^ y")
    assert "rpow" in env.outside_fragment(state)
