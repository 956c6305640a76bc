"""Cost of one tactic step on the `mini` backend, by tactic family.

Each (statement, tactic) pair is started once, then the tactic is applied to the root goal
`--repeats` times. Every application must succeed (the bench asserts it), so the figures are
the cost of steps that do work, not of quick failures. Prints the median and p90 milliseconds
per step for each family and each family's median relative to the structural one: how much a
closer costs the search compared with a cheap structural step. These are `mini` figures, not Lean.

    .venv/bin/python bench/mini_steps.py [--repeats 30]
"""

from __future__ import annotations

import argparse
import statistics
import time

from lean_env.contract import TacticSuccess
from lean_env.mini import MiniEnv

STRUCTURAL, REWRITING, CLOSERS = "structural", "rewriting", "closers"
FIELDS, BIGOPS, CASES_, DENOMS, SQUARES = "ℝ/ℚ closers", "big operators", "case splits", "denominators", "squares"

CASES: list[tuple[str, str, str]] = [
    ("theorem s1 (p q : Prop) (hp : p) (hq : q) : p ∧ q", "constructor", STRUCTURAL),
    ("theorem s2 (p q : Prop) : p → q → p", "intro hp hq", STRUCTURAL),
    ("theorem s3 : ∀ (x y : ℕ), x + y = y + x", "intro x y", STRUCTURAL),
    ("theorem s4 (p q : Prop) (h : p ∧ q) : q ∧ p", "rcases h with ⟨hp, hq⟩", STRUCTURAL),
    ("theorem s5 (p q : Prop) (h : p ∨ q) : q ∨ p", "rcases h with hp | hq", STRUCTURAL),
    ("theorem s6 (p q : Prop) (hp : p) : p ∨ q", "left", STRUCTURAL),
    ("theorem s7 (p : Prop) (hp : p) : p", "exact hp", STRUCTURAL),
    ("theorem s8 (p : Prop) (hp : p) : p", "assumption", STRUCTURAL),
    ("theorem r1 (a b c : ℕ) (h₀ : a = b) (h₁ : b = c) : a = c", "rw [h₀, h₁]", REWRITING),
    ("theorem r2 (x y : ℤ) (h : x = y + 1) : x - y = 1", "rw [h]", REWRITING),
    ("theorem r3 (x : ℕ) (h : x = 2) : x + x = 4", "simp [h]", REWRITING),
    ("theorem r4 (x : ℕ) : x + 0 = x", "simp", REWRITING),
    ("theorem c1 (x y : ℕ) (h₀ : x < y) : x + 1 ≤ y", "omega", CLOSERS),
    ("theorem c2 (a b : ℤ) (h₀ : a ≤ b) (h₁ : b ≤ 3) : a ≤ 3", "linarith", CLOSERS),
    ("theorem c3 (a b : ℤ) : 0 ≤ a ^ 2 + b ^ 2", "nlinarith", CLOSERS),
    ("theorem c4 : (2 : ℕ) ^ 10 = 1024", "norm_num", CLOSERS),
    ("theorem c5 : (17 : ℕ) % 5 = 2", "decide", CLOSERS),
    ("theorem c6 (a b : ℤ) : (a + b) ^ 2 = a ^ 2 + 2 * a * b + b ^ 2", "ring", CLOSERS),
    ("theorem c7 (x : ℕ) : 0 < x + 1", "positivity", CLOSERS),
    ("theorem f1 (x y : ℝ) (h₀ : x + y = 10) (h₁ : x - y = 2) : x = 6", "linarith", FIELDS),
    ("theorem f2 (a b : ℝ) : a * b ≤ (a ^ 2 + b ^ 2) / 2", "nlinarith [sq_nonneg (a - b)]", FIELDS),
    ("theorem f3 : (7 : ℝ) / 2 * 4 - 1 / 3 = 41 / 3", "norm_num", FIELDS),
    ("theorem f4 (x : ℝ) : (x + 1 / 2) ^ 2 = x ^ 2 + x + 1 / 4", "ring", FIELDS),
    ("theorem f5 (x : ℚ) (h : 0 < x) : 0 < x / 3 + x⁻¹", "positivity", FIELDS),
    ("theorem f6 (k : ℕ) : 2 ^ (2 * (k + 1) + 1) = 4 * 2 ^ (2 * k + 1)", "ring", FIELDS),
    ("theorem d1 (x : ℝ) (h₀ : x ≠ 0) (h₁ : 3 + 1 / x = 7 / x) : x = 2", "field_simp at h₁", DENOMS),
    ("theorem d2 (x y : ℝ) (h₀ : x ≠ 0) (h₁ : y ≠ 0) : 1 / x + 1 / y = (x + y) / (x * y)", "field_simp", DENOMS),
    ("theorem q1 (x y : ℝ) (h₀ : y = x ^ 2 - 6 * x + 13) : 4 ≤ y", "nlinarith [sq_nonneg (x - 3)]", SQUARES),
    ("theorem q2 (a b : ℝ) : 4 * b * (a + 1) ≤ 4 * b ^ 2 + (a + 1) ^ 2", "nlinarith [sq_nonneg (a - 2 * b + 1)]",
     SQUARES),
    ("theorem b1 : (∑ k ∈ Finset.range 11, k) % 9 = 1", "decide", BIGOPS),
    ("theorem b2 : (∑ k ∈ Finset.range 101, k) = 5050", "norm_num", BIGOPS),
    ("theorem b3 (n : ℕ) : ∑ k ∈ Finset.range (n + 1), k = ∑ k ∈ Finset.range n, k + n", "rw [Finset.sum_range_succ]",
     BIGOPS),
    ("theorem b4 : Finset.card (Finset.filter (fun x => x % 7 = 3) (Finset.Icc 1 60)) = 9", "decide", BIGOPS),
    ("theorem k1 (x : ℕ) (h : x < 8) : x * x ≠ 7", "interval_cases x", CASES_),
    ("theorem k2 (a : ℤ) : a ^ 2 % 3 = 0 ∨ a ^ 2 % 3 = 1",
     "obtain ⟨k, hk | hk | hk⟩ : ∃ k, a = 3 * k ∨ a = 3 * k + 1 ∨ a = 3 * k + 2 := ⟨a / 3, by omega⟩ "
     "<;> subst hk <;> ring_nf <;> omega", CASES_),
    ("theorem k3 (x p : ℝ) (h₀ : x < 2) (h₁ : |x - 2| = p) : x - p = 2 - 2 * p",
     "rcases abs_cases (x - 2) with ⟨h, h₂⟩ | ⟨h, h₂⟩", CASES_),
]


def measure(env: MiniEnv, statement: str, tactic: str, repeats: int, timeout: float) -> list[float]:
    """Seconds per application of `tactic` to the root goal of `statement`."""
    root = env.start(statement, timeout=timeout)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = env.apply(root, tactic, timeout=timeout)
        times.append(time.perf_counter() - t0)
        assert isinstance(result, TacticSuccess), f"{tactic!r} on {statement!r}: {result}"
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def table(title: str, groups: dict[str, list[float]], base: float) -> None:
    print(f"{title:<16}{'steps':>7}{'median ms':>12}{'p90 ms':>10}{'× structural':>15}")
    for name, times in groups.items():
        median = statistics.median(times)
        p90 = percentile(times, 0.9)
        print(f"{name:<16}{len(times):>7}{median * 1e3:>12.3f}{p90 * 1e3:>10.3f}{median / base:>15.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per step")
    args = parser.parse_args()
    env = MiniEnv()
    by_family: dict[str, list[float]] = {}
    by_tactic: dict[str, list[float]] = {}
    for statement, tactic, family in CASES:
        times = measure(env, statement, tactic, args.repeats, args.timeout)
        by_family.setdefault(family, []).extend(times)
        by_tactic.setdefault(tactic.split()[0], []).extend(times)
    env.close()
    base = statistics.median(by_family[STRUCTURAL])
    print(f"mini backend (embedded fragment prover, not Lean); {args.repeats} repeats per case")
    table("family", by_family, base)
    print()
    table("tactic", by_tactic, base)


if __name__ == "__main__":
    main()
