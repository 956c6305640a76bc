"""The definitions of `search.puct` and `search.backup` on hand-computed numbers (those of
the golden trees in `test_mcts_golden.py`) and on their edge cases."""

from __future__ import annotations

import math
import random

import pytest

from lean_env.contract import ProofState
from search.backup import and_value, backup
from search.puct import NO_ACTION, dirichlet, kept_priors, puct_scores, puct_select, with_noise
from search.tree import Tree

from .fake_env import view


def test_scores_of_the_golden_or_tree() -> None:
    """G1, simulation 2 at R: a visited once (W 0.4), b and c untried; N(R) = 2, value 0.45."""
    args = ([0.5, 0.3, 0.2], [1, 0, 0], [0.4, 0.0, 0.0])
    scores = puct_scores(*args, parent_visits=2, parent_value=0.45, c_puct=1.0)
    assert [round(s, 5) for s in scores] == [0.75355, 0.87426, 0.73284]
    assert puct_select(*args, parent_visits=2, parent_value=0.45, c_puct=1.0) == 1


def test_virtual_loss_counts_a_visit_of_negative_value() -> None:
    """G3, round 1, simulation 2 at R: the first simulation is in flight through a."""
    scores = puct_scores(
        [0.5, 0.3, 0.2], [0, 0, 0], [0.0, 0.0, 0.0], [1, 0, 0], parent_visits=2, parent_value=0.5, c_puct=1.0
    )
    assert [round(s, 5) for s in scores] == [-0.64645, 0.92426, 0.78284]


def test_first_play_value_overrides_the_goal_value() -> None:
    assert puct_scores([1.0], [0], [0.0], parent_visits=0, parent_value=0.7, first_play_value=0.2) == [0.2]
    assert puct_scores([1.0], [0], [0.0], parent_visits=0, parent_value=0.7) == [0.7]


def test_choice_first_on_ties_skips_unusable_and_nan() -> None:
    same = ([0.5, 0.5], [0, 0], [0.0, 0.0])
    assert puct_select(*same, parent_visits=1) == 0
    assert puct_select(*same, usable=[False, True], parent_visits=1) == 1
    assert puct_select(*same, usable=[False, False], parent_visits=1) is NO_ACTION
    assert puct_select(*same, parent_visits=1, first_play_value=math.nan) is NO_ACTION
    # an infinite virtual loss makes a visited tactic's Q NaN even with nothing in flight
    assert puct_select([0.9, 0.1], [1, 0], [1.0, 0.0], parent_visits=2, virtual_loss=math.inf) == 1


def test_and_values() -> None:
    assert and_value([0.5, 0.8]) == 0.4 and and_value([0.5, 0.8], rule="min") == 0.5
    assert and_value([]) == and_value([], rule="min") == 1.0  # a tactic that closes its goal


def tree_with_an_and_edge() -> tuple[Tree, int, int, int]:
    """R -split-> [A, B], evaluated 0.5, 0.5 and 0.8 (G2 after its first simulation's leaves)."""
    tree = Tree()
    state = ProofState(0, ())
    r, a, b = (tree.add_goal(g, view(g), state, 0, ("t",)) for g in "RAB")
    for node, value in ((r, 0.5), (a, 0.5), (b, 0.8)):
        tree.set_evaluation(node, ["t"], [1.0], value)
    tree.record_outcome(r, 0, (a, b))
    return tree, r, a, b


@pytest.mark.parametrize("rule, credited", [("product", 0.6 * 0.8), ("min", 0.6)])
def test_backup_credits_the_value_from_below_along_the_path(rule, credited) -> None:
    tree, r, a, _ = tree_with_an_and_edge()
    backup(tree, [r, a], [0], 0.6, rule=rule)  # A's own mean (0.5) is not used on this path
    assert (tree.edge_n[r][0], tree.edge_w[r][0]) == (1, credited)
    assert (tree.visits[r], tree.value_sum[r]) == (2, 0.5 + credited)
    assert tree.visits[a] == 1  # the leaf is not credited: the path ends there


def test_backup_of_a_path_ending_with_an_edge_values_it_as_it_stands() -> None:
    tree, r, _, _ = tree_with_an_and_edge()
    backup(tree, [r], [0], None)
    assert (tree.edge_n[r][0], tree.edge_w[r][0]) == (1, 0.5 * 0.8)


def test_kept_priors_top_k_ties_in_tactic_order() -> None:
    assert kept_priors([0.2, 0.4, 0.4], max_children=2) == ([1, 2], [0.5, 0.5])
    assert kept_priors([-1.0, 0.0], max_children=1) == ([0], [1.0])  # nothing positive: uniform


def test_root_noise_keeps_a_distribution() -> None:
    noise = dirichlet(random.Random(0), 4)
    mixed = with_noise([0.25] * 4, noise)
    assert math.isclose(sum(noise), 1.0) and math.isclose(sum(mixed), 1.0)
    assert with_noise([1.0, 0.0], [0.0, 1.0], fraction=0.25) == [0.75, 0.25]
