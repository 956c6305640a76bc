"""Best-first proof search over any `ProofEnv`: the baseline every learned search must beat.

A node is a list of open obligations, each a goal of some backend state: `apply(state, tactic,
goal=i)` returns a state holding only the subgoals of goal `i`, so one Lean goal list is spread
over several backend states. We always expand the node's FIRST open goal and put the goals a
tactic leaves IN FRONT of the node's other goals. That is exactly how Lean runs a tactic block:
each tactic acts on the main goal and its new goals come before the remaining ones. So the path
of tactics from the root to a node with no open goals, one per line, is a valid Lean proof
script, with no `·` focusing or `case` tags needed.

Priority is the cumulative log-probability of the tactics on the path (higher first); ties go
to the node queued first, so the search is deterministic given deterministic scorer and
candidates. Goals that share metavariables go together: the expanded goal takes its run of
coupled goals along (`with_goals`), and what comes back replaces them all. Nodes whose open goals
print the same (canonically) as a node already queued are dropped. A found script is re-checked
with `env.verify` before it counts as a proof.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from lean_env.contract import GoalView, ProofEnv, ProofState, TacticSuccess, Verification
from search.tree import coupled_spans

Scorer = Callable[[str, Sequence[str]], Sequence[float]]
"""`(goal_text, tactics) -> log-probabilities`, one per tactic; the goal as `GoalView.canonical`
prints it (the text MCTS's evaluator and the network see)."""

Candidates = Callable[[GoalView], Sequence[str]]
"""`goal -> tactics` worth trying on it, best guess first."""


def uniform_scorer(goal_text: str, tactics: Sequence[str]) -> list[float]:
    """Every candidate equally likely: best-first then prefers shorter proofs."""
    return [-math.log(len(tactics))] * len(tactics) if tactics else []


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """Budgets; the search stops at whichever runs out first."""

    max_expansions: int = 10_000
    max_env_calls: int = 2_000  # `apply` calls; `start` and `verify` are not counted
    time_limit: float = 60.0  # wall seconds for the whole search, verification excluded
    tactic_timeout: float = 5.0  # seconds per `apply`
    start_timeout: float = 60.0
    verify_timeout: float = 60.0


class StopReason(StrEnum):
    PROVED = "proved"
    EXHAUSTED = "search space exhausted"
    MAX_EXPANSIONS = "expansion budget spent"
    MAX_ENV_CALLS = "env call budget spent"
    MAX_SIMULATIONS = "simulation budget spent"
    MAX_NODES = "tree node budget spent"
    TIME_LIMIT = "time limit reached"
    VERIFY_FAILED = "found a proof the backend did not verify"
    STOPPED = "stopped by the caller"


@dataclass(frozen=True, slots=True)
class SearchProgress:
    """A snapshot for progress reports."""

    env_calls: int
    expansions: int
    queued: int
    elapsed: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    """`proof` is set only when `proved`, i.e. when `verification.ok`."""

    proved: bool
    proof: str | None
    env_calls: int
    expansions: int
    elapsed: float
    reason: StopReason
    verification: Verification | None = None
    unverified_proof: str | None = None  # the script that failed verification, for diagnosis


Obligation = tuple[ProofState, int]  # (backend state, index of one of its goals)


@dataclass(frozen=True, slots=True)
class _Node:
    open: tuple[Obligation, ...]
    tactics: tuple[str, ...]
    logp: float


def _key(obligations: tuple[Obligation, ...]) -> tuple[str, ...]:
    return tuple(state.goals[i].canonical for state, i in obligations)


def _front(open_: tuple[Obligation, ...]) -> tuple[Obligation, tuple[int, ...], tuple[Obligation, ...]]:
    """The first obligation, the goals of its state that must come along with it (its run of
    goals sharing metavariables, `coupled_spans`), and the obligations left after those."""
    state, index = open_[0]
    if not state.goals[index].mvars:
        return open_[0], (), open_[1:]
    # a state's goals enter the front of a node together and leave it in order: the goals of
    # `state` still open are a consecutive stretch at the front
    n = 1
    while n < len(open_) and open_[n][0] is state:
        n += 1
    indexes = [i for _, i in open_[:n]]
    span = coupled_spans([state.goals[i] for i in indexes])[0]
    return open_[0], tuple(indexes[1 : len(span)]), open_[len(span) :]


def best_first_search(
    env: ProofEnv,
    statement: str,
    candidates: Candidates,
    *,
    header: str = "",
    scorer: Scorer = uniform_scorer,
    config: SearchConfig = SearchConfig(),
    progress: Callable[[SearchProgress], None] | None = None,
) -> SearchResult:
    """Search for a tactic proof of `statement`.

    Raises `StatementError` (from `env.start`) when the backend cannot read the statement;
    every other outcome is a `SearchResult`.
    """
    t0 = time.monotonic()
    root = env.start(statement, header=header, timeout=config.start_timeout)
    root_node = _Node(tuple((root, i) for i in range(len(root.goals))), (), 0.0)
    seen = {_key(root_node.open)}
    counter = itertools.count()
    queue: list[tuple[float, int, _Node]] = [(-0.0, next(counter), root_node)]
    env_calls = expansions = 0

    def finish(reason: StopReason, script: str | None = None) -> SearchResult:
        elapsed = time.monotonic() - t0
        if script is None:
            return SearchResult(False, None, env_calls, expansions, elapsed, reason)
        verdict = env.verify(statement, script, header=header, timeout=config.verify_timeout)
        if verdict.ok:
            return SearchResult(True, script, env_calls, expansions, elapsed, StopReason.PROVED, verdict)
        return SearchResult(
            False, None, env_calls, expansions, elapsed, StopReason.VERIFY_FAILED, verdict, script
        )

    if not root_node.open:
        return finish(StopReason.PROVED, "")
    while queue:
        if expansions >= config.max_expansions:
            return finish(StopReason.MAX_EXPANSIONS)
        if env_calls >= config.max_env_calls:
            return finish(StopReason.MAX_ENV_CALLS)
        _, _, node = heapq.heappop(queue)
        expansions += 1
        (state, index), coupled, rest = _front(node.open)
        goal = state.goals[index]
        tactics = list(candidates(goal))
        scores = list(scorer(goal.canonical, tactics)) if tactics else []
        if len(scores) != len(tactics):
            raise ValueError(f"scorer returned {len(scores)} scores for {len(tactics)} tactics")
        # Best first within the node too, so a spent budget cuts off the least likely tactics.
        for score, tactic in sorted(zip(scores, tactics), key=lambda st: -st[0]):
            remaining = config.time_limit - (time.monotonic() - t0)
            if remaining <= 0:
                return finish(StopReason.TIME_LIMIT)
            if env_calls >= config.max_env_calls:
                return finish(StopReason.MAX_ENV_CALLS)
            timeout = min(config.tactic_timeout, remaining)
            if coupled:
                result = env.apply(state, tactic, goal=index, timeout=timeout, with_goals=coupled)
            else:
                result = env.apply(state, tactic, goal=index, timeout=timeout)
            env_calls += 1
            if progress is not None:
                progress(SearchProgress(env_calls, expansions, len(queue), time.monotonic() - t0))
            if not isinstance(result, TacticSuccess):
                continue
            new = tuple((result.state, j) for j in range(len(result.state.goals)))
            child = _Node(new + rest, (*node.tactics, tactic), node.logp + score)
            if not child.open:
                return finish(StopReason.PROVED, "\n".join(child.tactics))
            key = _key(child.open)
            if key in seen:
                continue
            seen.add(key)
            heapq.heappush(queue, (-child.logp, next(counter), child))
    return finish(StopReason.EXHAUSTED)
