"""Evaluation: every problem of a set searched under the same budget, with results that survive a kill.

Each problem ends in one status:

- `proved`: a search found a proof AND the backend verified it from scratch (only such proofs
  are written);
- `failed`: the searches ended without one (budget spent, search space exhausted, or a found
  script the backend refused);
- `timeout`: a search hit its wall-time limit (or its worker stopped answering);
- `error`: the statement is not a declaration at all, the backend refused it (repl/dojo), or the
  backend crashed;
- `outside-fragment` (backend `mini` only): `mini` cannot read the statement, or the root goal's
  target lies outside its arithmetic fragment (`lean_env.mini.terms.in_fragment`: ℝ/ℚ, big
  operators, sets, λ), where only structural tactics act (`closers.fragment_view`). Such a
  problem is never searched, so it is neither proved nor failed: it says nothing about Lean.

pass@k is k independent searches, the first verified proof winning. Attempt 0 is the plain
deterministic search; attempt i > 0 uses seed `seed + i`: MCTS mixes Dirichlet noise into the
root priors (weight `SELF_PLAY_NOISE`), best-first shuffles each goal's candidate tactics (seeded by the goal
text, so it is reproducible). `budget` (env calls) and `time_limit` apply to each attempt.

The driver appends each finished problem to `results.jsonl` (flushed and fsynced) as it
arrives, so a kill loses at most the problems in flight, and `resume` skips the names already
there. Workers are Ray actors, each with its own backend (`prover.evaluate.pool`: crashed, stuck
and lost workers, nodes of a cluster), or a loop in this process. The
summary, report and figure are written by `prover.evaluate.report`; the settings, statuses
and results file are `prover.evaluate.results`.
"""

from __future__ import annotations

import logging
import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lean_env import open_env
from lean_env.contract import EnvCounters, ProofEnv, StatementError
from lean_env.problem import Problem
from prover.actions import ActionSpace
from prover.actions.space import DEFAULT, ActionConfig, Family
from prover.cluster import this_node
from prover.evaluate.report import write_outputs
from prover.evaluate.results import (
    ERROR,
    FAILED,
    OUTSIDE,
    PROVED,
    STARTUP_SECONDS,
    STATUSES,
    TIMEOUT,
    EvaluateError,
    ResultsLog,
    Settings,
    Summary,
    check_resumable,
)
from search.bestfirst import SearchConfig, StopReason, best_first_search, uniform_scorer
from search.driver import run_searches
from search.evaluator import EvalRequest, Evaluator, uniform_evaluator
from search.mcts import SELF_PLAY_NOISE, MCTSConfig, MCTSSearch

log = logging.getLogger(__name__)

Emit = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class _Attempt:
    seed: int
    proved: bool
    proof: str | None
    reason: str  # the search's stop reason (search.bestfirst.StopReason)
    detail: str
    env_calls: int
    elapsed: float
    fault: str | None = None  # the backend caught itself accepting what it must not (expected never)
    novel: tuple[str, ...] = ()  # the proof's tactics no rule proposed for their goal (the decoder's)

    def row(self) -> dict[str, Any]:
        reason = f"{self.reason}: {self.detail}" if self.detail else self.reason
        out = {"seed": self.seed, "result": reason, "env_calls": self.env_calls, "time": round(self.elapsed, 3)}
        if self.novel:
            out["novel"] = list(self.novel)
        if self.fault is not None:
            out["fault"] = self.fault[:2000]
        return out


# ------------------------------------------------------------------ one worker


class Prover:
    """One backend and the network if any: runs problems one at a time. The body of each Ray
    worker and of the in-process run. A backend that cannot start is kept as `failure` (the
    driver asks `ready()` first), so it reaches the user as a message, not a traceback."""

    def __init__(self, settings: Settings, *, env: ProofEnv | None = None, threads: int = 1) -> None:
        self.settings, self.env, self.failure = settings, env, ""
        self.network: Evaluator | None = None
        try:
            self.candidates = ActionSpace(
                ActionConfig(families=frozenset(Family(f) for f in settings.families)) if settings.families
                else DEFAULT
            )
            if settings.checkpoint is not None:
                import torch

                from prover.net.inference import evaluator_from_checkpoint

                # one thread: the backend needs the other cores, and a tiny model on two busy
                # cores runs several times slower (spin-waiting) than on one
                torch.set_num_threads(threads)
                from prover.net.decoder import DecoderSettings

                decoder = DecoderSettings(samples=settings.decoder_samples) if settings.searcher == "mcts" else None
                self.network = evaluator_from_checkpoint(
                    settings.checkpoint, "cpu", decoder=decoder, seed=settings.seed
                )
            if self.env is None:
                self.env = open_env(settings.backend, **dict(settings.backend_options))
        except Exception as e:  # ValueError (backend), CheckpointError, missing packages
            self.failure = str(e) or type(e).__name__

    def ready(self) -> str:
        """'' when the worker can run problems, else why not."""
        return self.failure

    def pid(self) -> int:
        return os.getpid()

    def node(self) -> str:
        """The Ray node this worker runs on (asked of Ray actors only)."""
        return this_node()

    def close(self) -> None:
        if self.env is not None:
            self.env.close()

    def run(self, task: Problem) -> dict[str, Any]:
        """The results row of one problem; never raises (a crash is this problem's `error`)."""
        t0 = time.monotonic()
        before = self.env.counters() if self.env is not None else EnvCounters()
        try:
            status, message, attempts = self._run(task)
        except Exception as e:
            log.exception("evaluating %s", task.name)
            status, message, attempts = ERROR, f"{type(e).__name__}: {e}", []
        row = _row(task, self.settings, status, message, attempts, time.monotonic() - t0)
        if self.env is not None:  # what this problem cost the backend's processes (kills, restarts, ...)
            row["env_counters"] = {k: v for k, v in (self.env.counters() - before).as_dict().items() if v}
        return row

    def _run(self, task: Problem) -> tuple[str, str, list[_Attempt]]:
        if task.error:
            return ERROR, task.error, []
        if self.env is not None and self.env.capabilities.fragment:
            why = self._outside(task)
            if why:
                return OUTSIDE, why, []
        attempts: list[_Attempt] = []
        for i in range(self.settings.pass_k):
            try:
                attempt = self._attempt(task, i)
            except StatementError as e:
                return ERROR, str(e), attempts
            attempts.append(attempt)
            if attempt.proved:
                return PROVED, "", attempts
        last = attempts[-1]
        message = f"{last.reason}: {last.detail}" if last.detail else last.reason
        if any(a.reason == StopReason.TIME_LIMIT for a in attempts):
            return TIMEOUT, message, attempts
        return FAILED, message, attempts

    def _outside(self, task: Problem) -> str:
        """Why a fragment backend leaves this problem out (see the module doc), or ''."""
        assert self.env is not None
        try:
            state = self.env.start(task.statement, header=task.header, timeout=STARTUP_SECONDS)
        except StatementError as e:
            return f"{self.env.name} cannot read the statement: {e}"
        return self.env.outside_fragment(state)

    def _attempt(self, task: Problem, index: int) -> _Attempt:
        s = self.settings
        seed = s.seed + index
        return (self._mcts if s.searcher == "mcts" else self._bfs)(task, index, seed)

    def _mcts(self, task: Problem, index: int, seed: int) -> _Attempt:
        s = self.settings
        config = MCTSConfig(
            num_simulations=s.simulations or 10 * s.budget, max_env_calls=s.budget, time_limit=s.time_limit,
            tactic_timeout=s.tactic_timeout, start_timeout=STARTUP_SECONDS, verify_timeout=STARTUP_SECONDS,
            seed=seed, dirichlet_fraction=SELF_PLAY_NOISE if index else 0.0,
        )
        assert self.env is not None
        search = MCTSSearch(self.env, task.statement, self.candidates, config=config, header=task.header)
        search.start()  # a `StatementError` goes to `_run`
        r = run_searches([search], self.network or uniform_evaluator).results[0]
        detail = r.detail or _refusal(r.verification)
        return _Attempt(seed, r.proved, r.proof, str(r.reason), detail, r.env_calls, r.elapsed, _fault(r.verification),
                        tuple(t for _, t in r.novel))

    def _bfs(self, task: Problem, index: int, seed: int) -> _Attempt:
        s = self.settings
        config = SearchConfig(max_expansions=10 * s.budget + 10, max_env_calls=s.budget, time_limit=s.time_limit,
                              tactic_timeout=s.tactic_timeout, start_timeout=STARTUP_SECONDS,
                              verify_timeout=STARTUP_SECONDS)
        candidates = self.candidates if index == 0 else shuffled(self.candidates, seed)
        scorer = uniform_scorer if self.network is None else network_scorer(self.network)
        assert self.env is not None
        r = best_first_search(self.env, task.statement, candidates, header=task.header, scorer=scorer, config=config)
        return _Attempt(seed, r.proved, r.proof, str(r.reason), _refusal(r.verification), r.env_calls, r.elapsed,
                        _fault(r.verification))


def _row(task: Problem, settings: Settings, status: str, message: str, attempts: Sequence[_Attempt] = (),
         elapsed: float = 0.0) -> dict[str, Any]:
    """The results row of one problem (see docs/evaluate.md for the fields)."""
    s = settings
    won = attempts[-1] if status == PROVED else None
    return {
        "name": task.name, "status": status, "proof": won.proof if won else None,
        "env_calls": sum(a.env_calls for a in attempts), "time": round(elapsed, 3),
        "seed": won.seed if won else s.seed, "backend": s.backend, "searcher": s.searcher,
        "checkpoint": s.checkpoint, "budget": s.budget, "time_limit": s.time_limit, "pass_k": s.pass_k,
        "attempts": [a.row() for a in attempts], "message": message, "statement": task.statement,
        "faults": sum(a.fault is not None for a in attempts),
        "decoder_samples": s.decoder_samples,
        "novel": list(won.novel) if won else [],
    }


def _fault(verification: Any) -> str | None:
    """The backend's soundness fault on a found script, if it reported one."""
    return None if verification is None else verification.fault


def _refusal(verification: Any) -> str:
    """The backend's words when it refused a found script ('' otherwise)."""
    if verification is None or verification.ok:
        return ""
    return "; ".join(verification.messages)[:500]


def shuffled(candidates: Callable[[Any], Sequence[str]], seed: int) -> Callable[[Any], list[str]]:
    """The candidates in a seeded order that depends only on (seed, goal): reproducible."""

    def propose(goal: Any) -> list[str]:
        tactics = list(candidates(goal))
        random.Random(f"{seed}\0{goal.canonical}").shuffle(tactics)
        return tactics

    return propose


def network_scorer(network: Evaluator) -> Callable[[str, Sequence[str]], list[float]]:
    """Best-first scores from a network: the log of its priors."""
    def score(goal_text: str, tactics: Sequence[str]) -> list[float]:
        (result,) = network([EvalRequest(goal_text, tuple(tactics))])
        return [math.log(max(p, 1e-12)) for p in result.priors]

    return score


# ------------------------------------------------------------------ the driver


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def evaluate(
    tasks: Sequence[Problem],
    settings: Settings,
    out: str | Path,
    *,
    workers: int = 2,
    resume: bool = False,
    source: str = "",
    emit: Emit | None = _stderr,
    env: ProofEnv | None = None,
    worker: type[Prover] = Prover,
    stall_seconds: float | None = None,
) -> Summary:
    """Run every task not already in `out/results.jsonl`, then write summary.json, report.md and
    budget.png. `workers=0` runs in this process (`env` may then be given, for tests). On Ray,
    `worker` is the actor class, and a problem unanswered after `stall_seconds` (default
    `settings.hard_limit`) is a `timeout` and its worker is replaced."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise EvaluateError(f"{out}: not a folder")
    out.mkdir(parents=True, exist_ok=True)
    results = ResultsLog(out / "results.jsonl")
    earlier = results.latest()
    if earlier and not resume:
        raise EvaluateError(f"{results.path} already holds results: pass --resume to continue that run, "
                            "or choose another --out")
    check_resumable(earlier, settings, results.path)
    todo = [t for t in tasks if t.name not in earlier]
    resumed = len(tasks) - len(todo)
    say = emit or (lambda line: None)
    if resumed:
        say(f"leanzero evaluate: resuming: {resumed} of {len(tasks)} problems already in {results.path}")
    t0 = time.monotonic()
    finished = resumed
    width = len(str(len(tasks)))

    def take(row: dict[str, Any]) -> None:
        nonlocal finished
        results.append(row)
        finished += 1
        calls = f"{row['env_calls']} env calls, " if row["status"] in (PROVED, FAILED, TIMEOUT) else ""
        say(f"leanzero evaluate: [{finished:{width}d}/{len(tasks)}] {row['name']}  {row['status']}  "
            f"({calls}{row['time']:.1f}s)")
        if row.get("faults"):
            say(f"leanzero evaluate: SOUNDNESS FAULT on {row['name']}: the backend caught itself accepting a "
                f"script for a statement with a counterexample (see the attempts in {results.path})")

    interrupted = False
    try:
        if todo:
            if workers <= 0:
                _run_here(todo, settings, take, env)
            else:
                if env is not None:
                    raise ValueError("env can only be given with workers=0")
                _run_ray(todo, settings, take, workers, say, worker, stall_seconds or settings.hard_limit)
    except KeyboardInterrupt:
        interrupted = True
    latest = results.latest()
    rows = [latest[t.name] for t in tasks if t.name in latest]
    counts = {status: sum(r["status"] == status for r in rows) for status in STATUSES}
    summary = Summary(len(tasks), counts, finished - resumed, resumed, time.monotonic() - t0, settings, out, rows,
                      interrupted)
    write_outputs(summary, source=source)
    return summary


def _run_here(todo: Sequence[Problem], settings: Settings, take: Callable[[dict], None], env: ProofEnv | None) -> None:
    prover = Prover(settings, env=env)
    if prover.ready():
        raise EvaluateError(prover.ready())
    try:
        for task in todo:
            take(prover.run(task))
    finally:
        if env is None:
            prover.close()


def _run_ray(
    todo: Sequence[Problem], settings: Settings, take: Callable[[dict], None], workers: int, say: Emit,
    worker: type[Prover], stall_seconds: float,
) -> None:
    """One actor per worker, one task per problem, on the Ray this process is connected to (else a
    local one, shut down afterwards); `prover.evaluate.pool` says what becomes of a problem whose
    worker crashes, hangs or leaves with its node."""
    import ray

    from prover.evaluate.pool import Pool

    started = not ray.is_initialized()
    if started:
        ray.init(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        cpus = ray.cluster_resources().get("CPU", 1.0)
        cls = ray.remote(worker).options(num_cpus=min(1.0, cpus / workers), max_restarts=0, max_task_retries=0)

        def row(task: Problem, status: str, message: str, elapsed: float) -> dict[str, Any]:
            return _row(task, settings, status, message, elapsed=elapsed)

        pool = Pool(cls, settings, min(workers, len(todo)), threads=max(1, int(cpus // workers)), take=take,
                    row=row, say=say, stall_seconds=stall_seconds)
        try:
            pool.run(todo)
        finally:
            pool.close()
    finally:
        if started:
            ray.shutdown()
