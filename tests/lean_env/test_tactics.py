"""Structural tactics of `mini`: goals, case tags and names as Lean 4 prints them."""

from __future__ import annotations

import pytest

from lean_env.contract import TacticError, TacticSuccess
from lean_env.mini import MiniEnv


@pytest.fixture(scope="module")
def env():
    return MiniEnv()


def run(env, statement: str, *tactics: str, goal: int = 0) -> list[str]:
    """Apply tactics in turn, each to goal `goal` of the latest state; return goal texts."""
    state = env.start(statement)
    for tac in tactics:
        r = env.apply(state, tac, goal=goal, timeout=10)
        assert isinstance(r, TacticSuccess), f"{tac!r} failed: {r}"
        state = r.state
    return [g.text for g in state.goals]


def fails(env, statement: str, tactic: str) -> str:
    r = env.apply(env.start(statement), tactic, timeout=10)
    assert isinstance(r, TacticError), f"{tactic!r} unexpectedly gave {r}"
    return r.message


def test_constructor_cases_match_recorded_lean(env):
    # recorded REPL output (proof_branching): case tags left/right, hypotheses kept
    goals = run(env, "theorem complex_and (p q r : Prop) (h1 : p ∧ q) (h2 : q → r) : p ∧ r := by sorry",
                "constructor")
    assert goals == ["case left\np q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ p",
                     "case right\np q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ r"]


def test_apply_keeps_case_tag_like_lean(env):
    st = "theorem complex_and (p q r : Prop) (h1 : p ∧ q) (h2 : q → r) : p ∧ r := by sorry"
    state = env.start(st)
    state = env.apply(state, "apply And.intro").state
    assert isinstance(env.apply(state, "exact h1.left", goal=0), TacticSuccess)
    right = env.apply(state, "apply h2", goal=1)
    assert [g.text for g in right.goals] == ["case right\np q r : Prop\nh1 : p ∧ q\nh2 : q → r\n⊢ q"]
    assert env.apply(right.state, "exact h1.right").goals == ()


def test_induction_names_match_recorded_mathlib_repl(env):
    # recorded Mathlib REPL output (Mathlib/test/induction)
    goals = run(env, "theorem foo (x : ℕ) : x = x := by sorry", "induction x")
    assert goals == ["case zero\n⊢ 0 = 0", "case succ\nn✝ : ℕ\na✝ : n✝ = n✝\n⊢ n✝ + 1 = n✝ + 1"]


def test_induction_with_alternatives_closes(env):
    st = "theorem t (n : ℕ) : 0 + n = n := by sorry"
    assert run(env, st, "induction n with | zero => rfl | succ k ih => omega") == []


def test_intro_forall_and_implication(env):
    goals = run(env, "theorem t : ∀ x : ℕ, x > 2 → x ≠ 0 := by sorry", "intro x hx")
    assert goals == ["x : ℕ\nhx : x > 2\n⊢ x ≠ 0"]
    goals = run(env, "theorem t : ∀ x : ℕ, x > 2 → x ≠ 0 := by sorry", "intro")
    assert goals == ["x✝ : ℕ\n⊢ x✝ > 2 → x✝ ≠ 0"]
    goals = run(env, "theorem t (p : Prop) : ¬p → ¬p := by sorry", "intro h h'")
    assert goals == ["p : Prop\nh : ¬p\nh' : p\n⊢ False"]


def test_intro_shadowing_makes_old_inaccessible(env):
    goals = run(env, "theorem t (x : ℕ) (h : x = 1) : ∀ x : ℕ, x = x := by sorry", "intro x")
    assert goals == ["x✝ : ℕ\nh : x✝ = 1\nx : ℕ\n⊢ x = x"]


def test_rcases_and_obtain_patterns(env):
    st = "theorem t (p q r : Prop) (h : p ∧ q ∨ r) : q ∨ r := by sorry"
    goals = run(env, st, "rcases h with ⟨hp, hq⟩ | hr")
    assert goals == ["case inl\np q r : Prop\nhp : p\nhq : q\n⊢ q ∨ r", "case inr\np q r : Prop\nhr : r\n⊢ q ∨ r"]
    st = "theorem t (f : ℕ → ℕ) (h : ∃ x, f x = 3 ∧ x > 1) : ∃ y, f y = 3 := by sorry"
    goals = run(env, st, "obtain ⟨x, hx, h1⟩ := h")
    assert goals == ["f : ℕ → ℕ\nx : ℕ\nhx : f x = 3\nh1 : x > 1\n⊢ ∃ y, f y = 3"]
    assert run(env, st, "obtain ⟨x, hx, h1⟩ := h", "exact ⟨x, hx⟩") == []
    assert run(env, st, "obtain ⟨x, hx, h1⟩ := h", "use x") == []


def test_cases_or_gives_inaccessible_names(env):
    goals = run(env, "theorem t (p q : Prop) (h : p ∨ q) : q ∨ p := by sorry", "cases h")
    assert goals == ["case inl\np q : Prop\nh✝ : p\n⊢ q ∨ p", "case inr\np q : Prop\nh✝ : q\n⊢ q ∨ p"]
    goals = run(env, "theorem t (p q : Prop) (h : p ∨ q) : q ∨ p := by sorry", "cases' h with hp hq")
    assert goals[1] == "case inr\np q : Prop\nhq : q\n⊢ q ∨ p"


def test_left_right_exfalso_contradiction(env):
    st = "theorem t (p q : Prop) (hp : p) : p ∨ q := by sorry"
    assert run(env, st, "left") == ["case h\np q : Prop\nhp : p\n⊢ p"]
    assert run(env, st, "left", "exact hp") == []
    assert fails(env, st, "contradiction").startswith("tactic 'contradiction' failed")
    st = "theorem t (p q : Prop) (hp : p) (hn : ¬p) : q := by sorry"
    assert run(env, st, "contradiction") == []
    assert run(env, st, "exfalso") == ["p q : Prop\nhp : p\nhn : ¬p\n⊢ False"]
    assert run(env, st, "exact absurd hp hn") == []
    assert run(env, st, "exfalso", "exact hn hp") == []


def test_by_contra_and_by_cases(env):
    st = "theorem t (x : ℤ) : x = x := by sorry"
    assert run(env, st, "by_contra h") == ["x : ℤ\nh : ¬x = x\n⊢ False"]
    goals = run(env, st, "by_cases h : x < 0")
    assert goals[1] == "case neg\nx : ℤ\nh : ¬x < 0\n⊢ x = x"  # recorded REPL output (by_cases)
    assert run(env, "theorem t (p : Prop) (h : p) : ¬¬p := by sorry", "by_contra hn") == [
        "p : Prop\nh : p\nhn : ¬p\n⊢ False"
    ]


def test_use_specialize_have(env):
    assert run(env, "theorem t : ∃ n : ℕ, n + 2 = 5 := by sorry", "use 3") == []
    assert run(env, "theorem t : ∃ n : ℕ, n + 2 = 5 := by sorry", "use 4") == ["case h\n⊢ 4 + 2 = 5"]
    st = "theorem t (f : ℤ → ℤ) (h : ∀ x, f x = 2 * x) : f 3 = 6 := by sorry"
    assert run(env, st, "specialize h 3") == ["f : ℤ → ℤ\nh : f 3 = 2 * 3\n⊢ f 3 = 6"]
    goals = run(env, st, "have h3 : f 3 = 2 * 3 := h 3")
    assert goals[0].endswith("h3 : f 3 = 2 * 3\n⊢ f 3 = 6")
    assert run(env, st, "have h3 := h 3", "rw [h3]") == [
        "f : ℤ → ℤ\nh : ∀ (x : ℤ), f x = 2 * x\nh3 : f 3 = 2 * 3\n⊢ 2 * 3 = 6"
    ]
    assert run(env, st, "have h3 : f 3 = 2 * 3 := by exact h 3", "omega") == []


def test_rw_forward_backward_and_at(env):
    st = "theorem t (a b c : ℕ) (h₀ : a = b) (h₁ : b = c) : a = c := by sorry"
    assert run(env, st, "rw [h₀]") == ["a b c : ℕ\nh₀ : a = b\nh₁ : b = c\n⊢ b = c"]
    assert run(env, st, "rw [h₀, h₁]") == []
    assert run(env, st, "rw [← h₁]") == ["a b c : ℕ\nh₀ : a = b\nh₁ : b = c\n⊢ a = b"]
    assert run(env, st, "rw [h₁] at h₀") == ["a b c : ℕ\nh₀ : a = c\nh₁ : b = c\n⊢ a = c"]
    msg = fails(env, st, "rw [h₁] at h₁")
    assert "motive" in msg or "did not find" in msg
    assert "did not find instance" in fails(env, "theorem t (a b : ℕ) (h : a = b) : b = 1 := by sorry", "rw [h]")


def test_rw_with_quantified_hypothesis(env):
    st = "theorem t (f : ℤ → ℤ) (h : ∀ x, f x = 2 * x) : f 3 = 6 := by sorry"
    assert run(env, st, "rw [h]") == ["f : ℤ → ℤ\nh : ∀ (x : ℤ), f x = 2 * x\n⊢ 2 * 3 = 6"]


def test_subst(env):
    st = "theorem t (x y : ℕ) (h : x = y + 1) : x > y := by sorry"
    assert run(env, st, "subst h") == ["y : ℕ\n⊢ y + 1 > y"]
    assert run(env, st, "subst x") == ["y : ℕ\n⊢ y + 1 > y"]


def test_exact_sees_through_gt_and_ne(env):
    assert run(env, "theorem t (a b : ℕ) (h : b < a) : a > b := by sorry", "exact h") == []
    assert run(env, "theorem t (a : ℕ) (h : a = 0 → False) : a ≠ 0 := by sorry", "exact h") == []
    msg = fails(env, "theorem t (a b : ℕ) (h : a < b) : a > b := by sorry", "exact h")
    assert msg.startswith("type mismatch")


def test_errors_are_results_not_exceptions(env):
    st = "theorem t (p : Prop) (hp : p) : p := by sorry"
    for tac in ["exact nope", "rcases hp with", "apply", "cases 3", "induction p", "rw [nope]", "constructor",
                "intro x", "use 1", "exact ⟨hp, hp⟩", "specialize hp 1", "linarith [nope]", ")", "have : := 1"]:
        r = env.apply(env.start(st), tac)
        assert isinstance(r, TacticError), (tac, r)
        assert "internal error" not in r.message, (tac, r.message)


def test_verify_replays_script_with_bullets_and_nested_by(env):
    st = "theorem t (p q : Prop) (hp : p) (hq : q) : (p ∧ q) ∧ (q ∨ p) := by sorry"
    ok = env.verify(st, "constructor\n· constructor\n  · exact hp\n  · exact hq\n· left\n  exact hq")
    assert ok.ok, ok.messages
    bad = env.verify(st, "constructor\n· exact ⟨hp, hq⟩")
    assert not bad.ok and "unsolved goals" in bad.messages[0]
    assert not env.verify(st, "sorry").ok
    assert not env.verify(st, "constructor\n· exact ⟨hp, hq⟩\n· native_decide").ok
    nested = "have h : q ∨ p := by\n  left\n  exact hq\nexact ⟨⟨hp, hq⟩, h⟩"
    assert env.verify(st, nested).ok
    assert env.verify(st, "exact ⟨⟨hp, hq⟩, Or.inl hq⟩").ok


def test_rfl_term_reduces_closed_literal_arithmetic(env):
    st = "theorem t : ∃ x : ℕ, x + 3 = 7 := by sorry"
    assert run(env, st, "exact ⟨4, rfl⟩") == []
    assert "not equal" in fails(env, st, "exact ⟨5, rfl⟩")
