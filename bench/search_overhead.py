"""Search bookkeeping overhead of MCTS: how much wall time is neither the env nor the evaluator.

An environment whose every `apply` costs a fixed step (default 1 ms, a BUSY-WAIT on
`time.perf_counter` so the cost is exact; `--sleep` uses `time.sleep` instead, which overshoots
by the scheduler's slack), over a deterministic, implicit tree of goals: every goal offers
`--tactics` candidate tactics; each (goal, tactic) pair, hashed with the seed, is an error, a
timeout, a closing step, one subgoal, or `--branching` subgoals (an AND node); some subgoals
recur (transpositions). A constant evaluator (uniform priors, value 0.5). `--searches`
concurrent MCTS searches (one root each) run through `search.driver.run_searches` in ONE run,
which measures at once: the wall time, the time inside `env.apply`, the time inside the
evaluator. Bookkeeping = wall - env - evaluator (selection, expansion, backup, the driver,
candidate lookup). Prints bookkeeping / wall (target <= 5%) and the mean evaluator batch size
(target >= 16 with 8 searches).

    .venv/bin/python bench/search_overhead.py [--tactics 32] [--simulations 400] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from lean_env.contract import (
    GoalView,
    ProofState,
    TacticError,
    TacticResult,
    TacticSuccess,
    TacticTimeout,
    Verification,
)
from search.driver import run_searches
from search.evaluator import EvalRequest, EvalResult, constant_evaluator
from search.mcts import MCTSConfig, MCTSSearch

OVERHEAD_TARGET = 0.05
BATCH_TARGET = 16.0


@dataclass(frozen=True, slots=True)
class TreeShape:
    """The implicit goal tree: per (goal, tactic) pair, the chance of each outcome."""

    tactics: int = 32  # candidate tactics per goal
    branching: int = 2  # goals left by a splitting tactic
    error_share: float = 0.55  # tactic rejected (most candidate tactics fail in Lean)
    timeout_share: float = 0.02
    close_share: float = 0.02  # tactic closes the goal (only at depth >= close_depth)
    close_depth: int = 4
    split_share: float = 0.15  # of the successful, non-closing steps: leaves `branching` goals
    transposition_share: float = 0.1  # a new goal is one of a small pool per depth
    pool: int = 64
    hypotheses: int = 4  # lines of padding per goal, so goal texts have a realistic length


class TreeEnv:
    """A `ProofEnv` over `TreeShape`'s deterministic tree; `apply` costs `step` seconds."""

    name = "bench-tree"

    def __init__(self, shape: TreeShape, *, seed: int, step: float, busy: bool) -> None:
        self.shape, self.seed, self.step, self.busy = shape, seed, step, busy
        self.apply_time = 0.0
        self.apply_calls = 0
        self.outcomes: Counter[str] = Counter()  # what the steps gave: the tree as the search saw it
        self._handles = 0
        self._tactics = tuple(f"tactic_{i} h{i % 5}" for i in range(shape.tactics))

    def candidates(self, goal: GoalView) -> Sequence[str]:
        return self._tactics

    def start(self, statement: str, *, header: str = "", timeout: float = 10.0) -> ProofState:
        return self._state([self._goal(0, statement)])

    def apply(self, state: ProofState, tactic: str, *, goal: int = 0, timeout: float = 10.0) -> TacticResult:
        t0 = time.perf_counter()
        result = self._outcome(state.goals[goal].text, tactic, timeout)
        if self.busy:
            while time.perf_counter() - t0 < self.step:
                pass
        else:
            left = self.step - (time.perf_counter() - t0)
            if left > 0:
                time.sleep(left)
        self.apply_time += time.perf_counter() - t0
        self.apply_calls += 1
        return result

    def verify(self, statement: str, proof: str, *, header: str = "", timeout: float = 10.0) -> Verification:
        return Verification(True, (), self.name)  # the bench measures search, not proofs

    def close(self) -> None:
        pass

    def _outcome(self, text: str, tactic: str, timeout: float) -> TacticResult:
        shape = self.shape
        digest = hashlib.blake2b(f"{self.seed}|{text}|{tactic}".encode(), digest_size=16).digest()
        u, v = (int.from_bytes(digest[i : i + 8], "big") / 2**64 for i in (0, 8))
        if u < shape.error_share:
            self.outcomes["error"] += 1
            return TacticError(f"{tactic} failed")
        u -= shape.error_share
        if u < shape.timeout_share:
            self.outcomes["timeout"] += 1
            return TacticTimeout(timeout)
        u -= shape.timeout_share
        depth = int(text.rsplit("depth ", 1)[1].split(" ", 1)[0])
        if u < shape.close_share:
            if depth >= shape.close_depth:
                self.outcomes["closed"] += 1
                return TacticSuccess(self._state([]))
            self.outcomes["error"] += 1
            return TacticError(f"{tactic}: no progress")
        k = shape.branching if v < shape.split_share else 1
        self.outcomes["1 goal" if k == 1 else f"{k} goals"] += 1
        names = []
        for j in range(k):
            w = int.from_bytes(hashlib.blake2b(digest + bytes([j]), digest_size=8).digest(), "big")
            if (w % 1000) / 1000 < shape.transposition_share:
                names.append(f"pool{w % shape.pool}")
            else:
                names.append(f"{w:016x}")
        return TacticSuccess(self._state([self._goal(depth + 1, n) for n in names]))

    def _goal(self, depth: int, name: str) -> GoalView:
        hyps = "".join(f"h{i} : x{i} + {name[:4]} ≤ y{i} * {depth}\n" for i in range(self.shape.hypotheses))
        text = f"x y : ℕ\n{hyps}⊢ P {name} (depth {depth} )"
        return GoalView(text, text)

    def _next_handle(self) -> int:
        self._handles += 1
        return self._handles

    def _state(self, goals: list[GoalView]) -> ProofState:
        return ProofState(self._next_handle(), tuple(goals))


class TimedEvaluator:
    """A constant evaluator that clocks itself and records its batch sizes."""

    def __init__(self, value: float) -> None:
        self._inner = constant_evaluator(value)
        self.time = 0.0
        self.batches: list[int] = []

    def __call__(self, requests: Sequence[EvalRequest]) -> Sequence[EvalResult]:
        t0 = time.perf_counter()
        out = self._inner(requests)
        self.time += time.perf_counter() - t0
        self.batches.append(len(requests))
        return out


@dataclass(frozen=True, slots=True)
class Measurement:
    """One run: every figure comes from the same run of the searches."""

    wall: float
    env: float  # seconds inside env.apply
    evaluator: float  # seconds inside the evaluator
    env_calls: int
    simulations: int
    nodes: int
    batch_sizes: tuple[int, ...]
    proved: int
    reasons: dict[str, int]
    outcomes: dict[str, int]

    @property
    def bookkeeping(self) -> float:
        return self.wall - self.env - self.evaluator

    @property
    def ratio(self) -> float:
        return self.bookkeeping / self.wall

    @property
    def mean_batch(self) -> float:
        return sum(self.batch_sizes) / len(self.batch_sizes) if self.batch_sizes else 0.0


def run(args: argparse.Namespace, seed: int) -> Measurement:
    shape = TreeShape(tactics=args.tactics, branching=args.branching, error_share=args.error_share)
    env = TreeEnv(shape, seed=seed, step=args.step_ms / 1e3, busy=not args.sleep)
    config = MCTSConfig(
        num_simulations=args.simulations, max_env_calls=args.max_env_calls, leaves_per_round=args.leaves_per_round
    )
    evaluator = TimedEvaluator(0.5)
    t0 = time.perf_counter()
    searches = [MCTSSearch(env, f"root{seed}_{i}", env.candidates, config=config) for i in range(args.searches)]
    report = run_searches(searches, evaluator)
    wall = time.perf_counter() - t0
    return Measurement(
        wall=wall,
        env=env.apply_time,
        evaluator=evaluator.time,
        env_calls=env.apply_calls,
        simulations=sum(r.simulations for r in report.results),
        nodes=sum(len(s.tree) for s in searches),
        batch_sizes=report.batch_sizes,
        proved=sum(r.proved for r in report.results),
        reasons=dict(Counter(r.reason.value for r in report.results)),
        outcomes=dict(env.outcomes.most_common()),
    )


def main(argv: Sequence[str] | None = None) -> int:
    defaults = MCTSConfig()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--searches", type=int, default=8, help="concurrent MCTS searches (default 8)")
    parser.add_argument("--tactics", type=int, default=32, help="candidate tactics per goal (default 32)")
    parser.add_argument("--branching", type=int, default=2, help="goals left by a splitting tactic (default 2)")
    parser.add_argument("--error-share", type=float, default=TreeShape().error_share,
                        help=f"share of failing tactics (default {TreeShape().error_share})")
    parser.add_argument("--simulations", type=int, default=defaults.num_simulations,
                        help=f"simulations per search (default {defaults.num_simulations}, MCTSConfig's)")
    parser.add_argument("--max-env-calls", type=int, default=defaults.max_env_calls,
                        help=f"env calls per search (default {defaults.max_env_calls}, MCTSConfig's)")
    parser.add_argument("--leaves-per-round", type=int, default=defaults.leaves_per_round,
                        help=f"simulations per search per evaluator batch (default {defaults.leaves_per_round})")
    parser.add_argument("--step-ms", type=float, default=1.0, help="cost of one env step in ms (default 1)")
    parser.add_argument("--sleep", action="store_true", help="time.sleep for the step instead of a busy-wait")
    parser.add_argument("--seed", type=int, default=0, help="seed of the goal tree (run i uses seed + i)")
    parser.add_argument("--repeat", type=int, default=1, help="independent runs, each measured on its own")
    parser.add_argument("--profile", type=int, nargs="?", const=25, default=0, metavar="N",
                        help="then run once more under cProfile and print the N hottest functions "
                             "(best with --step-ms 0)")
    args = parser.parse_args(argv)

    shape = TreeShape(tactics=args.tactics, branching=args.branching, error_share=args.error_share)
    step = "time.sleep" if args.sleep else "busy-wait"
    print(f"search overhead: {args.searches} concurrent MCTS searches through run_searches, constant evaluator 0.5")
    print(f"  env step: {args.step_ms:g} ms per apply ({step}); goal tree: {asdict(shape)}")
    print(f"  MCTSConfig: defaults except num_simulations={args.simulations}, max_env_calls={args.max_env_calls}, "
          f"leaves_per_round={args.leaves_per_round} (c_puct {defaults.c_puct}, max_children "
          f"{defaults.max_children}, virtual_loss {defaults.virtual_loss}, and_value {defaults.and_value})")
    runs = []
    for i in range(args.repeat):
        m = run(args, args.seed + i)
        runs.append(m)
        calls = max(m.env_calls, 1)
        ok_ratio, ok_batch = m.ratio <= OVERHEAD_TARGET, m.mean_batch >= BATCH_TARGET
        print(f"run {i + 1} (seed {args.seed + i}): {m.env_calls} env calls, {m.simulations} simulations, "
              f"{m.nodes} goal nodes, proved {m.proved}/{args.searches}, stops {m.reasons}")
        print(f"  step outcomes: {m.outcomes}")
        print(f"  wall {m.wall:.3f} s = env {m.env:.3f} s + evaluator {m.evaluator:.3f} s "
              f"+ bookkeeping {m.bookkeeping:.3f} s ({1e6 * m.bookkeeping / calls:.1f} µs per env call)")
        print(f"  bookkeeping / wall   = {m.ratio:.4f}   target <= {OVERHEAD_TARGET:.2f}   "
              f"{'OK' if ok_ratio else 'MISSED'}")
        print(f"  mean evaluator batch = {m.mean_batch:.2f}    target >= {BATCH_TARGET:g}     "
              f"{'OK' if ok_batch else 'MISSED'}   ({len(m.batch_sizes)} batches, first {m.batch_sizes[:1]}, "
              f"median {statistics.median(m.batch_sizes) if m.batch_sizes else 0:g})")
    if len(runs) > 1:
        ratios = sorted(m.ratio for m in runs)
        print(f"over {len(runs)} runs: bookkeeping / wall median {statistics.median(ratios):.4f} "
              f"(min {ratios[0]:.4f}, max {ratios[-1]:.4f}); mean batch median "
              f"{statistics.median(m.mean_batch for m in runs):.2f}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(args, args.seed)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
