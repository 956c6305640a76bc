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
    assert focused("simp", 0, (), 1) == "simp"
    assert focused("exact hp", 0, (), 2) == "((focus (exact hp)); all_goals skip)"
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
