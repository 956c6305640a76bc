"""Training targets out of a finished search, as plain records (AlphaZero's (s, pi, z)).

For every evaluated goal whose tactics were visited at least `min_visits` times: the visit
distribution over its (kept) tactics, N(a) / sum N, and a value target: 1 for a proved goal,
0 for a failed one, otherwise the search's backed-up estimate (mean of the evaluation and all
values backed up through the goal).
"""

from __future__ import annotations

from dataclasses import dataclass

from search.tree import Status, Tree


@dataclass(frozen=True, slots=True)
class TrainingRecord:
    goal: str  # canonical goal text, as the evaluator saw it
    tactics: tuple[str, ...]
    visits: tuple[float, ...]  # N(a) / sum N, one per tactic
    value: float
    status: str  # "open", "proved" or "failed"


def training_records(tree: Tree, *, min_visits: int = 1) -> list[TrainingRecord]:
    records: list[TrainingRecord] = []
    for node in range(len(tree)):
        if not tree.evaluated(node):
            continue
        counts = tree.edge_n[node]
        total = sum(counts)
        if total < max(min_visits, 1):
            continue
        status = tree.status[node]
        value = {Status.PROVED: 1.0, Status.FAILED: 0.0}.get(status, tree.goal_value(node))
        records.append(
            TrainingRecord(
                goal=tree.key[node],
                tactics=tree.tactics[node],
                visits=tuple(n / total for n in counts),
                value=value,
                status=status.name.lower(),
            )
        )
    return records
