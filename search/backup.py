"""Backup, the definition: the value of a tactic that leaves several goals, and how a
simulation credits its value along its path.

`MCTSSearch._backup` does the same in one walk with shortcuts; `tests/search/test_perf_paths.py`
checks it against `backup`, tree for tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from search.tree import Combine, Tree

AndRule = Literal["product", "min"]


def product(values: Sequence[float]) -> float:
    out = 1.0
    for v in values:
        out *= v
    return out


def minimum(values: Sequence[float]) -> float:
    return min(values, default=1.0)


AND_VALUES: Final[dict[str, Combine]] = {"product": product, "min": minimum}


def and_value(values: Sequence[float], *, rule: AndRule = "product") -> float:
    """The value of a tactic from the values of the goals it leaves, all of which must be
    proved: their product (independent chances) or their minimum (the weakest link); 1 for
    a tactic that closes its goal."""
    return AND_VALUES[rule](values)


def backup(
    tree: Tree, goals: Sequence[int], actions: Sequence[int], leaf_value: float | None, *, rule: AndRule = "product"
) -> None:
    """Credit one simulation that took `actions[i]` at `goals[i]`: each such edge gets N += 1
    and W += its value, and its goal one visit of the same value (into its mean).

    An edge's value is the `and_value` of the goals it leaves, where the goal the path goes on
    into (`goals[i + 1]`) counts with the value credited below it, not with its own mean: the
    simulation's evidence travels up. Below the last edge that value is `leaf_value`, the value
    of the path's last goal; None when the path ends with an edge (`len(goals) == len(actions)`),
    which is then valued from its goals as they stand. The walk goes up from the deepest edge,
    so a goal read higher up (a transposition) already counts the credit given below.
    """
    value = leaf_value
    for i in range(len(actions) - 1, -1, -1):
        goal, action = goals[i], actions[i]
        if value is None:
            value = tree.edge_value(goal, action, AND_VALUES[rule])
        else:
            below = goals[i + 1]
            values = [value if c == below else tree.goal_value(c) for c in tree.children(goal, action)]
            value = and_value(values, rule=rule)
        tree.edge_n[goal][action] += 1
        tree.edge_w[goal][action] += value
        tree.visits[goal] += 1
        tree.value_sum[goal] += value
