"""miniF2F on `mini`: the problems inside its fragment, and how many each searcher proves.

For both splits: the problems `mini` can search (the rest are `outside-fragment`, see
`prover.evaluate`), then the problems proved by best-first search, by MCTS with uniform priors
(untrained) and by MCTS guided by a self-play checkpoint, all at the same budget of env calls
per problem (pass@1), each with the mean env calls its proofs took. These are results on
mini, an embedded fragment prover, NOT on Lean.

Runs `prover.evaluate.evaluate` (in this process by default, `--workers N` for Ray); with
`--out DIR` each run keeps its folder there (results.jsonl, report.md, budget.png) and a
second call resumes instead of redoing.

Usage: python bench/minif2f_mini.py [--data ../shared/minif2f] [--budget 100] [--checkpoint PATH]
       [--workers 0] [--out DIR] [--limit N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prover.evaluate import OUTSIDE, PROVED, EvaluateError, Settings, evaluate  # noqa: E402
from prover.evaluate.minif2f import SPLITS, DataError, load_minif2f  # noqa: E402

DEFAULT_DATA = ROOT / ".." / "shared" / "minif2f"
DEFAULT_CHECKPOINT = ROOT / "runs" / "learning" / "checkpoints" / "latest.pt"
LABEL = "mini (an embedded fragment prover), not Lean"


def _columns(checkpoint: Path | None) -> list[tuple[str, str, str | None]]:
    """(column title, searcher, checkpoint) of each configuration compared."""
    columns = [("best-first", "bfs", None), ("MCTS, untrained", "mcts", None)]
    if checkpoint is not None:
        columns.append(("MCTS, trained", "mcts", str(checkpoint)))
    return columns


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEFAULT_DATA), help="folder with valid.jsonl and test.jsonl")
    ap.add_argument("--budget", type=int, default=100, help="env calls per problem, every searcher (default: 100)")
    ap.add_argument("--time-limit", type=float, default=60.0, help="wall seconds per problem (default: 60)")
    ap.add_argument("--checkpoint", type=Path,
                    help=f"trained network (default: {DEFAULT_CHECKPOINT.relative_to(ROOT)})")
    ap.add_argument("--workers", type=int, default=0, help="Ray workers; 0 runs in this process (default: 0)")
    ap.add_argument("--out", type=Path, help="keep the runs here (default: a temporary folder)")
    ap.add_argument("--limit", type=int, help="only the first N problems of each split (a quick look)")
    ap.add_argument("--splits", nargs="+", choices=SPLITS, default=list(SPLITS))
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

    with tempfile.TemporaryDirectory(prefix="minif2f_mini-") as scratch:
        base = args.out or Path(scratch)
        table: list[list[str]] = []
        seconds: dict[str, float] = {}
        for split in args.splits:
            try:
                tasks, _ = load_minif2f(split, args.data)
            except DataError as e:
                print(f"error: {e}", file=sys.stderr)
                return 2
            tasks = tasks[: args.limit] if args.limit else tasks
            row = [split, str(len(tasks)), ""]
            for title, searcher, ckpt in columns:
                settings = Settings(backend="mini", searcher=searcher, budget=args.budget,
                                    time_limit=args.time_limit, checkpoint=ckpt)
                name = f"{split}-{searcher}-{'trained' if ckpt else 'uniform'}-b{args.budget}"
                print(f"{split}: {title} ...", file=sys.stderr, flush=True)
                try:
                    summary = evaluate(tasks, settings, base / name, workers=args.workers, resume=True, emit=None)
                except EvaluateError as e:
                    print(f"error: {e}", file=sys.stderr)
                    return 2
                row[2] = str(summary.total - summary.counts[OUTSIDE])
                calls = [r["env_calls"] for r in summary.rows if r["status"] == PROVED]
                row.append(f"{len(calls)} ({sum(calls) / max(1, len(calls)):.1f})")
                seconds[f"{split}, {title}"] = sum(r["time"] for r in summary.rows)
            table.append(row)

    head = ["split", "problems", "in fragment", *(f"proved: {title}" for title, _, _ in columns)]
    print(f"miniF2F on {LABEL}: pass@1, {args.budget} env calls per problem; "
          "proved (mean env calls per proof)")
    if checkpoint is not None:
        print(f"trained: {checkpoint}")
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for row in table:
        print("| " + " | ".join(row) + " |")
    print()
    print("seconds summed over problems: " + "; ".join(f"{k} {v:.0f}" for k, v in seconds.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
