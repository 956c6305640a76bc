"""Training targets out of a finished search, as plain records (AlphaZero's (s, pi, z)).

For every evaluated goal whose tactics were visited at least `min_visits` times: the visit
distribution over its (kept) tactics, N(a) / sum N, and a value target: 1 for a proved goal,
0 for a failed one; for a goal the search left open, either the search's backed-up estimate
(`value_target="search"`: the mean of the evaluation and all values backed up through the
goal) or the outcome (`value_target="outcome"`, AlphaZero's z: 0, the goal was not proved in
a search that worked below it). The backed-up estimate feeds the network its own guesses: on
real statements, where most goals stay open, it learned to call them likely provable (values
~0.6 where 2% were proved); the outcome grounds the value in what search achieves.
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


def training_records(
    tree: Tree, *, min_visits: int = 1, proved_policy: str = "visits", value_target: str = "search"
) -> list[TrainingRecord]:
    """The records of `tree`. `proved_policy="shortest"` replaces the visit distribution of a
    PROVED goal by a uniform distribution over its tactics that start a shortest proof (fewest
    tactics; as HyperTree Proof Search does): with few simulations, visits mostly show what
    was explored before the proof was found, not what proved it. Proved goals then give a
    record however few visits they had: a goal closed by the first tactic tried teaches the
    most."""
    if proved_policy not in ("visits", "shortest"):
        raise ValueError(f"proved_policy must be 'visits' or 'shortest', not {proved_policy!r}")
    if value_target not in ("search", "outcome"):
        raise ValueError(f"value_target must be 'search' or 'outcome', not {value_target!r}")
    open_value = (lambda n: 0.0) if value_target == "outcome" else tree.goal_value
    sizes = _proof_sizes(tree) if proved_policy == "shortest" else {}
    records: list[TrainingRecord] = []
    for node in range(len(tree)):
        if not tree.evaluated(node):
            continue
        counts = tree.edge_n[node]
        total = sum(counts)
        status = tree.status[node]
        shortest = status is Status.PROVED and bool(sizes)
        if total < max(min_visits, 1) and not shortest:  # a proved goal's target needs no visits
            continue
        value = 1.0 if status is Status.PROVED else 0.0 if status is Status.FAILED else open_value(node)
        policy = _shortest(tree, node, sizes) if shortest else tuple(n / total for n in counts)
        records.append(
            TrainingRecord(
                goal=tree.key[node],
                tactics=tree.tactics[node],
                visits=policy,
                value=value,
                status=status.name.lower(),
            )
        )
    return records


def _proof_sizes(tree: Tree) -> dict[int, int]:
    """Tactics in the proof of each PROVED goal found by following `proof_edge` (acyclic: a
    goal's proof edge was complete before the goal was marked proved)."""
    sizes: dict[int, int] = {}
    for start in range(len(tree)):
        if tree.status[start] is not Status.PROVED or start in sizes:
            continue
        stack = [start]
        while stack:  # post-order without recursion: proofs can be deep
            node = stack[-1]
            pending = [c for c in tree.children(node, tree.proof_edge[node]) if c not in sizes]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            sizes[node] = 1 + sum(sizes[c] for c in tree.children(node, tree.proof_edge[node]))
    return sizes


def _shortest(tree: Tree, node: int, sizes: dict[int, int]) -> tuple[float, ...]:
    """Uniform over the proved edges of `node` whose proofs are shortest."""
    k = len(tree.tactics[node])
    size = {a: 1 + sum(sizes[c] for c in tree.children(node, a)) for a in range(k) if tree.edge_proved(node, a)}
    best = min(size.values())
    winners = [a for a, n in size.items() if n == best]
    return tuple(1.0 / len(winners) if a in winners else 0.0 for a in range(k))
