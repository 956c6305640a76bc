"""The pure parts of the `repl` request layer: goal views (case tags, metavariables), the tactic
text that addresses one goal, and the theorem-name check."""

from __future__ import annotations

import pytest

pytest.importorskip("lean_interact")

from lean_env.repl.protocol import addressed, balanced, focused, goal_views, mentioned_mvars, mentions_name


def test_goal_views_name_their_metavariables() -> None:
    w, h, other = goal_views(["case w\n⊢ ℕ", "case h\nx : ℕ\n⊢ ?w + 2 = 5 ∧ ?m.12 ≤ x", "case left\n⊢ p"])
    assert (w.case, w.canonical, w.mvars) == ("w", "⊢ ℕ", frozenset({"?w"}))
    assert h.mvars == frozenset({"?w", "?m.12"}) and h.canonical == "x : ℕ\n⊢ ?w + 2 = 5 ∧ ?m.12 ≤ x"
    assert other.mvars == frozenset()  # `left` is no metavariable anyone mentions
    alone, = goal_views(["case w\n⊢ ℕ"])
    assert alone.mvars == frozenset()
    # not metavariables: `xs[i]?`, `List.get?`, universe levels `?u.3`
    assert mentioned_mvars("h : xs[i]? = some a\n⊢ List.get? l 0 = none ∧ Sort ?u.3 = Sort ?u.3") == frozenset()
    assert mentioned_mvars("⊢ f ?a.b = ?_uniq.3") == frozenset({"?a.b", "?_uniq.3"})


def test_the_addressed_goal_comes_first_under_focus() -> None:
    assert focused("simp", 0, (), 1) == "((focus (simp)); all_goals skip)"  # one form for every state
    assert focused("exact hp", 0, (), 2) == "((focus (exact hp)); all_goals skip)"
    assert focused("nlinarith [sq_nonneg x]", 1, (), 2, heartbeats=5000) == (
        "(rotate_left 1; (focus (leanzero_budget 5000 in (nlinarith [sq_nonneg x]))); all_goals skip)"
    )
    assert focused("exact 3", 2, (3, 4), 6) == "(rotate_left 2; (focus (exact 3)); all_goals skip)"
    for goal, with_goals, total in ((1, (0,), 3), (0, (2,), 3), (0, (1,), 1), (3, (), 3)):
        with pytest.raises(ValueError):
            focused("rfl", goal, with_goals, total)
    with pytest.raises(ValueError, match="unbalanced"):
        focused("skip)); all_goals (exact h", 0, (), 2)
    assert balanced("exact ⟨fun x => (x, [1, 2]), {a := 1}⟩") and not balanced("exact (h ⟩")
    # 5 goals, goal 1 with (2,): the 3 others stay at the end; of 4 goals after, 1 is the contract's
    assert addressed(4, 5, 1) == 1 and addressed(3, 5, 1) == 0 and addressed(2, 5, 1) == -1


def test_the_theorem_cannot_prove_itself() -> None:
    assert mentions_name("exact two", "two") and mentions_name("rw [two] at h", "two")
    assert not mentions_name("exact two_pos", "two") and not mentions_name("exact Nat.two", "two")
    assert mentions_name("apply bar", "Foo.bar") and mentions_name("exact Foo.bar h", "Foo.bar")


def test_untouched_goals_must_come_back_unchanged() -> None:
    from lean_env.repl.protocol import same_goal, untouched_mismatch

    a, b, c = "⊢ p", "x : ℕ\n⊢ ?m.12 ≤ x", "⊢ q"
    assert same_goal("x : ℕ\n⊢ ?m.12 ≤ x", "x : ℕ\n⊢ ?m.40 ≤ x") and not same_goal("⊢ ?w = 1", "⊢ 3 = 1")
    # goal 1 of [a, b, c] addressed: rotated [b, c, a]; c and a stay, at the end, renumbering aside
    assert untouched_mismatch([a, b, c], 1, 0, ["⊢ r", "⊢ s", c, a]) is None
    assert untouched_mismatch([a, "x : ℕ\n⊢ ?m.3 ≤ x", c], 0, 0, ["x : ℕ\n⊢ ?m.9 ≤ x", c]) is None
    assert "changed" in (untouched_mismatch([a, b, c], 0, 0, ["x : ℕ\n⊢ 3 ≤ x", c]) or "")  # assigned a sibling's mvar
    assert "closed 1" in (untouched_mismatch([a, b, c], 0, 0, [c]) or "")  # closed a goal it was not given
    assert untouched_mismatch([a, b, c], 0, 1, [c]) is None  # b came with it (with_goals) and went
    assert untouched_mismatch([a], 0, 0, []) is None


def test_lean_stopping_a_tactic_at_its_heartbeats_is_told_apart() -> None:
    from lean_interact.interface import LeanError

    from lean_env.repl.protocol import StepFailed, read_step

    stopped = read_step(LeanError(message="Lean error:\n(deterministic) timeout at `whnf`, maximum number of "
                                          "heartbeats (5000) has been reached\nUse `set_option maxHeartbeats <num>`"))
    assert isinstance(stopped, StepFailed) and stopped.heartbeats and not stopped.lost
    other = read_step(LeanError(message="Lean error:\nlinarith failed to find a contradiction"))
    assert isinstance(other, StepFailed) and not other.heartbeats


def test_an_untagged_type_goal_couples_its_state() -> None:
    from lean_env.text.goals import COUPLED_TYPE_GOAL, is_type_target

    witness, prop = goal_views(["⊢ ℕ", "x : ℕ\n⊢ ?m.7 + 2 = 5"])
    assert COUPLED_TYPE_GOAL in witness.mvars and COUPLED_TYPE_GOAL in prop.mvars
    assert all(is_type_target(t) for t in ("ℕ", "Finset ℝ", "ℕ → ℝ", "(α × β)", "Type*", "Set (Fin 3)"))
    assert not any(is_type_target(t) for t in ("2 = 2", "x ≤ y", "p ∧ q", "Nat.Prime p", "f x = 3", ""))
    alone, = goal_views(["⊢ ℕ"])  # one goal: nothing to couple
    plain = goal_views(["⊢ p", "⊢ q"])
    assert alone.mvars == frozenset() and all(g.mvars == frozenset() for g in plain)
    tagged = goal_views(["case w\n⊢ ℕ", "case h\n⊢ ?w + 2 = 5"])  # tagged: `?w` already says who is coupled
    assert all(COUPLED_TYPE_GOAL not in g.mvars for g in tagged)
