"""Candidate tactics from goal text alone: parsing, outermost connectives, fresh names."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lean_env.contract import GoalView
from prover.candidates import CLOSERS, Hypothesis, basic_candidates, binder_names, fresh, head, parse_goal


def cands(text: str, **kw: int) -> list[str]:
    return basic_candidates(GoalView(text, text), **kw)


def test_parse_goal_reads_case_names_wrapped_lines_and_target() -> None:
    text = "case succ\nx y : ℕ\nh₀ :\n  ∀ (n : ℕ),\n    f n = n + 1\nx✝ : x < y\n⊢ x +\n    1 ≤ y"
    goal = parse_goal(text)
    assert goal.case == "succ"
    assert goal.hypotheses == (
        Hypothesis("x", "ℕ"),
        Hypothesis("y", "ℕ"),
        Hypothesis("h₀", "∀ (n : ℕ), f n = n + 1"),
        Hypothesis("x✝", "x < y"),
    )
    assert goal.target == "x + 1 ≤ y"
    assert not goal.hypotheses[-1].accessible
    assert parse_goal("⊢ True").case is None


def test_head_finds_the_outermost_connective() -> None:
    assert head("p ∧ q → r") == "→"
    assert head("p ↔ q → r") == "↔"
    assert head("p ∨ q ∧ r") == "∨"
    assert head("¬p ∧ q") == "∧"
    assert head("¬(p ∧ q)") == "¬"
    assert head("(p ∧ q)") is None
    assert head("∀ (x : ℕ), x = x ∧ p") == "∀"
    assert head("∃ x, x > 0") == "∃"
    assert head("p → ∀ x, x = 0 ∧ p") == "→"
    assert head("f (a ∧ b) = c") == "="
    assert head("x ≠ 0") == "≠"
    assert head("x < y") is None
    assert head("g = fun x => x ∧ p") == "="


def test_binder_names() -> None:
    assert binder_names("∀ (x y : ℕ) (h : x < y), p") == (["x", "y", "h"], False)
    assert binder_names("∀ x > 0, x ≠ 7") == (["x"], True)
    assert binder_names("∃ n m, n < m") == (["n", "m"], False)
    assert binder_names("∃ x : ℤ, x = 1") == (["x"], False)
    assert binder_names("∀ {α : Type} [inst : Foo α], p") == (["α", "inst"], False)


def test_fresh_avoids_used_names() -> None:
    used = {"h", "h₁", "x"}
    assert fresh("h", used) == "h₂"
    assert fresh("h₀", used) == "h₀"
    assert fresh("y", used) == "y"
    assert fresh("_", set()) == "x"
    assert {"h₂", "h₀", "y"} <= used


def test_conjunction_target_with_matching_hypotheses() -> None:
    out = cands("p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q")
    assert out[0] == "constructor"
    assert "assumption" in out and "exfalso" in out
    assert not any(t.startswith(("exact", "intro", "left", "rcases", "use")) for t in out)
    assert cands("p : Prop\nhp : p\n⊢ p")[:2] == ["exact hp", "assumption"]


def test_introductions_use_fresh_names() -> None:
    assert cands("x : ℕ\n⊢ ∀ (x y : ℕ), x + y = y + x")[0] == "intro x₁ y"
    assert cands("x : ℕ\n⊢ ∀ n > 0, n ≠ 7")[0] == "intro n h"
    assert cands("h : p\n⊢ p → q")[0] == "intro h₁"
    assert cands("⊢ ¬(p ∧ q)")[0] == "intro h"
    assert not any(t.startswith("intro") for t in cands("⊢ (p → q) ∧ r"))


def test_disjunction_and_iff_targets() -> None:
    assert cands("⊢ p ∨ q")[:2] == ["left", "right"]
    assert cands("⊢ p ↔ q")[0] == "constructor"


def test_case_analysis_on_hypotheses() -> None:
    text = "h : p ∨ q\nh₁ : ∃ n m, n < m\nh₂ : ∃ n > 3, q\nhab : a ∧ b\nx✝ : c ∧ d\n⊢ r"
    out = cands(text)
    assert "rcases h with ha | hb" in out
    assert "rcases h₁ with ⟨n, m, h₃⟩" in out
    assert "rcases h₂ with ⟨n, h₃, h₄⟩" in out
    assert "rcases hab with ⟨ha, hb⟩" in out
    assert not any("✝" in t for t in out)


def test_closers_equations_and_witnesses() -> None:
    out = cands("x : ℕ\nh : x = 3\nh' : x < 5\n⊢ ∃ k, k * 2 = x + 10")
    for closer in CLOSERS:
        assert closer in out
    assert "simp [h]" in out and "simp [h']" not in out
    uses = [t for t in out if t.startswith("use ")]
    assert uses == ["use 0", "use 1", "use 3", "use 5", "use 2", "use 10"]
    assert "exfalso" not in cands("⊢ False")


def test_limit_and_no_duplicates() -> None:
    hyps = "\n".join(f"h{i} : a{i} ∧ b{i}" for i in range(40))
    out = cands(hyps + "\n⊢ p", limit=32)
    assert len(out) == 32 and len(set(out)) == 32
    assert cands(hyps + "\n⊢ p", limit=5) == out[:5]


GOAL_TEXT = st.text(alphabet=st.sampled_from(list("hpqx :⊢∀∃∧∨→↔¬()⟨⟩,=<>01\n✝₁ case")), max_size=60)


@settings(max_examples=200, deadline=None)
@given(GOAL_TEXT)
def test_any_text_gives_a_deterministic_bounded_list(text: str) -> None:
    out = cands(text, limit=10)
    assert out == cands(text, limit=10)
    assert len(out) <= 10 and len(set(out)) == len(out)
    assert all(t.strip() == t and t and "\n" not in t for t in out)
    assert not any("✝" in t for t in out)


def test_stray_closing_bracket_in_binder_terminates() -> None:
    # regression: a `)` right after `∀` once made binder_names loop forever
    from prover.candidates import binder_names

    assert binder_names("∀ ) x, p") == (["x"], False)
    assert len(cands("⊢ ∀ ), p", limit=10)) <= 10
