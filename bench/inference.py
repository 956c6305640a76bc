"""Network inference throughput: candidate scorings per second at evaluator batch sizes 1, 16, 64.

Goals are real: statements from `selfplay.generator` (easy, medium, hard) started in `mini`,
plus the goals one step below them (after their first candidate that applies). Each goal gets
`--candidates` tactics (default 32): the action space's list, topped up from a fixed pool of
further plausible tactics (`simp at h`, `rw [h]`, `tauto`, ...) when shorter. A scoring is one
(goal, candidate) pair; the network is the `NetworkEvaluator` the search uses (length buckets,
`inference_mode`, bf16 autocast on CUDA), with random weights of the chosen preset or a
`--checkpoint`. All batch sizes are measured in ONE run, so the batch-64 / batch-1 speedup is a
ratio of numbers taken on the same machine state. Runs on CPU, and on CUDA too when present.

    .venv/bin/python bench/inference.py [--preset tiny|gpu] [--seconds 3] [--candidates 32]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Sequence

import torch

import lean_env
from lean_env.contract import GoalView, TacticSuccess
from lean_env.text.goals import parse_goal
from prover.actions import ActionSpace
from prover.net.checkpoint import CheckpointError, load_checkpoint
from prover.net.inference import NetworkEvaluator
from prover.net.model import ModelConfig, PolicyValueNet, parameter_count
from prover.net.tokenizer import Tokenizer
from search.evaluator import EvalRequest
from selfplay.generator import EASY, HARD, MEDIUM, generate

EXTRA = ("simp_all", "tauto", "trivial", "contradiction", "push_neg", "field_simp", "ring_nf", "norm_num [*]",
         "simp [*]", "omega", "aesop", "by_contra h", "exact?", "nlinarith [sq_nonneg (a - b)]", "positivity",
         "induction n with", "interval_cases x", "decide", "constructor", "left", "right", "intro x", "use 0")


def goals_from_mini(statements: int, seed: int) -> list[GoalView]:
    """Root goals of generated statements and the goals their first applicable candidate leaves."""
    env = lean_env.open_env("mini")
    goals: list[GoalView] = []
    per_level = max(statements // 3, 1)
    for level, difficulty in enumerate((EASY, MEDIUM, HARD)):
        for statement in generate(seed + level, per_level, difficulty):
            state = env.start(statement.statement)
            goals += state.goals
            for tactic in ActionSpace()(state.goals[0])[:3]:
                result = env.apply(state, tactic, timeout=2.0)
                if isinstance(result, TacticSuccess) and result.goals:
                    goals += result.goals
                    break
    env.close()
    return list({g.canonical: g for g in goals}.values())


def candidates(goal: GoalView, k: int) -> tuple[str, ...]:
    """The action space's candidates, topped up to `k` from the hypotheses and the fixed pool."""
    names = [h.name for h in parse_goal(goal.text).hypotheses if h.accessible]
    forms = ("simp at {}", "norm_num at {}", "rw [{}]", "exact {}", "linarith [{}]")
    per_hyp = [form.format(n) for n in names for form in forms]
    pool = [*ActionSpace()(goal)[:k], *per_hyp, *EXTRA]
    return tuple(dict.fromkeys(pool))[:k]


def measure(evaluator: NetworkEvaluator, requests: Sequence[EvalRequest], batch: int, seconds: float) -> dict:
    cycle = itertools.cycle(requests)
    batches = [[next(cycle) for _ in range(batch)] for _ in range(max(len(requests) // batch, 1) + 1)]
    for b in batches[:2]:  # warm-up: allocator, kernels, tokenizer cache
        evaluator(b)
    if evaluator.device.type == "cuda":
        torch.cuda.synchronize()
    calls = scorings = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or calls < 3:
        b = batches[calls % len(batches)]
        evaluator(b)  # results come back as Python floats: the device work is finished
        calls += 1
        scorings += sum(len(r.tactics) for r in b)
    elapsed = time.perf_counter() - start
    return {"calls": calls, "ms_per_call": 1e3 * elapsed / calls, "goals_per_s": calls * batch / elapsed,
            "scorings_per_s": scorings / elapsed}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=("tiny", "gpu"), default="tiny", help="model size (random weights)")
    parser.add_argument("--checkpoint", help="bench this checkpoint's model instead of a preset")
    parser.add_argument("--batch-sizes", default="1,16,64", help="comma-separated evaluator batch sizes")
    parser.add_argument("--candidates", type=int, default=32, help="tactics per goal")
    parser.add_argument("--statements", type=int, default=60, help="generated statements to draw goals from")
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds per batch size and device")
    parser.add_argument(
        "--threads", type=int, default=1,
        help="torch CPU threads (0: torch's default); 1 by default: with 2 threads on a 2-core machine whose "
        "other core is busy (search, mini, another job) torch's threads spin-wait and run up to 10x slower",
    )
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto",
                        help="auto: CPU, plus CUDA if present")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    sizes = [int(s) for s in args.batch_sizes.split(",")]

    goals = goals_from_mini(args.statements, args.seed)
    requests = [EvalRequest(g.canonical, candidates(g, args.candidates)) for g in goals]
    if args.checkpoint:
        try:
            model = load_checkpoint(args.checkpoint).build_model()
        except CheckpointError as e:
            sys.exit(f"error: {e}")
    else:
        tokenizer = Tokenizer.train([r.goal for r in requests] + [t for r in requests for t in r.tactics])
        preset = ModelConfig.tiny if args.preset == "tiny" else ModelConfig.gpu
        model = PolicyValueNet(preset(tokenizer.vocab_size), tokenizer, seed=args.seed)
    devices = ["cpu", "cuda"] if args.device == "auto" else [args.device]
    devices = [d for d in devices if d == "cpu" or torch.cuda.is_available()]
    if not devices:
        sys.exit("error: CUDA requested but not available")

    lengths = sorted(len(model.tokenizer.encode(r.goal)) for r in requests)
    mean_k = sum(len(r.tactics) for r in requests) / len(requests)
    print(f"model: {args.checkpoint or args.preset} ({parameter_count(model) / 1e6:.2f}M parameters, "
          f"d={model.config.d_model}, layers={model.config.n_layers}); torch {torch.__version__}, "
          f"{torch.get_num_threads()} CPU threads")
    print(f"goals: {len(requests)} from mini, tokens median {lengths[len(lengths) // 2]} max {lengths[-1]}; "
          f"{mean_k:.1f} candidates per goal")
    print(f"{'device':<8}{'batch':>6}{'calls':>7}{'ms/call':>10}{'goals/s':>10}{'scorings/s':>12}")
    for device in devices:
        evaluator = NetworkEvaluator(model, device)
        rows = {b: measure(evaluator, requests, b, args.seconds) for b in sizes}
        for b, r in rows.items():
            print(f"{device:<8}{b:>6}{r['calls']:>7}{r['ms_per_call']:>10.2f}{r['goals_per_s']:>10.1f}"
                  f"{r['scorings_per_s']:>12.0f}")
        if len(sizes) > 1:
            lo, hi = min(sizes), max(sizes)
            ratio = rows[hi]["scorings_per_s"] / rows[lo]["scorings_per_s"]
            print(f"{device}: batch-{hi} over batch-{lo} speedup {ratio:.1f}x (scorings/s, same run)")


if __name__ == "__main__":
    main()
