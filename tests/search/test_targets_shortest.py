"""Policy targets of proved goals: the visit distribution, or the tactics of a shortest proof."""

from __future__ import annotations

import pytest

from search.driver import mcts_search
from search.mcts import MCTSConfig
from search.targets import training_records

from .fake_env import FakeEnv, tactics_from

RULES = {
    "R": {"detour": ["A"], "split": ["B", "C"], "close": []},
    "A": {"a": ["A2"]},
    "A2": {"a2": []},
    "B": {"b": []},
    "C": {"c": []},
}


def _root_record(policy: str):
    env = FakeEnv("R", RULES)
    result = mcts_search(env, "thm", tactics_from(RULES), config=MCTSConfig(num_simulations=50, leaves_per_round=1))
    assert result.proved
    records = {r.goal: r for r in training_records(result.tree, proved_policy=policy)}
    return records["R"]


def test_visits_show_exploration_and_shortest_shows_the_proof() -> None:
    visits = _root_record("visits")
    assert visits.tactics == ("detour", "split", "close")
    assert visits.visits[0] > 0  # the detour was explored before `close` was tried
    shortest = _root_record("shortest")
    assert shortest.visits == (0.0, 0.0, 1.0) and shortest.value == 1.0


def test_ties_share_the_target() -> None:
    rules = {"R": {"x": [], "y": []}}
    env = FakeEnv("R", rules)
    tree = mcts_search(env, "thm", tactics_from(rules), config=MCTSConfig(num_simulations=5)).tree
    (record,) = training_records(tree, proved_policy="shortest")
    assert record.visits in ((1.0, 0.0), (0.5, 0.5))  # only edges proved when the search stopped count


def test_unknown_policy_is_refused() -> None:
    env = FakeEnv("R", RULES)
    tree = mcts_search(env, "thm", tactics_from(RULES), config=MCTSConfig(num_simulations=5)).tree
    with pytest.raises(ValueError, match="proved_policy"):
        training_records(tree, proved_policy="best")


def test_outcome_value_targets_open_goals_zero() -> None:
    """`value_target="outcome"`: an open goal's target is 0 (not proved), proved 1, failed 0;
    `"search"` keeps the backed-up estimate (the evaluator's 0.5 here, strictly between)."""
    rules = {"R": {"loop": ["L"], "dead": None, "split": ["A", "B"]}, "L": {"l": ["L2"]}, "L2": {"l2": ["L"]},
             "A": {"a": []}, "B": {"b": ["B2"]}, "B2": {"b2": ["B"]}}
    env = FakeEnv("R", rules)
    tree = mcts_search(env, "thm", tactics_from(rules), config=MCTSConfig(num_simulations=40)).tree
    search = {r.goal: r for r in training_records(tree)}
    outcome = {r.goal: r for r in training_records(tree, value_target="outcome")}
    assert search.keys() == outcome.keys() and "R" in outcome
    for goal, rec in outcome.items():
        if rec.status == "proved":
            assert rec.value == 1.0 == search[goal].value
        elif rec.status == "open":
            assert rec.value == 0.0 and 0.0 < search[goal].value < 1.0
    assert outcome["A"].status == "proved" and outcome["R"].status == "open"
    with pytest.raises(ValueError, match="value_target"):
        training_records(tree, value_target="bootstrap")
