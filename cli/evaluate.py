"""`leanzero evaluate`: a problem set (miniF2F or any statement file) searched under one budget.

`add_commands` registers the subcommand on the `leanzero` parser and sets `handler`. The
layers' light modules load with the parser; backends, Ray and torch load only when a run
starts, so `leanzero --help` stays instant. `main` runs the subcommand alone (`python -m
cli.evaluate ...`), with the same exit codes as `leanzero evaluate`.

Exit codes: 0 the run finished (whatever it proved), 2 bad input, 130 interrupted (what was
finished is in results.jsonl; `--resume` goes on).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from cli.common import BadInput, connect_ray, default_header_note, positive, rows_of
from lean_env import BACKENDS, capabilities
from lean_env.problem import default_headers
from prover.evaluate import EvaluateError, Settings, evaluate
from prover.evaluate.minif2f import DataError, dojo_target, load_minif2f, read_problems
from prover.evaluate.report import print_table

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 2, 130
DEFAULT_OUT = Path("runs") / "evaluate"


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `evaluate` on the subcommand table of the `leanzero` parser."""
    p = commands.add_parser(
        "evaluate",
        help="search every problem of a set (miniF2F, a statement file) and report",
        description="Search every problem of miniF2F (`evaluate minif2f --split valid`) or of a "
        "`name, formal_statement[, header]` JSONL file (`evaluate --problems FILE`) under the same "
        "budget, on Ray workers with one backend each (a local Ray, or a cluster: --address). Each problem "
        "ends proved (a verified proof), "
        "failed, timeout, error or, on mini, outside-fragment. Writes results.jsonl (one row per "
        "problem, as they finish), summary.json, report.md and budget.png into --out and prints a "
        "table. Exit codes: 0 the run finished, 2 bad input, 130 interrupted (--resume goes on).",
    )
    p.add_argument("benchmark", nargs="?", choices=("minif2f",), help="a named problem set (instead of --problems)")
    p.add_argument("--split", choices=("valid", "test"), help="miniF2F split (default: valid)")
    p.add_argument(
        "--data",
        metavar="PATH",
        help="miniF2F statements: a JSONL file, a folder with valid.jsonl/test.jsonl, or a clone of "
        "miniF2F-lean4 (default: $LEANZERO_MINIF2F, else a clone of the pinned repository in "
        "~/.cache/leanzero/minif2f, made on first use)",
    )
    p.add_argument("--problems", metavar="FILE", help="a JSONL file of name, formal_statement[, header] rows")
    p.add_argument("--limit", type=positive(int), metavar="N", help="only the first N problems")
    p.add_argument("--backend", default="mini", help="proof environment: mini, repl or dojo (default: mini)")
    p.add_argument("--searcher", choices=("mcts", "bfs"), default="mcts", help="default: mcts")
    p.add_argument("--budget", type=positive(int), default=400, metavar="N",
                   help="env calls (tactic applications) per attempt (default: 400)")
    p.add_argument("--time-limit", type=positive(float), default=120.0, metavar="S",
                   help="wall seconds per attempt; a search that hits it is a timeout (default: 120)")
    p.add_argument("--timeout", type=positive(float), default=5.0, metavar="S", help="seconds per tactic (default: 5)")
    p.add_argument("--simulations", type=positive(int), metavar="N",
                   help="MCTS simulation cap per attempt (default: 10 x budget, so env calls bind first)")
    p.add_argument("--checkpoint", metavar="PATH|none", default="none",
                   help="a trained network guiding the search, or none for uniform priors (default: none)")
    p.add_argument("--decoder-samples", type=_count, default=8, metavar="K",
                   help="tactics the checkpoint's decoder writes per goal, beside the rules' candidates "
                        "(mcts; 0: the network only ranks the candidates) (default: 8)")
    p.add_argument("--pass-k", type=positive(int), default=1, metavar="K",
                   help="K independent seeded searches per problem; the first verified proof wins (default: 1)")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seed of the first attempt; attempt i uses seed+i (default: 0)")
    p.add_argument("--workers", type=_count, default=2, metavar="N",
                   help="Ray workers, one backend each; 0 runs in this process (default: 2)")
    p.add_argument("--no-ray", action="store_true", help="run in this process (as --workers 0)")
    p.add_argument("--address", metavar="ADDR", default=None,
                   help="Ray cluster to run the workers on: `auto` (the cluster started with `ray start` on this "
                   "machine) or HOST:PORT (default: $RAY_ADDRESS, else a local Ray instance; see docs/evaluate.md)")
    p.add_argument("--out", metavar="DIR", type=Path,
                   help=f"output folder (default: {DEFAULT_OUT}/<set>-<backend>-<searcher>)")
    p.add_argument("--resume", action="store_true", help="skip the problems already in DIR/results.jsonl")
    p.set_defaults(handler=evaluate_command)


def _tasks(args: argparse.Namespace) -> tuple[list, str, str]:
    """The tasks, where they came from, and a short name for the default --out."""

    if (args.benchmark is None) == (args.problems is None):
        raise BadInput("give a benchmark (`evaluate minif2f --split valid`) or --problems FILE, one of them")
    try:
        if args.problems is not None:
            if args.split is not None or args.data is not None:
                raise BadInput("--split and --data go with `minif2f`, not with --problems")
            return read_problems(args.problems), args.problems, Path(args.problems).stem
        split = args.split or "valid"
        tasks, source = load_minif2f(split, args.data)
        return tasks, source, f"minif2f-{split}"
    except DataError as e:
        raise BadInput(str(e)) from None


def evaluate_command(args: argparse.Namespace) -> int:

    if args.backend not in BACKENDS:
        raise BadInput(f"unknown backend '{args.backend}'; choose one of {', '.join(BACKENDS)}")
    if args.simulations is not None and args.searcher != "mcts":
        raise BadInput("--simulations needs --searcher mcts")
    checkpoint = None if args.checkpoint.lower() == "none" else args.checkpoint
    if checkpoint is not None and not Path(checkpoint).is_file():
        raise BadInput(f"{checkpoint}: no such checkpoint file (or pass --checkpoint none)")
    tasks, source, label = _tasks(args)
    if args.limit is not None:
        tasks = tasks[: args.limit]
    if not tasks:
        raise BadInput(f"{source}: no problems")
    tasks, defaulted = default_headers(tasks, capabilities(args.backend))
    if defaulted:
        print(default_header_note(rows_of(defaulted, source)), file=sys.stderr)
    options: tuple[tuple[str, str], ...] = ()
    if args.benchmark is not None and args.backend == "dojo":

        options = dojo_target(args.split or "valid")  # one file per problem in the pinned repository
    settings = Settings(
        backend=args.backend, searcher=args.searcher, budget=args.budget, time_limit=args.time_limit,
        tactic_timeout=args.timeout, checkpoint=checkpoint, pass_k=args.pass_k, seed=args.seed,
        decoder_samples=args.decoder_samples,
        simulations=args.simulations, backend_options=options,
    )
    out = args.out or DEFAULT_OUT / f"{label}-{args.backend}-{args.searcher}"
    workers = 0 if args.no_ray else args.workers
    if args.address is not None and workers == 0:
        raise BadInput("--address runs the workers on a Ray cluster: it needs --workers N (N > 0), not --no-ray")
    address = (args.address or os.environ.get("RAY_ADDRESS") or None) if workers else None
    started_ray = address is not None and connect_ray(address)
    try:
        summary = evaluate(tasks, settings, out, workers=workers, resume=args.resume, source=source)
    except EvaluateError as e:
        raise BadInput(str(e)) from None
    finally:
        if started_ray:
            import ray

            ray.shutdown()
    print_table(summary)
    print(f"leanzero evaluate: {summary.done} of {summary.total} problems in {out}/results.jsonl "
          f"({summary.ran} this run, {summary.wall:.1f}s); report.md, summary.json, budget.png beside it",
          file=sys.stderr)
    if summary.interrupted:
        print("leanzero evaluate: interrupted; run again with --resume to go on", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """`leanzero evaluate ...` on its own (the same handler, exit codes and error lines)."""

    parser = argparse.ArgumentParser(prog="leanzero")
    add_commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv if argv[:1] == ["evaluate"] else ["evaluate", *argv])
    try:
        return args.handler(args)
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
