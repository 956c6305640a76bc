"""One self-play attempt: search a statement AND its negation, keep what verifies.

Every statement is attempted both ways at once (two MCTS searches sharing the evaluator's
batches with the rest of the worker's searches): a verified proof of the statement is a
proof, a verified proof of its negation a disproof, and a sound backend never gives both.
Whatever is verified is handed to `on_verified` before anything else happens to it, so the
caller can write it to the append-only store first. Then the training records of both
searches are built, each labelled with its provenance and kind. Plain Python: the Ray worker
in `selfplay.actors` wraps it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lean_env.contract import ProofEnv, StatementError
from lean_env.problem import Problem, negation
from search.driver import run_searches
from search.evaluator import Candidates, Evaluator
from search.mcts import SELF_PLAY_NOISE, MCTSConfig, MCTSResult, MCTSSearch
from search.targets import training_records
from selfplay.curriculum import Outcome
from selfplay.records import Kind, SelfPlayRecord


@dataclass(frozen=True, slots=True)
class Verified:
    """A verified proof (of the statement) or disproof (a proof of its negation)."""

    kind: Kind  # "proof" or "disproof"
    problem: str  # the statement's name
    statement: str  # the theorem actually proved (the negation's text for a disproof)
    proof: str
    backend: str
    search: str
    model_version: int
    elapsed: float
    novel: tuple[str, ...] = ()  # the proof's tactics that no rule proposed for their goal (the decoder's)


@dataclass(frozen=True, slots=True)
class AttemptResult:
    problem: str
    outcome: Outcome
    verified: Verified | None
    records: tuple[SelfPlayRecord, ...]
    env_calls: int
    elapsed: float
    error: str = ""  # the statement (or its negation) could not be read; nothing was searched
    faults: tuple[str, ...] = ()  # found scripts the backend refused as soundness faults (expected none)


@dataclass(frozen=True, slots=True)
class AttemptSettings:
    search: MCTSConfig = MCTSConfig(
        num_simulations=64, max_env_calls=256, time_limit=30.0, tactic_timeout=5.0, dirichlet_fraction=SELF_PLAY_NOISE
    )
    min_visits: int = 2  # goals visited fewer times give no record
    unproved_records: bool = True  # keep visit targets of searches that proved nothing (marked)
    max_records_per_search: int = 64  # the most visited goals first
    proved_policy: str = "shortest"  # policy target of a proved goal (search.targets.training_records)
    value_target: str = "outcome"  # of an open goal: 0, not proved (see search.targets)


def attempt_batch(
    env: ProofEnv,
    problems: Sequence[Problem],
    evaluator: Evaluator,
    candidates: Candidates,
    *,
    run: str,
    search_prefix: str,
    model_version: int,
    settings: AttemptSettings = AttemptSettings(),
    on_verified: Callable[[Verified], None] | None = None,
) -> list[AttemptResult]:
    """Attempt each problem as itself and as its negation; one result per problem, in order.

    The two searches of a problem race: as soon as one ends with a verified proof, it goes to
    `on_verified` and the other search stops (a sound backend never proves both), so its env
    calls go to the remaining searches' rounds instead."""
    pairs: list[tuple[Problem, Problem, str] | str] = []
    searches: list[MCTSSearch] = []  # the statement's search at 2k, its negation's at 2k + 1
    for i, problem in enumerate(problems):
        try:
            neg = negation(problem)
            pos_search = MCTSSearch(env, problem.statement, candidates, config=settings.search, header=problem.header)
            neg_search = MCTSSearch(env, neg.statement, candidates, config=settings.search, header=problem.header)
            pos_search.start()  # here, not in the driver: one unreadable statement sets one problem aside
            neg_search.start()
        except StatementError as e:
            pairs.append(f"cannot read the statement: {e}")
            continue
        pairs.append((problem, neg, f"{search_prefix}-{i}"))
        searches += [pos_search, neg_search]
    owners = [pair for pair in pairs if not isinstance(pair, str)]
    verified: dict[int, Verified] = {}  # by the index of the search that proved
    faults: dict[int, str] = {}  # by the index of the search whose found script was a fault

    def done(index: int) -> None:
        if index ^ 1 in verified:  # the other side won (a stop came too late for this one)
            return
        result = searches[index].result()  # the driver has verified a found proof
        if result.verification is not None and result.verification.fault is not None:
            faults[index] = result.verification.fault
        if not result.proved:
            return
        problem, neg, search_id = owners[index // 2]
        if index % 2 == 0:
            verified[index] = _verified("proof", problem, problem, result, env.name, search_id, model_version)
        else:
            verified[index] = _verified("disproof", problem, neg, result, env.name, f"{search_id}-neg", model_version)
        if on_verified is not None:
            on_verified(verified[index])  # first: the append-only store, before anything can fail
        searches[index ^ 1].stop("the statement was proved" if index % 2 else "its negation was proved")

    report = run_searches(searches, evaluator, on_done=done) if searches else None
    results = iter(report.results if report else ())
    out: list[AttemptResult] = []
    k = 0  # index of the next pair's statement search
    for problem, pair in zip(problems, pairs):
        if isinstance(pair, str):
            out.append(AttemptResult(problem.name, Outcome.NEITHER, None, (), 0, 0.0, error=pair))
            continue
        _, neg, search_id = pair
        pos, neg_result = next(results), next(results)
        found = verified.get(k) or verified.get(k + 1)
        records = [
            *_records(searches[k], pos, "proof", problem.name, search_id, run, model_version, settings),
            *_records(
                searches[k + 1], neg_result, "disproof", neg.name, f"{search_id}-neg", run, model_version, settings
            ),
        ]
        k += 2
        outcome = Outcome.NEITHER if found is None else (
            Outcome.PROVED if found.kind == "proof" else Outcome.DISPROVED
        )
        out.append(
            AttemptResult(
                problem.name, outcome, found, tuple(r.with_source(problem.source) for r in records),
                pos.env_calls + neg_result.env_calls, pos.elapsed + neg_result.elapsed,
                faults=tuple(faults[i] for i in (k - 2, k - 1) if i in faults),
            )
        )
    return out


def _verified(
    kind: Kind, problem: Problem, theorem: Problem, result: MCTSResult, backend: str, search: str, version: int
) -> Verified:
    assert result.proof is not None and result.verification is not None and result.verification.ok
    return Verified(
        kind, problem.name, theorem.statement, result.proof,
        result.verification.backend or backend, search, version, result.elapsed,
        tuple(tactic for _, tactic in result.novel),
    )


def _records(
    search: MCTSSearch,
    result: MCTSResult,
    kind_if_proved: Kind,
    statement: str,
    search_id: str,
    run: str,
    version: int,
    settings: AttemptSettings,
) -> list[SelfPlayRecord]:
    """The search's training records; searches that proved nothing give `unproved` ones."""
    kind: Kind = kind_if_proved if result.proved else "unproved"
    if kind == "unproved" and not settings.unproved_records:
        return []
    raw = training_records(search.tree, min_visits=settings.min_visits, proved_policy=settings.proved_policy,
                           value_target=settings.value_target)
    tree = search.tree
    raw.sort(key=lambda r: -sum(tree.edge_n[tree.index[r.goal]]))  # the most visited first
    return [
        SelfPlayRecord(r.goal, r.tactics, r.visits, r.value, kind, run, statement, search_id, version)
        for r in raw[: settings.max_records_per_search]
    ]
