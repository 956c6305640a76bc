"""Goals that share metavariables are kept together (issue 3, item 2).

The fake environment models Lean's metavariables: after `refine ⟨?_, ?_⟩` on `∃ x, P x` the
witness goal `case w ⊢ ℕ` is the metavariable `?w`, and `⊢ P ?w` mentions it. Solving the
witness changes the other goal, so the two must be searched as one node, and the proof script
must not focus them apart with `·`.
"""

from __future__ import annotations

from lean_env import open_env
from lean_env.contract import GoalView, TacticError, TacticSuccess
from search.bestfirst import StopReason, best_first_search
from search.driver import mcts_search
from search.mcts import MCTSConfig
from search.tree import coupled_spans

from .fake_env import FakeEnv

W, H = "case w\n⊢ ℕ", "case h\n⊢ P ?w"
N = "case n\n⊢ ℕ"
RULES = {
    "⊢ ∃ x, P x": {"refine ⟨?_, ?_⟩": [W, H]},
    "⊢ Q ∧ ∃ x, P x": {"refine ⟨?_, ?_, ?_⟩": ["case left\n⊢ Q", W, H]},
    "⊢ Q": {"trivial": []},
    # the witness: 3 and 5 directly, or `Nat.succ ?n`, which opens a new witness goal `?n`
    W: {"exact 3": ["?w := 3"], "apply Nat.succ": [N, "?w := Nat.succ ?n"]},
    N: {"exact 4": ["?n := 4"]},
    "⊢ P ?w": {"decide": "error"},
    "⊢ P 3": {"decide": "error"},
    "⊢ P (Nat.succ 4)": {"decide": []},
    "⊢ P (Nat.succ ?n)": {"decide": "error"},
}


def _candidates(goal: GoalView) -> list[str]:
    return list(RULES.get(goal.text) or RULES.get(goal.canonical, {}))


def _views(*mvar_sets: set[str]) -> list[GoalView]:
    return [GoalView(f"⊢ g{i}", f"⊢ g{i}", None, frozenset(m)) for i, m in enumerate(mvar_sets)]


def test_coupled_spans_are_contiguous_runs() -> None:
    assert coupled_spans(_views(set(), set())) == [range(0, 1), range(1, 2)]
    assert coupled_spans(_views({"?w"}, {"?w"}, set())) == [range(0, 2), range(2, 3)]
    # a goal between two coupled ones joins their run: scripts work through runs in order
    assert coupled_spans(_views({"?m"}, set(), {"?m"}, {"?k"})) == [range(0, 3), range(3, 4)]
    assert coupled_spans(_views({"?a"}, {"?b"}, {"?a"}, {"?b"})) == [range(0, 4)]
    assert coupled_spans([]) == []


def test_mcts_keeps_coupled_goals_in_one_node_and_scripts_them_unfocused() -> None:
    env = FakeEnv("⊢ ∃ x, P x", RULES)
    result = mcts_search(env, "thm", _candidates, config=MCTSConfig(num_simulations=60))
    assert result.proved, result
    # `· exact …` would focus the witness alone and leave `⊢ P (Nat.succ ?n)` out of reach
    assert result.proof == "refine ⟨?_, ?_⟩\napply Nat.succ\nexact 4\ndecide"
    assert env.verified == [result.proof] and result.verification.ok
    tree = result.tree
    joint = tree.index["⊢ ℕ\n\n⊢ P ?w"]
    assert tree.with_goals[joint] == (1,) and tree.goal_index[joint] == 0
    assert "⊢ ℕ" not in tree.index and "⊢ P ?w" not in tree.index  # never searched apart
    # the tactics were proposed for the goal they act on, the witness
    assert tree.tactics[joint] == ("exact 3", "apply Nat.succ")
    assert tree.view[joint].text == f"{W}\n\n{H}"


def test_searching_coupled_goals_apart_would_fail() -> None:
    """The control: the same environment with the coupling hidden from the search."""

    class Uncoupled(FakeEnv):
        def _state(self, goals):  # type: ignore[no-untyped-def]
            state = super()._state(goals)
            return type(state)(state.handle, tuple(GoalView(g.text, g.canonical, g.case) for g in state.goals))

    env = Uncoupled("⊢ ∃ x, P x", RULES)
    result = mcts_search(env, "thm", _candidates, config=MCTSConfig(num_simulations=60))
    assert not result.proved and result.reason is StopReason.EXHAUSTED


def test_coupled_run_after_a_focused_goal() -> None:
    env = FakeEnv("⊢ Q ∧ ∃ x, P x", RULES)
    result = mcts_search(env, "thm", _candidates, config=MCTSConfig(num_simulations=60))
    assert result.proved
    assert result.proof == "refine ⟨?_, ?_, ?_⟩\n· trivial\napply Nat.succ\nexact 4\ndecide"
    assert result.verification.ok


def test_best_first_takes_coupled_goals_along() -> None:
    for root in ("⊢ ∃ x, P x", "⊢ Q ∧ ∃ x, P x"):
        env = FakeEnv(root, RULES)
        result = best_first_search(env, "thm", _candidates)
        assert result.proved, (root, result)
        assert env.verified == [result.proof] and result.verification.ok
    assert any(tactic == "exact 4" and text == N for text, tactic in env.calls)


def test_fake_env_assignments_follow_lean() -> None:
    env = FakeEnv("⊢ ∃ x, P x", RULES)
    (state,) = [env.start("thm")]
    split = env.apply(state, "refine ⟨?_, ?_⟩")
    assert isinstance(split, TacticSuccess)
    assert [g.mvars for g in split.goals] == [frozenset({"?w"}), frozenset({"?w"})]
    alone = env.apply(split.state, "exact 3")  # the contract: only the goal's own subgoals
    assert isinstance(alone, TacticSuccess) and alone.goals == ()
    along = env.apply(split.state, "apply Nat.succ", with_goals=(1,))
    assert isinstance(along, TacticSuccess)
    assert [g.text for g in along.goals] == [N, "case h\n⊢ P (Nat.succ ?n)"]
    # what focusing the coupled node with `·` would have given: `decide` finds no goal there
    assert not env.verify("thm", "refine ⟨?_, ?_⟩\n· apply Nat.succ\n  exact 4\n  decide").ok
    assert env.verify("thm", "refine ⟨?_, ?_⟩\napply Nat.succ\nexact 4\ndecide").ok


def test_mini_brings_with_goals_along_unchanged() -> None:
    env = open_env("mini")
    root = env.start("theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q")
    split = env.apply(root, "constructor")
    assert isinstance(split, TacticSuccess) and len(split.goals) == 2
    assert all(not g.mvars for g in split.goals)  # mini has no metavariables
    first = env.apply(split.state, "exact hp", with_goals=(1,))
    assert isinstance(first, TacticSuccess) and first.goals == split.goals[1:]
    for bad in ((0,), (2,), (1, 1)):
        out = env.apply(split.state, "exact hp", with_goals=bad)
        assert isinstance(out, TacticError) and "with_goals" in out.message
