"""The tactics and lemmas of the reach issue: `field_simp`, `interval_cases`, `abs_cases`,
`sub_ne_zero_of_ne`; what each proves, and that misapplying one fails (never a false goal)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from lean_env.contract import TacticError, TacticSuccess
from lean_env.mini import MiniEnv
from lean_env.mini.errors import UNBOUNDED
from lean_env.mini.evaluate import NotEvaluable, evaluate
from lean_env.mini.field_simp import clear
from lean_env.mini.terms import REAL, App, Arith, Arrow, Const, Lit, Neg, Rel, Var


@pytest.fixture(scope="module")
def env():
    return MiniEnv()


def goals(env, statement: str, *tactics: str) -> list[str]:
    state = env.start(statement)
    for tac in tactics:
        r = env.apply(state, tac, timeout=10)
        assert isinstance(r, TacticSuccess), f"{tac!r} failed: {r}"
        state = r.state
    return [g.text for g in state.goals]


def fails(env, statement: str, tactic: str) -> str:
    r = env.apply(env.start(statement), tactic, timeout=10)
    assert isinstance(r, TacticError), f"{tactic!r} unexpectedly gave {r}"
    return r.message


def proves(env, statement: str, script: str) -> bool:
    return env.verify(statement, script).ok


# ---------------------------------------------------------------- field_simp


def test_field_simp_clears_nonzero_denominators(env):
    assert goals(env, "theorem t (x : ℝ) (h₀ : x ≠ 0) (h₁ : 3 + 1 / x = 7 / x) : x = 2", "field_simp at h₁") == [
        "x : ℝ\nh₀ : x ≠ 0\nh₁ : 3 * x + 1 = 7\n⊢ x = 2"]
    assert proves(env, "theorem t (x y : ℝ) (h₀ : x ≠ 0) (h₁ : y ≠ 0) (h₂ : x + y = 4 * (x * y)) : 1 / x + 1 / y = 4",
                  "field_simp\nlinarith")
    assert proves(env, "theorem t (n : ℝ) (h₀ : n ≠ 3) (h₁ : (n + 5) / (n - 3) = 2) : n = 11",
                  "have h : n - 3 ≠ 0 := sub_ne_zero_of_ne h₀\nfield_simp at h₁\nlinarith")
    assert proves(env, "theorem t (x : ℝ) (h : 0 < x) : x / x = 1", "field_simp")  # positivity discharges


def test_field_simp_needs_the_nonzero_facts(env):
    assert fails(env, "theorem t (x : ℝ) : x / x = 1", "field_simp") == "field_simp made no progress"
    # `x - 3 ≠ 0` is not read off `x ≠ 3` (no sub_ne_zero in the discharger)
    fails(env, "theorem t (n : ℝ) (h₀ : n ≠ 3) (h₁ : (n + 5) / (n - 3) = 2) : n = 11", "field_simp at h₁")
    # an order needs positive denominators: `x ≠ 0` is not enough to clear `1 / x ≤ 1`
    fails(env, "theorem t (x : ℝ) (h : x ≠ 0) : 1 / x ≤ 1", "field_simp")
    assert goals(env, "theorem t (x : ℝ) (h : 0 < x) : 1 / x ≤ 1", "field_simp") == ["x : ℝ\nh : 0 < x\n⊢ 1 ≤ x"]
    fails(env, "theorem t (a b : ℕ) (h : b ≠ 0) : a / b * b = a", "field_simp")  # ℕ is not a field


X, Y = Var("x", REAL), Var("y", REAL)


def _inv(t):
    return App(Const("Inv.inv", Arrow(REAL, REAL)), (t,), REAL)


def _r(v: int):
    return Lit(v, REAL) if v >= 0 else Neg(Lit(-v, REAL), REAL)


def _term(rng: random.Random, depth: int):
    if depth == 0 or rng.random() < 0.3:
        return rng.choice([X, Y, _r(rng.randint(-2, 3))])
    op = rng.choice(["+", "-", "*", "/", "/", "inv"])
    if op == "inv":
        return _inv(_term(rng, depth - 1))
    return Arith(op, _term(rng, depth - 1), _term(rng, depth - 1), REAL)


def test_field_simp_keeps_the_truth_value_where_the_facts_hold():
    """Random equations and orders with random nonzero/positive facts: wherever the facts hold
    (rational points, `x / 0 = 0`), the cleared relation is true exactly when the original is."""
    rng = random.Random(14)
    points = [{"x": Fraction(a), "y": Fraction(b)} for a in ("-2", "-1/2", "0", "1/3", "1", "3")
              for b in ("-1", "0", "1/2", "2")]
    changed = 0
    for _ in range(400):
        facts = rng.sample([Rel("≠", X, _r(0)), Rel("<", _r(0), Y), Rel("≠", Arith("-", X, Y, REAL), _r(0)),
                            Rel("≠", Arith("+", X, _r(1), REAL), _r(0))], rng.randint(0, 3))
        prop = Rel(rng.choice(["=", "≠", "<", "≤"]), _term(rng, 3), _term(rng, 3))
        new = clear(prop, facts, UNBOUNDED)
        if new is None:
            continue
        changed += 1
        for env in points:
            try:
                if all(evaluate(f, env) for f in facts):
                    assert evaluate(prop, env) == evaluate(new, env), (prop, new, facts, env)
            except NotEvaluable:
                pass
    assert changed >= 50


# ---------------------------------------------------------------- interval_cases


def test_interval_cases_splits_between_the_bounds(env):
    assert goals(env, "theorem t (x : ℕ) (h : x < 3) : x * x ≠ 5", "interval_cases x") == [
        "h : 0 < 3\n⊢ 0 * 0 ≠ 5", "h : 1 < 3\n⊢ 1 * 1 ≠ 5", "h : 2 < 3\n⊢ 2 * 2 ≠ 5"]
    assert proves(env, "theorem t (x y : ℤ) (h₀ : 0 < y) (h₁ : y < x) (h₂ : x + y + x * y = 80) : x = 26",
                  "have h : y ≤ 8 := by nlinarith\ninterval_cases y <;> omega")
    assert proves(env, "theorem t (x : ℤ) (h : x < 3) (h2 : -2 ≤ x) : x * x ≤ 4", "interval_cases x <;> norm_num")
    assert goals(env, "theorem t (x : ℕ) (h : 5 < x) (h' : x ≤ 5) : False", "interval_cases x") == []


def test_interval_cases_needs_both_bounds(env):
    assert "lower bound" in fails(env, "theorem t (x : ℤ) (h : x < 3) : x * x ≠ 5", "interval_cases x")
    assert "upper bound" in fails(env, "theorem t (x : ℕ) (h : 2 < x) : x ≠ 1", "interval_cases x")
    assert "upper bound" in fails(env, "theorem t (x : ℕ) (h : x < 3 ∧ True) : x ≠ 7", "interval_cases x")
    assert "limit" in fails(env, "theorem t (x : ℕ) (h : x < 1000) : x ≠ 7000", "interval_cases x")
    fails(env, "theorem t (x : ℝ) (h : 0 ≤ x) (h' : x < 3) : x ≠ 1 / 2", "interval_cases x")  # not integers
    # an unprovable case stays open: the split never closes what it should not
    assert not proves(env, "theorem t (x : ℕ) (h : x < 3) : x * x ≠ 4", "interval_cases x <;> norm_num")


# ---------------------------------------------------------------- lemmas


def test_abs_cases_and_sub_ne_zero_of_ne(env):
    assert proves(env, "theorem t (x p : ℝ) (h₀ : x < 2) (h₁ : |x - 2| = p) : x - p = 2 - 2 * p",
                  "rcases abs_cases (x - 2) with ⟨h, h2⟩ | ⟨h, h2⟩ <;> linarith")
    assert not proves(env, "theorem t (x : ℝ) : |x| = x", "rcases abs_cases x with ⟨h, h2⟩ | ⟨h, h2⟩ <;> linarith")
    assert "Lattice ℕ" in fails(env, "theorem t (x : ℕ) : True", "rcases abs_cases x with ⟨h, h2⟩ | ⟨h, h2⟩")
    assert proves(env, "theorem t (x : ℝ) (h₀ : x ≠ 1) : x - 1 ≠ 0", "exact sub_ne_zero_of_ne h₀")
    assert "AddGroup ℕ" in fails(env, "theorem t (x : ℕ) (h₀ : x ≠ 1) : x - 1 ≠ 0", "exact sub_ne_zero_of_ne h₀")
    fails(env, "theorem t (x : ℝ) (h₀ : x < 1) : x - 1 ≠ 0", "exact sub_ne_zero_of_ne h₀")
    fails(env, "theorem t (x : ℝ) (h₀ : x ≠ 1) : 1 - x ≠ 0", "exact sub_ne_zero_of_ne h₀")


def test_residue_split_as_the_action_space_writes_it(env):
    script = ("obtain ⟨k, hk | hk | hk⟩ : ∃ k, a = 3 * k ∨ a = 3 * k + 1 ∨ a = 3 * k + 2 := ⟨a / 3, by omega⟩ "
              "<;> subst hk <;> ring_nf <;> omega")
    assert proves(env, "theorem t (a : ℤ) : a ^ 2 % 3 = 0 ∨ a ^ 2 % 3 = 1", script)
    assert not proves(env, "theorem t (a : ℤ) : a ^ 2 % 3 = 0", script)


LIBRARY = [  # (statement, proof, proves?): each lemma as Mathlib states it, and misapplied
    ("theorem t (k : ℕ) : 2 ^ (k + 1) = 2 ^ k * 2", "exact pow_succ 2 k", True),
    ("theorem t (k : ℕ) : 2 ^ (k + 1) = 2 * 2 ^ k", "exact pow_succ 2 k", False),
    ("theorem t (x : ℝ) (m n : ℕ) : x ^ (m + n) = x ^ m * x ^ n", "exact pow_add x m n", True),
    ("theorem t (x : ℝ) (m n : ℕ) : x ^ (m * n) = (x ^ m) ^ n", "exact pow_mul x m n", True),
    ("theorem t (x : ℝ) (m n : ℕ) : x ^ (m * n) = (x ^ n) ^ n", "exact pow_mul x m n", False),
    ("theorem t (n : ℕ) : (n + 1)! = (n + 1) * n !", "rw [Nat.factorial_succ]", True),
    ("theorem t (n : ℕ) : (n + 1)! = n * n !", "exact Nat.factorial_succ n", False),
    ("theorem t (n k : ℕ) : Nat.choose (n + 1) (k + 1) = Nat.choose n k + Nat.choose n (k + 1)",
     "exact Nat.choose_succ_succ n k", True),
    ("theorem t (n k : ℕ) : Nat.choose (n + 1) k = Nat.choose n k + Nat.choose n (k + 1)",
     "exact Nat.choose_succ_succ n k", False),
    ("theorem t (a b : ℕ) : a ^ b % 7 = (a % 7) ^ b % 7", "exact Nat.pow_mod a b 7", True),
    ("theorem t (a : ℤ) : a ^ 2 % 7 = (a % 7) ^ 2 % 7", "exact Nat.pow_mod a 2 7", False),  # ℕ only
    ("theorem t (m n : ℕ) : Nat.gcd m n * Nat.lcm m n = m * n", "exact Nat.gcd_mul_lcm m n", True),
    ("theorem t (x y n : ℕ) (h : x ∣ y) (hn : n ≠ 0) : x ∣ y ^ n", "exact dvd_pow h hn", True),
    ("theorem t (x y n : ℕ) (h : x ∣ y) (hn : n = 0) : x ∣ y ^ n", "exact dvd_pow h hn", False),
    ("theorem t (p m n : ℕ) (pp : Nat.Prime p) (h : p ∣ m ^ n) : p ∣ m", "exact Nat.Prime.dvd_of_dvd_pow pp h", True),
    ("theorem t (p m n : ℕ) (pp : p > 1) (h : p ∣ m ^ n) : p ∣ m", "exact Nat.Prime.dvd_of_dvd_pow pp h", False),
    ("theorem t (p q m n : ℕ) (pp : Nat.Prime q) (h : p ∣ m ^ n) : p ∣ m",
     "exact Nat.Prime.dvd_of_dvd_pow pp h", False),
    ("theorem t (a b : ℕ) : a - b + b = a ∨ a < b", "rcases le_or_lt b a with h | h\n· left\n  omega\n· right\n  omega",
     True),
    ("theorem t (a b : ℕ) : a ≤ b ∨ a < b", "exact le_or_lt a b", False),
    ("theorem t (a b : ℕ) : a - b + b = a", "rcases le_or_lt b a with h | h\n· omega\n· omega", False),
    ("theorem t (n : ℕ) : ∏ k ∈ Finset.range n, (k + 1) = n !",
     "induction n with\n| zero => rfl\n| succ n ih =>\n"
     "  rw [Finset.prod_range_succ, ih, Nat.factorial_succ]\n  ring", True),
]


@pytest.mark.parametrize(("statement", "proof", "holds"), LIBRARY)
def test_library_facts_as_mathlib_states_them(env, statement: str, proof: str, holds: bool):
    v = env.verify(statement, proof)
    assert v.ok == holds, v.messages


CASTS = [  # push_cast / norm_cast / exact_mod_cast: casts as injective ordered ring homomorphisms
    ("theorem t (a b : ℕ) (h : (a : ℝ) + b = 7) : a + b = 7", "exact_mod_cast h", True),
    ("theorem t (a b : ℕ) (h : (a : ℤ) ∣ b) : a ∣ b", "exact_mod_cast h", True),
    ("theorem t (a b : ℕ) (h : (a : ℤ) < b) : a < b", "exact_mod_cast h", True),
    ("theorem t (a b : ℤ) (h : ((a + b : ℤ) : ℝ) = 7) : a + b = 7", "push_cast at h\nexact_mod_cast h", True),
    ("theorem t (a b : ℕ) (h₀ : (5 : ℚ) / 8 * b = 2 / 3 * a + 7) (h₁ : (b : ℚ) - 5 / 8 * b = a - 2 / 3 * a + 7) : "
     "a = 42", "have h : (a : ℚ) = 42 := by linarith\nexact_mod_cast h", True),
    # ℕ's truncated `-` is no homomorphism: (a : ℝ) - b = 7 says nothing of a - b
    ("theorem t (a b : ℕ) (h : (a : ℝ) - b = 7) : a - b = 7", "exact_mod_cast h", False),
    # `∣` in a field is almost always true: it is not lifted back
    ("theorem t (a b : ℕ) (h : (a : ℝ) ∣ b) : a ∣ b", "exact_mod_cast h", False),
    ("theorem t (a : ℕ) (h : ((a / 2 : ℕ) : ℝ) = 3) : (a : ℝ) / 2 = 3", "push_cast at h\nexact h", False),
    ("theorem t (a b : ℕ) (h : (a : ℝ) + b = 7) : a + b = 8", "exact_mod_cast h", False),
]


@pytest.mark.parametrize(("statement", "proof", "holds"), CASTS)
def test_cast_tactics(env, statement: str, proof: str, holds: bool):
    v = env.verify(statement, proof)
    assert v.ok == holds, v.messages
