"""miniF2F on `mini`: the problems inside its fragment, and how many each searcher proves.

For both splits: the problems `mini` can search (the rest are `outside-fragment`, see
`bench/minif2f_fragment.py`), then, at each budget of env calls per problem (pass@1), the
problems proved by best-first search, by MCTS with uniform priors (untrained) and by MCTS
guided by a self-play checkpoint, each with the mean env calls its proofs took; beside them the
free baseline a user tries first, the **one-closer sweep**: each standard closer once at the
root (`SWEEP`), a problem counting when one of them closes it and the proof verifies.

Then the **family ablation** on valid (best-first at the first budget): the count with every
action-space family, without each family in turn, and with only the four families the action
space had before issue 14: what each family contributes. These are results on mini, an
embedded fragment prover, NOT on Lean.

Runs `prover.evaluate.evaluate` (in this process by default, `--workers N` for Ray); with
`--out DIR` each run keeps its folder there (results.jsonl, report.md, budget.png) and a
second call resumes instead of redoing.

Usage: python bench/minif2f_mini.py [--data ../shared/minif2f] [--budgets 100 400] [--checkpoint PATH]
       [--workers 0] [--out DIR] [--limit N] [--splits valid test] [--no-ablation]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lean_env.contract import ProofState, StatementError, TacticSuccess  # noqa: E402
from lean_env.mini import MiniEnv  # noqa: E402
from lean_env.problem import Problem  # noqa: E402
from prover.actions.space import Family  # noqa: E402
from prover.evaluate import OUTSIDE, PROVED, EvaluateError, Settings, evaluate  # noqa: E402
from prover.evaluate.minif2f import SPLITS, DataError, load_minif2f  # noqa: E402

DEFAULT_DATA = ROOT / ".." / "shared" / "minif2f"
DEFAULT_CHECKPOINT = ROOT / "runs" / "learning" / "checkpoints" / "latest.pt"
LABEL = "mini (an embedded fragment prover), not Lean"
SWEEP = ("norm_num", "omega", "linarith", "nlinarith", "simp", "simp_all", "decide", "positivity", "ring",
         "rfl", "trivial")
BEFORE_ISSUE_14 = (Family.STRUCTURAL, Family.CLOSERS, Family.REWRITING, Family.HINTS)


def _columns(checkpoint: Path | None) -> list[tuple[str, str, str | None]]:
    """(column title, searcher, checkpoint) of each configuration compared."""
    columns = [("best-first", "bfs", None), ("MCTS, untrained", "mcts", None)]
    if checkpoint is not None:
        columns.append(("MCTS, trained", "mcts", str(checkpoint)))
    return columns


def inside_fragment(env: MiniEnv, tasks: list[Problem]) -> Iterator[tuple[Problem, ProofState]]:
    """The tasks `env` reads and finds inside its fragment, each with its starting state."""
    for task in tasks:
        try:
            state = env.start(task.statement, header=task.header)
        except StatementError:
            continue
        if not env.outside_fragment(state):
            yield task, state


def one_closer_sweep(tasks: list[Problem], timeout: float = 5.0) -> tuple[int, int]:
    """(problems inside the fragment, problems one closer of `SWEEP` proves at the root)."""
    env = MiniEnv()
    inside = proved = 0
    for task, state in inside_fragment(env, tasks):
        inside += 1
        for tactic in SWEEP:
            r = env.apply(state, tactic, timeout=timeout)
            if isinstance(r, TacticSuccess) and r.state.solved and env.verify(
                    task.statement, tactic, header=task.header, timeout=timeout).ok:
                proved += 1
                break
    env.close()
    return inside, proved


def _run(tasks: list[Problem], settings: Settings, folder: Path, workers: int) -> tuple[int, int, list[int], float]:
    """(in fragment, proved, env calls of each proof, seconds summed over problems)."""
    summary = evaluate(tasks, settings, folder, workers=workers, resume=True, emit=None)
    calls = [r["env_calls"] for r in summary.rows if r["status"] == PROVED]
    return summary.total - summary.counts[OUTSIDE], len(calls), calls, sum(r["time"] for r in summary.rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="folder with valid.jsonl and test.jsonl")
    ap.add_argument("--budgets", type=int, nargs="+", default=[100, 400],
                    help="env calls per problem, every searcher (default: 100 400)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="wall seconds per problem (default: 60)")
    ap.add_argument("--checkpoint", type=Path,
                    help=f"trained network (default: {DEFAULT_CHECKPOINT.relative_to(ROOT)} if present)")
    ap.add_argument("--workers", type=int, default=0, help="Ray workers; 0 runs in this process (default: 0)")
    ap.add_argument("--out", type=Path, help="keep the runs here (default: a temporary folder)")
    ap.add_argument("--limit", type=int, help="only the first N problems of each split (a quick look)")
    ap.add_argument("--splits", nargs="+", choices=SPLITS, default=list(SPLITS))
    ap.add_argument("--no-ablation", dest="ablation", action="store_false", help="skip the family ablation")
    args = ap.parse_args(argv)

    checkpoint = args.checkpoint
    if checkpoint is None and DEFAULT_CHECKPOINT.is_file():
        checkpoint = DEFAULT_CHECKPOINT
    elif checkpoint is None:
        print("no trained checkpoint: run bench/learning_curve.py first (the trained column is left out)",
              file=sys.stderr)
    elif not checkpoint.is_file():
        print(f"error: {checkpoint}: no such checkpoint", file=sys.stderr)
        return 2
    columns = _columns(checkpoint)
    t0 = time.monotonic()

    with tempfile.TemporaryDirectory(prefix="minif2f_mini-") as scratch:
        base = args.out or Path(scratch)
        table: list[list[str]] = []
        seconds: dict[str, float] = {}
        data: dict[str, list[Problem]] = {}
        try:
            for split in args.splits:
                tasks, _ = load_minif2f(split, args.data)
                data[split] = tasks[: args.limit] if args.limit else tasks
            for split, tasks in data.items():
                print(f"{split}: one-closer sweep ...", file=sys.stderr, flush=True)
                inside, swept = one_closer_sweep(tasks)
                for budget in args.budgets:
                    row = [split, str(budget), str(inside), str(swept)]
                    for title, searcher, ckpt in columns:
                        settings = Settings(backend="mini", searcher=searcher, budget=budget,
                                            time_limit=args.time_limit, checkpoint=ckpt)
                        name = f"{split}-{searcher}-{'trained' if ckpt else 'uniform'}-b{budget}"
                        print(f"{split}: {title}, {budget} calls ...", file=sys.stderr, flush=True)
                        searched, proved, calls, secs = _run(tasks, settings, base / name, args.workers)
                        assert searched == inside, (split, searched, inside)  # one fragment, two readers
                        row.append(f"{proved} ({sum(calls) / max(1, len(calls)):.1f})")
                        seconds[f"{split} b{budget}, {title}"] = secs
                    table.append(row)
            ablation = _ablation(data.get("valid"), args, base) if args.ablation and "valid" in data else []
        except (DataError, EvaluateError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2

    head = ["split", "budget", "in fragment", "one-closer sweep", *(f"proved: {title}" for title, _, _ in columns)]
    print(f"miniF2F on {LABEL}: pass@1; proved (mean env calls per proof)")
    if checkpoint is not None:
        print(f"trained: {checkpoint}")
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * (len(head) - 2)) + "|")
    for row in table:
        print("| " + " | ".join(row) + " |")
    if ablation:
        print(f"\nfamily ablation on valid: best-first, {args.budgets[0]} env calls per problem")
        print("| action space | proved | change |")
        print("|---|---:|---:|")
        full = ablation[0][1]
        for label, proved in ablation:
            print(f"| {label} | {proved} | {proved - full:+d} |")
    print()
    print("seconds summed over problems: " + "; ".join(f"{k} {v:.0f}" for k, v in seconds.items()))
    print(f"wall: {time.monotonic() - t0:.0f} s")
    return 0


def _ablation(tasks: list[Problem] | None, args: argparse.Namespace, base: Path) -> list[tuple[str, int]]:
    """(label, proved) for every family, each family left out, and the pre-issue-14 families."""
    assert tasks is not None
    budget = args.budgets[0]
    configs: list[tuple[str, tuple[Family, ...]]] = [("all families", tuple(Family))]
    configs += [(f"without {f.value}", tuple(g for g in Family if g != f)) for f in Family]
    configs.append(("only the families before issue 14", BEFORE_ISSUE_14))
    out: list[tuple[str, int]] = []
    for label, families in configs:
        print(f"valid ablation: {label} ...", file=sys.stderr, flush=True)
        settings = Settings(backend="mini", searcher="bfs", budget=budget, time_limit=args.time_limit,
                            families=tuple(f.value for f in families))
        folder = base / f"ablation-{'-'.join(sorted(f.value for f in families))}-b{budget}"
        out.append((label, _run(tasks, settings, folder, args.workers)[1]))
    return out


if __name__ == "__main__":
    raise SystemExit(main())
