"""Does self-play teach the network? Held-out `mini` problems (not Lean), before and after.

1. Runs `leanzero selfplay`'s driver for `--minutes` with `--workers` on generated statements
   (training seed), sampling the resident memory of every process as it goes (skip with
   `--skip-run` to evaluate an existing run directory).
2. Draws held-out statements from a DIFFERENT generator seed and drops any whose canonical text
   (binders and proposition, whitespace-normalised) the run ever held or drew.
3. Searches every held-out statement three ways at the same environment-call budget (the
   headline `--budget`, and each budget of `--curve`):
   MCTS guided by the UNTRAINED network (same tokenizer and preset, fresh initialisation),
   MCTS guided by the TRAINED network (the run's latest checkpoint), and best-first search with
   uniform scores. Same candidate tactics (the action space). A proof counts only when
   verified. Prints the three counts and the ratios (trained / untrained, trained /
   best-first); writes them to RUN_DIR/learning_curve.json beside RUN_DIR/curve.png.
4. Re-checks every proof and disproof of the run's proofs.jsonl for a counterexample
   (`bench/crosscheck.py --proofs`): the soundness fault count, expected 0.

    .venv/bin/python bench/learning_curve.py [--minutes 20] [--workers 2] [--run-dir runs/learning]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TRAIN_SEED, HELD_OUT_SEED = 1, 777_001


@dataclass(frozen=True, slots=True)
class MemorySample:
    minute: float
    rss_mb: dict[str, float]  # per process role: the largest resident set among its processes


def _roles() -> dict[str, list[int]]:
    """Ray's processes by role (actor class in the process title), and this driver."""
    import psutil

    roles: dict[str, list[int]] = {"driver": [os.getpid()]}
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmd = " ".join(proc.info["cmdline"] or [])
        for role in ("Worker", "Learner", "Buffer", "Store", "Inference"):
            if cmd.startswith(f"ray::{role}"):
                roles.setdefault(role, []).append(proc.info["pid"])
    return roles


def _sample(t0: float) -> MemorySample:
    import psutil

    out: dict[str, float] = {}
    for role, pids in _roles().items():
        sizes = []
        for pid in pids:
            try:
                sizes.append(psutil.Process(pid).memory_info().rss / 2**20)
            except psutil.Error:
                pass
        if sizes:
            out[role] = max(sizes)
    return MemorySample((time.monotonic() - t0) / 60, out)


def run_training(args: argparse.Namespace) -> list[MemorySample]:
    from selfplay.run import SelfPlayConfig, run_selfplay

    config = SelfPlayConfig(
        run_dir=args.run_dir, workers=args.workers, minutes=args.minutes, seed=TRAIN_SEED,
        difficulty=args.difficulty, simulations=args.train_simulations, env_calls=args.train_env_calls,
    )
    samples: list[MemorySample] = []
    stop = threading.Event()
    t0 = time.monotonic()

    def watch() -> None:
        while not stop.wait(30.0):
            samples.append(_sample(t0))

    threading.Thread(target=watch, daemon=True).start()

    def show(p) -> None:
        print(f"  {p.elapsed / 60:5.1f} min  attempts {p.attempts}  proofs {p.proofs}  disproofs {p.disproofs}  "
              f"solve rate {p.solve_rate:.2f}  buffer {p.buffer}  learner step {p.learner_step}  "
              f"version {p.model_version}", flush=True)

    run_selfplay(config, on_progress=show)
    stop.set()
    return samples


def held_out(run_dir: Path, n: int, difficulty: str) -> tuple[list, int]:
    """`n` held-out problems; the number dropped for overlapping the run's statements."""
    from itertools import islice

    from lean_env.text.statement import canonical
    from selfplay.curriculum import Curriculum
    from selfplay.statements import from_generator, generator_stream

    state = json.loads((run_dir / "state.json").read_text())
    seen = {canonical(p.statement) for p in islice(generator_stream(TRAIN_SEED, difficulty), int(state["consumed"]))}
    held = Curriculum.from_state(state["curriculum"])
    seen |= {canonical(held.problem(name).statement) for name in held.names()}
    out, dropped = [], 0
    for p in from_generator(HELD_OUT_SEED, 4 * n, difficulty):
        if canonical(p.statement) in seen:
            dropped += 1
        elif len(out) < n:
            out.append(p)
    return out, dropped


def count_mcts(problems: Sequence, evaluator, budget: int, simulations: int) -> int:
    from lean_env import open_env
    from prover.actions import ActionSpace
    from search.driver import run_searches
    from search.mcts import MCTSConfig, MCTSSearch

    env, candidates = open_env("mini"), ActionSpace()
    config = MCTSConfig(num_simulations=simulations, max_env_calls=budget, time_limit=60.0)
    proved = 0
    for i in range(0, len(problems), 8):
        searches = [MCTSSearch(env, p.statement, candidates, config=config) for p in problems[i : i + 8]]
        proved += sum(r.proved and r.verification.ok for r in run_searches(searches, evaluator).results)
    return proved


def count_bfs(problems: Sequence, budget: int) -> int:
    from lean_env import open_env
    from prover.actions import ActionSpace
    from search.bestfirst import SearchConfig, best_first_search

    env, candidates = open_env("mini"), ActionSpace()
    config = SearchConfig(max_env_calls=budget, time_limit=60.0)
    return sum(best_first_search(env, p.statement, candidates, config=config).proved for p in problems)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0, help="self-play minutes (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="self-play workers (default 2)")
    parser.add_argument("--run-dir", default="runs/learning", help="the run directory (default runs/learning)")
    parser.add_argument("--skip-run", action="store_true", help="evaluate the existing run directory")
    parser.add_argument("--difficulty", default="hard",
                        help="generator difficulty, training and held-out (default hard)")
    parser.add_argument("--held-out", type=int, default=200, help="held-out problems (default 200)")
    parser.add_argument("--budget", type=int, default=2,
                        help="headline env calls per held-out problem, every searcher (default 2: the policy must "
                             "put a proving tactic among its first tries; the curve shows larger budgets)")
    parser.add_argument("--curve", type=lambda t: [int(x) for x in t.split(",")], default=[2, 3, 4, 6, 12],
                        metavar="B1,B2,...", help="budgets of the printed curve (default 2,3,4,6,12)")
    parser.add_argument("--simulations", type=int, default=64,
                        help="MCTS simulations per held-out problem (default 64)")
    parser.add_argument("--train-simulations", type=int, default=64,
                        help="self-play simulations per search (default 64)")
    parser.add_argument("--train-env-calls", type=int, default=128, help="self-play env calls per search (default 128)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    run_dir = Path(args.run_dir)
    print("learning curve on `mini` (the embedded fragment prover), NOT on Lean")
    samples: list[MemorySample] = []
    if not args.skip_run:
        print(f"self-play: {args.minutes:g} min, {args.workers} workers, {args.difficulty} statements "
              f"(generator seed {TRAIN_SEED}), run dir {run_dir}")
        samples = run_training(args)
    from prover.net.checkpoint import load_checkpoint
    from prover.net.inference import NetworkEvaluator
    from prover.net.model import PolicyValueNet

    ckpt = load_checkpoint(run_dir / "checkpoints" / "latest.pt")
    trained = NetworkEvaluator(ckpt.build_model("cpu"), "cpu")
    untrained = NetworkEvaluator(PolicyValueNet(ckpt.config, ckpt.tokenizer, seed=TRAIN_SEED).eval(), "cpu")
    problems, dropped = held_out(run_dir, args.held_out, args.difficulty)
    print(f"held-out: {len(problems)} {args.difficulty} statements (generator seed {HELD_OUT_SEED}), "
          f"{dropped} dropped as seen in training; budget {args.budget} env calls per problem, "
          f"MCTS {args.simulations} simulations; checkpoint step {ckpt.step}, version {ckpt.metadata.get('version')}")
    def ratio(a: int, b: int) -> str:
        return f"{a / b:.2f}" if b else "inf"

    budgets = sorted({args.budget, *args.curve})
    print(f"  {'env calls':>9}  {'untrained':>9}  {'trained':>7}  {'best-first':>10}  {'trained/untrained':>17}  "
          f"{'trained/best-first':>18}")
    table = {}
    for budget in budgets:
        t0 = time.monotonic()
        row = (count_mcts(problems, untrained, budget, args.simulations),
               count_mcts(problems, trained, budget, args.simulations), count_bfs(problems, budget))
        table[budget] = row
        mark = "  <- headline" if budget == args.budget else ""
        print(f"  {budget:>9}  {row[0]:>9}  {row[1]:>7}  {row[2]:>10}  {ratio(row[1], row[0]):>17}  "
              f"{ratio(row[1], row[2]):>18}   ({time.monotonic() - t0:.0f} s){mark}", flush=True)
    n_untrained, n_trained, n_bfs = table[args.budget]
    print(f"  at {args.budget} env calls: proved untrained MCTS {n_untrained}, trained MCTS {n_trained}, "
          f"best-first {n_bfs} (of {len(problems)})")
    print(f"  trained / untrained = {ratio(n_trained, n_untrained)}   target >= 1.5   "
          f"{'OK' if n_trained >= 1.5 * n_untrained else 'MISSED'}")
    print(f"  trained / best-first = {ratio(n_trained, n_bfs)}   target > 1   "
          f"{'OK' if n_trained > n_bfs else 'MISSED'}")
    if samples:
        print("  resident memory (MB, the largest process of each role) over the run:")
        for s in samples[:: max(1, len(samples) // 8)] + samples[-1:]:
            print(f"    {s.minute:5.1f} min  " + "  ".join(f"{k} {v:.0f}" for k, v in sorted(s.rss_mb.items())))
    from crosscheck import check_proofs  # bench/crosscheck.py, beside this script

    faults = check_proofs(run_dir / "proofs.jsonl") if (run_dir / "proofs.jsonl").is_file() else None
    summary = {
        "soundness_check_failed": bool(faults),
        "held_out": len(problems), "dropped": dropped, "difficulty": args.difficulty, "budget": args.budget,
        "simulations": args.simulations, "untrained": n_untrained, "trained": n_trained, "best_first": n_bfs,
        "curve": {b: dict(zip(("untrained", "trained", "best_first"), row)) for b, row in table.items()},
        "checkpoint_step": ckpt.step, "memory": [{"minute": s.minute, **s.rss_mb} for s in samples],
        "backend": "mini",
    }
    out = run_dir / "learning_curve.json"
    if not samples and out.exists():  # --skip-run: keep the memory figures of the run itself
        summary["memory"] = json.loads(out.read_text()).get("memory", [])
    out.write_text(json.dumps(summary, indent=1))
    print(f"  learning curve: {run_dir / 'curve.png'}; figures: {run_dir / 'learning_curve.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
