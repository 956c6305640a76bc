"""MCTS against best-first search on a fixed, seeded set of `mini` problems (not Lean).

Both searches get the same problems, the same candidate tactics (the action space
`prover.actions.ActionSpace()`), no learned model (MCTS: the uniform evaluator, uniform priors and value
0.5; best-first: the uniform scorer) and the same budget of environment calls per problem
(`--budget`); every other budget is set out of the way (simulations, expansions, nodes, a
generous time limit), so the env-call budget is what binds. The problems are drawn by
`selfplay.generator.generate` from two seeds, one EASY and one MEDIUM; a share of them is
deliberately false (the family label says so) and cannot be proved by either search. A proof
counts only when the backend re-checked it from scratch (`verify`); the bench asserts that of
every proof it counts. MCTS runs `--concurrent` searches at a time through
`search.driver.run_searches`, as in self-play.

    .venv/bin/python bench/search_vs_bfs.py [--problems 200] [--budget 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from lean_env.contract import StatementError
from lean_env.mini import MiniEnv
from lean_env.problem import Problem
from prover.actions import ActionSpace
from search.bestfirst import SearchConfig, best_first_search, uniform_scorer
from search.driver import run_searches
from search.evaluator import Candidates, uniform_evaluator
from search.mcts import MCTSConfig, MCTSSearch
from selfplay.generator import EASY, MEDIUM, generate

EASY_SEED, MEDIUM_SEED = 20_251, 20_252
NO_LIMIT = 10**9


@dataclass(frozen=True, slots=True)
class Outcome:
    proved: bool
    env_calls: int
    reason: str


def problems(n: int) -> list[Problem]:
    """The first n // 2 (rounded up) EASY problems of EASY_SEED, the rest MEDIUM of MEDIUM_SEED."""
    n_easy = (n + 1) // 2
    out = [replace(p, source="easy") for p in generate(EASY_SEED, n_easy, EASY)]
    out += [replace(p, source="medium") for p in generate(MEDIUM_SEED, n - n_easy, MEDIUM)]
    return out


def checked(proved: bool, verification: object, proof: str | None) -> bool:
    """A proof counts only with a verdict of the backend on it."""
    if proved:
        assert proof is not None and getattr(verification, "ok", False), "an unverified proof was reported"
    return proved


def run_bfs(items: Sequence[Problem], candidates: Candidates, budget: int, time_limit: float) -> list[Outcome | None]:
    config = SearchConfig(max_expansions=NO_LIMIT, max_env_calls=budget, time_limit=time_limit)
    out: list[Outcome | None] = []
    for p in items:
        env = MiniEnv()
        try:
            r = best_first_search(env, p.statement, candidates, scorer=uniform_scorer, config=config)
        except StatementError:
            out.append(None)
            continue
        finally:
            env.close()
        out.append(Outcome(checked(r.proved, r.verification, r.proof), r.env_calls, r.reason.value))
    return out


def run_mcts(
    items: Sequence[Problem], candidates: Candidates, budget: int, time_limit: float, concurrent: int
) -> list[Outcome | None]:
    config = MCTSConfig(num_simulations=NO_LIMIT, max_env_calls=budget, time_limit=time_limit, max_nodes=NO_LIMIT)
    out: list[Outcome | None] = []
    for start in range(0, len(items), concurrent):
        group = items[start : start + concurrent]
        envs = [MiniEnv() for _ in group]
        searches: list[MCTSSearch | None] = []
        for env, p in zip(envs, group):
            search = MCTSSearch(env, p.statement, candidates, config=config)
            try:
                search.start()
                searches.append(search)
            except StatementError:
                searches.append(None)
        report = run_searches([s for s in searches if s is not None], uniform_evaluator)
        results = iter(report.results)
        for s in searches:
            if s is None:
                out.append(None)
                continue
            r = next(results)
            out.append(Outcome(checked(r.proved, r.verification, r.proof), r.env_calls, r.reason.value))
        for env in envs:
            env.close()
    return out


def table(items: Sequence[Problem], mcts: Sequence[Outcome | None], bfs: Sequence[Outcome | None]) -> None:
    """Proved counts by family, then by level, by intended truth, and in all."""
    groups: dict[str, list[int]] = {}
    for p, m, b in zip(items, mcts, bfs):
        truth = p.family.partition("/")[2]
        for key in (p.family, f"{p.source} (all families)", f"intended {truth}", "all"):
            row = groups.setdefault(key, [0, 0, 0, 0])
            row[0] += 1
            row[1] += bool(m and m.proved)
            row[2] += bool(b and b.proved)
            row[3] += bool(m and m.proved and b and b.proved)
    families = sorted(k for k in groups if "/" in k)
    levels = sorted(k for k in groups if k.endswith("(all families)"))
    truths = sorted(k for k in groups if k.startswith("intended"))
    print(f"  {'problems':<26}{'n':>5}{'MCTS':>7}{'best-first':>12}{'both':>7}")
    for block in (families, levels, truths, ["all"]):
        for key in block:
            n, m, b, both = groups[key]
            print(f"  {key:<26}{n:>5}{m:>7}{b:>12}{both:>7}")
        print()


def calls_summary(name: str, outcomes: Sequence[Outcome | None], seconds: float) -> None:
    done = [o for o in outcomes if o is not None]
    proved = [o for o in done if o.proved]
    total = sum(o.env_calls for o in done)
    mean_proved = sum(o.env_calls for o in proved) / len(proved) if proved else 0.0
    reasons = Counter(o.reason for o in done)
    print(f"  {name:<11} proved {len(proved):>4}/{len(done)}   env calls {total:>7} in all, "
          f"{total / max(len(done), 1):6.1f} per problem, {mean_proved:6.1f} per proved problem   "
          f"{seconds:6.1f} s")
    print(f"  {'':<11} stop reasons: {dict(reasons.most_common())}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=200, help="problems, half EASY, half MEDIUM (default 200)")
    parser.add_argument("--budget", type=int, default=200, help="env calls per problem, both searches (default 200)")
    parser.add_argument("--concurrent", type=int, default=8, help="MCTS searches run together (default 8)")
    parser.add_argument("--time-limit", type=float, default=120.0,
                        help="wall seconds per problem, a safety net only (default 120)")
    args = parser.parse_args(argv)

    items = problems(args.problems)
    families = Counter(p.family for p in items)
    print("MCTS vs best-first, measured on `mini` (the embedded fragment prover), NOT on Lean")
    print(f"  problems: {len(items)} = {sum(p.source == 'easy' for p in items)} EASY (generate(seed={EASY_SEED})) "
          f"+ {sum(p.source == 'medium' for p in items)} MEDIUM (generate(seed={MEDIUM_SEED})); "
          f"{sum(p.family.endswith('/true') for p in items)} intended true, "
          f"{sum(p.family.endswith('/false') for p in items)} intended false (unprovable)")
    print(f"  families: {dict(sorted(families.items()))}")
    print(f"  both: the action space's candidates (prover.actions.ActionSpace()), "
          f"{args.budget} env calls per problem, no model "
          f"(MCTS uniform_evaluator, default MCTSConfig otherwise; best-first uniform_scorer); "
          f"a proof counts only when verified")

    t0 = time.perf_counter()
    candidates = ActionSpace()
    mcts = run_mcts(items, candidates, args.budget, args.time_limit, args.concurrent)
    t1 = time.perf_counter()
    bfs = run_bfs(items, candidates, args.budget, args.time_limit)
    t2 = time.perf_counter()

    unreadable = sum(m is None or b is None for m, b in zip(mcts, bfs))
    if unreadable:
        print(f"  {unreadable} statements mini could not read (left out of both counts)")
    print()
    table(items, mcts, bfs)
    calls_summary("MCTS", mcts, t1 - t0)
    calls_summary("best-first", bfs, t2 - t1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
