"""`leanzero`: the command line. `leanzero prove` searches for a proof of one theorem, with
MCTS (default) or the best-first baseline, and can save the explored MCTS tree for inspection.

Exit codes: 0 proved (and verified), 1 not proved within budget, 2 bad input. Bad input never
ends in a traceback. Heavy modules (backends, search, torch, z3, networkx) load inside the
subcommand only, so `leanzero --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from lean_env.contract import ProofEnv, Verification
    from lean_env.problem import Problem
    from search.evaluator import Evaluator
    from search.mcts import MCTSResult, MCTSSearch

EXIT_PROVED, EXIT_NOT_PROVED, EXIT_BAD_INPUT = 0, 1, 2
PROGRESS_EVERY = 3.0  # seconds between progress lines on stderr
SIMULATIONS = 800  # MCTS default (AlphaZero's); stated here so --help imports no search code

class BadInput(Exception):
    """Input we refuse; the message is printed after `error: ` and the exit code is 2."""


def _n(count: int, noun: str) -> str:
    """`1 goal`, `2 goals`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _where(thm: Problem, line: int, col: int) -> str:
    """`source:LINE:COL` for a 1-based position inside `thm.statement`."""
    if not line:
        return thm.source
    file_line = thm.line + line - 1
    file_col = thm.col + col - 1 if line == 1 else col
    return f"{thm.source}:{file_line}:{file_col}"


def render(statement: str, proof: str) -> str:
    body = "\n".join("  " + tactic for tactic in proof.splitlines())
    return f"{statement} := by\n{body}"


def positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value

    parse.__name__ = kind.__name__
    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leanzero", description="LeanZero: an AlphaZero-style prover for Lean 4."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    prove = commands.add_parser(
        "prove",
        help="search for a proof of one theorem",
        description="Search for a tactic proof of one theorem and print it verified. "
        "Exit codes: 0 proved, 1 not proved within budget, 2 bad input.",
    )
    prove.add_argument("statement", nargs="?", help='e.g. "theorem t (p : Prop) (hp : p) : p := by sorry"')
    prove.add_argument("--file", help="a .lean file holding the theorem")
    prove.add_argument("--name", help="the theorem or lemma to prove in --file")
    prove.add_argument("--backend", default="mini", help="proof environment (default: mini)")
    prove.add_argument(
        "--searcher",
        choices=("mcts", "bfs"),
        default="mcts",
        help="mcts: AlphaZero-style MCTS over the AND/OR goal graph, for now guided by the uniform "
        "evaluator (uniform tactic priors, every goal valued 0.5) until the learned network lands; "
        "bfs: the best-first baseline (default: mcts)",
    )
    prove.add_argument(
        "--budget", type=positive(int), default=2000, help="tactic calls, for either searcher (default: 2000)"
    )
    prove.add_argument(
        "--simulations",
        type=positive(int),
        metavar="N",
        help=f"MCTS simulations; the search stops at whichever budget runs out first (default: {SIMULATIONS})",
    )
    prove.add_argument("--timeout", type=positive(float), default=5.0, help="seconds per tactic (default: 5)")
    prove.add_argument(
        "--time-limit", type=positive(float), default=60.0, help="wall seconds for the search (default: 60)"
    )
    prove.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="a trained policy/value network (from `leanzero selfplay` or prover.train) to guide the "
        "search: its priors and values for mcts, its priors as scores for bfs (default: none, uniform)",
    )
    prove.add_argument("--proofs-out", metavar="FILE", help="append each verified proof as a JSON line")
    prove.add_argument(
        "--tree",
        metavar="PATH",
        help="write the explored MCTS tree, proved or not: GraphML for PATH.graphml, "
        "networkx node-link JSON for PATH.json",
    )
    from prover.cli_evaluate import add_commands as add_evaluate_commands
    from prover.cli_lean import add_commands
    from prover.cli_selfplay import add_commands as add_selfplay_commands

    add_commands(commands)
    add_selfplay_commands(commands)
    add_evaluate_commands(commands)
    return parser


def _read_theorem(args: argparse.Namespace) -> Problem:
    from lean_env.text.files import LeanFileError, theorem_in_file, theorem_in_text  # here: --help stays light

    try:
        if args.file is not None:
            if args.statement is not None:
                raise BadInput("give a STATEMENT or --file, not both")
            return theorem_in_file(args.file, args.name)
        if args.name is not None:
            raise BadInput("--name needs --file")
        if args.statement is None:
            raise BadInput("give a STATEMENT or --file F.lean --name T")
        return theorem_in_text(args.statement)
    except LeanFileError as e:
        raise BadInput(str(e)) from None


class _Progress:
    """Progress lines on stderr, at most one per PROGRESS_EVERY seconds; `line` is only
    called when one is due."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.t0 = self.last = time.monotonic()

    def __call__(self, line: Callable[[], str]) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            print(f"leanzero: {now - self.t0:6.1f}s  {line()}", file=self.stream, flush=True)


@dataclass(frozen=True, slots=True)
class _Attempt:
    """What either searcher found, in the terms the CLI reports."""

    proved: bool
    proof: str | None
    why: str  # the stop reason (and detail) when not proved
    stats: str
    elapsed: float
    verification: Verification | None


def _check_options(args: argparse.Namespace) -> None:
    """Refuse option combinations and output paths before spending any search time."""
    if args.searcher != "mcts":
        if args.tree is not None:
            raise BadInput("--tree needs --searcher mcts (best-first search keeps no tree)")
        if args.simulations is not None:
            raise BadInput("--simulations needs --searcher mcts")
    if args.tree is None:
        return
    from search.export import tree_format

    try:
        tree_format(args.tree)
    except ValueError as e:
        raise BadInput(str(e)) from None
    folder = os.path.dirname(args.tree) or "."
    if os.path.isdir(args.tree) or not os.path.isdir(folder):
        raise BadInput(f"{args.tree}: cannot write: not a file path in an existing folder")
    if not os.access(args.tree if os.path.exists(args.tree) else folder, os.W_OK):
        raise BadInput(f"{args.tree}: cannot write: permission denied")


def _network(args: argparse.Namespace) -> Evaluator | None:
    """The evaluator of `--checkpoint`, or None; a bad checkpoint is bad input."""
    if args.checkpoint is None:
        return None
    from prover.checkpoint import CheckpointError
    from prover.inference import evaluator_from_checkpoint

    try:
        return evaluator_from_checkpoint(args.checkpoint)
    except CheckpointError as e:
        raise BadInput(str(e)) from None


def _search_bfs(env: ProofEnv, thm: Problem, args: argparse.Namespace, network: Evaluator | None) -> _Attempt:
    from prover.actions import ActionSpace
    from search.bestfirst import SearchConfig, best_first_search, uniform_scorer
    from search.evaluator import EvalRequest

    def network_scorer(goal_text: str, tactics: Sequence[str]) -> list[float]:
        assert network is not None
        (result,) = network([EvalRequest(goal_text, tuple(tactics))])
        return [math.log(max(p, 1e-12)) for p in result.priors]

    config = SearchConfig(max_env_calls=args.budget, time_limit=args.time_limit, tactic_timeout=args.timeout)
    progress = _Progress(sys.stderr)
    result = best_first_search(
        env,
        thm.statement,
        ActionSpace(),
        header=thm.header,
        scorer=uniform_scorer if network is None else network_scorer,
        config=config,
        progress=lambda p: progress(
            lambda: f"{p.env_calls} env calls  {p.expansions} expansions  {p.queued} queued"
        ),
    )
    stats = f"{_n(result.env_calls, 'env call')}, {_n(result.expansions, 'expansion')}, {result.elapsed:.1f}s"
    return _Attempt(result.proved, result.proof, str(result.reason), stats, result.elapsed, result.verification)


def _search_mcts(env: ProofEnv, thm: Problem, args: argparse.Namespace, network: Evaluator | None) -> _Attempt:
    """MCTS guided by the network (uniform without one); writes `--tree` whatever the outcome."""
    from prover.actions import ActionSpace
    from search.driver import run_searches
    from search.evaluator import EvalRequest, EvalResult, uniform_evaluator
    from search.mcts import MCTSConfig, MCTSSearch

    config = MCTSConfig(
        num_simulations=args.simulations or SIMULATIONS,
        max_env_calls=args.budget,
        time_limit=args.time_limit,
        tactic_timeout=args.timeout,
    )
    search = MCTSSearch(env, thm.statement, ActionSpace(), config=config, header=thm.header)
    progress = _Progress(sys.stderr)

    def evaluator(requests: Sequence[EvalRequest]) -> Sequence[EvalResult]:  # once per round
        progress(
            lambda: f"{search.env_calls} env calls  {search.simulations} simulations  {len(search.tree)} goals"
        )
        return uniform_evaluator(requests) if network is None else network(requests)

    result = run_searches([search], evaluator).results[0]
    why = f"{result.reason}: {result.detail}" if result.detail else str(result.reason)
    if args.tree is not None:
        _write_tree(search, result, thm, env.name, args.tree)
    stats = (
        f"{_n(result.env_calls, 'env call')}, {_n(result.simulations, 'simulation')}, {_n(len(search.tree), 'goal')}, "
        f"{result.elapsed:.1f}s"
    )
    return _Attempt(result.proved, result.proof, why, stats, result.elapsed, result.verification)


def _write_tree(search: MCTSSearch, result: MCTSResult, thm: Problem, backend: str, path: str) -> None:
    """The tree file, with the statement and the outcome as graph attributes. A failure to
    write is reported on stderr and does not change the exit code: the proof comes first."""
    from search.export import write_tree

    info = {
        "name": thm.name,
        "statement": thm.statement,
        "backend": backend,
        "searcher": "mcts",
        "proved": result.proved,
        "reason": str(result.reason),
        "detail": result.detail,
        "proof": result.proof,
        "unverified_proof": result.unverified_proof,
        "env_calls": result.env_calls,
        "simulations": result.simulations,
        "elapsed": round(result.elapsed, 3),
    }
    try:
        write_tree(search.tree, path, info=info)
    except OSError as e:
        print(f"leanzero: cannot write the tree to {path}: {e.strerror or e}", file=sys.stderr)
        return
    print(f"leanzero: search tree written to {path} ({len(search.tree)} goals)", file=sys.stderr)


def prove(args: argparse.Namespace) -> int:
    from lean_env import open_env
    from lean_env.contract import StatementError

    thm = _read_theorem(args)
    _check_options(args)
    network = _network(args)
    try:
        out = open(args.proofs_out, "a", encoding="utf-8") if args.proofs_out else None
    except OSError as e:
        raise BadInput(f"{args.proofs_out}: cannot write: {e.strerror or e}") from None
    try:
        try:
            options = {"file": args.file} if args.backend == "dojo" and args.file else {}
            env = open_env(args.backend, **options)
        except ValueError as e:
            raise BadInput(str(e)) from None
        run = _search_mcts if args.searcher == "mcts" else _search_bfs
        try:
            attempt = run(env, thm, args, network)
        except StatementError as e:
            raise BadInput(f"{_where(thm, e.line, e.col)}: {e.message}") from None
        finally:
            env.close()
        if not attempt.proved:
            print(f"not proved: {attempt.why} ({attempt.stats})", file=sys.stderr)
            if attempt.verification is not None:  # a script was found but did not verify
                print("\n".join(attempt.verification.messages), file=sys.stderr)
            return EXIT_NOT_PROVED
        assert attempt.proof is not None
        if out is not None:
            record = {
                "name": thm.name,
                "statement": thm.statement,
                "proof": attempt.proof,
                "backend": env.name,
                "time": round(attempt.elapsed, 3),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
        print(render(thm.statement, attempt.proof), flush=True)
        print(f"{env.capabilities.verified_by}; {attempt.stats}", file=sys.stderr)
        return EXIT_PROVED
    finally:
        if out is not None:
            out.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return getattr(args, "handler", prove)(args)
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
