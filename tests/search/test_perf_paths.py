"""The fast paths of MCTS (incremental PUCT choice, shortcut backups and evaluations) against
the definitions in the package (`search.puct`, `search.backup`), on seeded random AND/OR
graphs with errors, timeouts, transpositions, cycles, ties and degenerate priors.

`ReferenceSearch` replaces the optimised methods with calls to the definitions (score every
tactic; combine at every level; sort by -prior and renormalise); both searches must build the
same tree, value for value, and return the same results.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import pytest

from search.backup import backup
from search.driver import run_searches
from search.evaluator import EvalRequest, EvalResult
from search.mcts import MCTSConfig, MCTSSearch
from search.puct import kept_priors, puct_select
from search.tree import Fault

from .fake_env import FakeEnv, tactics_from

INF, NAN = math.inf, math.nan


class ReferenceSearch(MCTSSearch):
    """MCTS with the package's definitions of PUCT choice, backup and kept priors."""

    def _pick(self, node: int, on_path: set[int], again: bool = False) -> int | None:
        return reference_pick(self, node, on_path)

    def _backup(self, goals: list[int], actions: list[int], leaf_value: float | None, release: bool = False) -> None:
        if release:  # take the virtual loss back first
            self._virtual_loss(goals, actions, -1)
        self.simulations += 1
        backup(self.tree, goals, actions, leaf_value, rule=self.config.and_value)

    def _keep(self, tactics: Sequence[str], raw: Sequence[float]) -> tuple[Sequence[str], list[float]]:
        keep, kept = kept_priors(raw, max_children=self.config.max_children)
        return [tactics[a] for a in keep], kept


def reference_pick(search: MCTSSearch, node: int, on_path: set[int]) -> int | None:
    """`puct_select` over every tactic of `node`, with the tree's arrays and the search's settings."""
    tree, cfg = search.tree, search.config
    return puct_select(
        tree.priors[node],
        tree.edge_n[node],
        tree.edge_w[node],
        tree.edge_in_flight[node],
        usable=tree.usable(node, on_path),
        parent_visits=tree.visits[node] + tree.in_flight[node],
        parent_value=tree.goal_value(node),
        c_puct=cfg.c_puct,
        virtual_loss=cfg.virtual_loss,
        first_play_value=cfg.first_play_value,
    )


class CheckedSearch(MCTSSearch):
    """The fast search, checking every PUCT choice against the definition as it goes."""

    picks = 0

    def _pick(self, node: int, on_path: set[int], again: bool = False) -> int | None:
        expected = reference_pick(self, node, on_path)
        got = super()._pick(node, on_path, again)
        assert got == expected, (node, got, expected)
        CheckedSearch.picks += 1
        return got


# --------------------------------------------------------------------------- random problems


def random_rules(rng: random.Random, goals: int, tactics: int) -> dict[str, dict[str, list[str] | str]]:
    """Goals g0..g{goals-1}: each tactic errors, times out, closes, or leaves 1-3 goals drawn
    from all goals (so transpositions, cycles and repeated children all occur)."""
    names = [f"g{i}" for i in range(goals)]
    rules: dict[str, dict[str, list[str] | str]] = {}
    for g in names:
        row: dict[str, list[str] | str] = {}
        for t in range(rng.randint(0 if rng.random() < 0.05 else 1, tactics)):
            u = rng.random()
            if u < 0.35:
                row[f"t{t}"] = "error"
            elif u < 0.4:
                row[f"t{t}"] = "timeout"
            elif u < 0.45:
                row[f"t{t}"] = []
            else:
                row[f"t{t}"] = [rng.choice(names) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        rules[g] = row
    return rules


def random_evaluator(seed: int, kind: str):
    """Deterministic per goal text; `kind` picks uniform, near-tie, random or degenerate priors."""

    def evaluate(requests: Sequence[EvalRequest]) -> list[EvalResult]:
        out = []
        for r in requests:
            rng = random.Random(f"{seed}|{kind}|{r.goal}")
            k = len(r.tactics)
            if kind == "uniform":
                priors = [1.0 / k] * k
            elif kind == "near_tie":  # equal up to the last bits: ties after rounding
                priors = [rng.choice((0.1, 0.2, 0.3)) * (1 + rng.choice((0.0, 1e-16, 2e-16, -1e-16))) for _ in range(k)]
            elif kind == "degenerate":
                priors = [rng.choice((0.0, -1.0, 0.5, NAN, 1.0, INF, 1e308)) for _ in range(k)]
            else:
                priors = [rng.random() for _ in range(k)]
            out.append(EvalResult(tuple(priors), rng.choice((0.0, 0.3, 0.5, 0.9, 1.0, rng.random(), NAN, 2.0))))
        return out

    return evaluate


def random_config(rng: random.Random, seed: int) -> MCTSConfig:
    return MCTSConfig(
        num_simulations=rng.choice((10, 60, 200)),
        max_env_calls=rng.choice((30, 300)),
        leaves_per_round=rng.choice((1, 3, 8)),
        and_value=rng.choice(("product", "min")),
        c_puct=rng.choice((1.25, 1.25, 0.0, 4.0, -1.0, INF)),
        max_children=rng.choice((32, 3, 1)),
        first_play_value=rng.choice((None, None, 0.0, 1.0, INF, -INF, NAN)),
        dirichlet_fraction=rng.choice((0.0, 0.25)),
        max_depth=rng.choice((32, 3)),
        virtual_loss=rng.choice((1.0, 1.0, 0.0, 3.0, -1.0, INF, NAN)),
        max_idle_simulations=rng.choice((256, 4)),
        max_nodes=rng.choice((100_000, 12)),
        seed=seed,
    )


def snapshot(search: MCTSSearch) -> dict[str, str]:
    tree = search.tree
    fields = (
        "key", "goal_index", "status", "prior_value", "visits", "value_sum", "in_flight", "parents", "proof_edge",
        "failed_edges", "tactics", "priors", "edge_n", "edge_w", "edge_in_flight", "outcome", "failed_edge", "roots",
    )
    return {f: repr(getattr(tree, f)) for f in fields}


def run(cls: type[MCTSSearch], seed: int) -> tuple[object, ...]:
    rng = random.Random(seed)
    rules = random_rules(rng, goals=rng.choice((4, 12, 40)), tactics=rng.choice((2, 6, 12)))
    config = random_config(rng, seed)
    kind = rng.choice(("uniform", "near_tie", "random", "degenerate"))
    roots = ["g0"] if rng.random() < 0.8 else ["g0", "g1"]
    searches = [
        cls(FakeEnv(roots, rules), "thm", tactics_from(rules), config=config) for _ in range(rng.choice((1, 3)))
    ]
    report = run_searches(searches, random_evaluator(seed, kind))
    results = [
        (r.proved, r.proof, r.env_calls, r.simulations, r.reason, r.detail, r.evaluations, r.collisions)
        for r in report.results
    ]
    return results, report.batch_sizes, [snapshot(s) for s in searches]


@pytest.mark.parametrize("seed", range(120))
def test_fast_search_builds_the_reference_tree(seed: int) -> None:
    fast, reference = run(MCTSSearch, seed), run(ReferenceSearch, seed)
    assert fast[:2] == reference[:2]
    for got, want in zip(fast[2], reference[2]):  # type: ignore[call-overload]
        assert got == want


def test_every_puct_choice_matches_the_definition() -> None:
    CheckedSearch.picks = 0
    for seed in range(60):
        run(CheckedSearch, 1000 + seed)
    assert CheckedSearch.picks > 1000  # the check ran on many choices


def test_near_tied_priors_choose_the_lowest_index_among_equal_scores() -> None:
    """Priors one ulp apart round to the same score: the first tactic wins, as in the definition."""
    p = 0.25
    lower = math.nextafter(p, 0.0)
    rules = {"R": {"a": "error", "b": "error", "c": ["A"]}, "A": {"x": "error"}}

    def evaluate(requests: Sequence[EvalRequest]) -> list[EvalResult]:
        return [EvalResult((lower, p, p) if r.goal == "R" else (1.0,), 0.5) for r in requests]

    env = FakeEnv("R", rules)
    search = CheckedSearch(env, "thm", tactics_from(rules), config=MCTSConfig(num_simulations=5, leaves_per_round=1))
    run_searches([search], evaluate)
    assert [t for _, t in env.calls][:3] == ["a", "b", "c"]


def test_degenerate_priors_are_normalised_as_before() -> None:
    """Infinite, NaN, negative and huge priors: kept tactics and priors as the plain code gives."""
    rng = random.Random(7)
    for _trial in range(300):
        k = rng.randint(1, 8)
        raw = tuple(rng.choice((0.0, -1.0, 0.5, NAN, 1.0, INF, 1e308, 0.25)) for _ in range(k))
        rules = {"R": {f"t{i}": "error" for i in range(k)}}
        config = MCTSConfig(max_children=rng.choice((1, 2, 8)), num_simulations=1)
        trees = []
        for cls in (MCTSSearch, ReferenceSearch):
            search = cls(FakeEnv("R", rules), "thm", tactics_from(rules), config=config)
            search.start()
            search.select()
            search.expand([EvalResult(raw, 0.5)])
            trees.append((search.tree.tactics[0], repr(search.tree.priors[0])))
        assert trees[0] == trees[1], (raw, config.max_children)


def test_dead_edges_leave_the_live_index() -> None:
    rules = {"R": {"a": "error", "b": ["A"], "c": ["F"]}, "A": {"x": "error"}, "F": {}}
    search = MCTSSearch(FakeEnv("R", rules), "thm", tactics_from(rules), config=MCTSConfig(num_simulations=20))
    run_searches([search], random_evaluator(0, "uniform"))
    tree = search.tree
    root = tree.roots[0]
    live = [a for a in range(len(tree.tactics[root])) if tree.applied(root, a) and not tree.failed_edge[root][a]]
    assert list(tree.live[root]) == live
    assert all(isinstance(tree.outcome[root][a], tuple) for a in live)
    assert tree.outcome[root][0] is Fault.ERROR


def test_infinite_c_puct_with_a_zero_prior_uses_the_definition() -> None:
    """inf * 0 is NaN, which never wins: the prior-order shortcut must not be taken. (A zero
    prior ahead of positive ones in tactic order: as root noise could leave them.)"""
    rules = {"R": {"a": "error", "b": "error", "c": "error"}}
    config = MCTSConfig(c_puct=INF)
    search = MCTSSearch(FakeEnv("R", rules), "thm", tactics_from(rules), config=config)
    search.start()
    search.select()
    search.expand([EvalResult((1.0, 1.0, 1.0), 0.5)])
    root = search.tree.roots[0]
    search.tree.priors[root] = [0.0, 0.5, 0.5]
    search.tree.by_prior[root] = None
    assert search._pick(root, {root}) == reference_pick(search, root, {root}) == 1
