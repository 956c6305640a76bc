"""`leanzero prove`: search for a proof of one theorem, with MCTS (default) or the best-first
baseline, print it verified, and optionally save the explored MCTS tree for inspection.

Prove or disprove: as self-play does, the statement races its negation (`lean_env.problem.
negation`, e.g. `¬ (∀ (x : ℕ) (h : 2 ≤ x), x * x < 4)`); each side has the whole `--budget`,
MCTS runs both in one driver and stops the other side the moment one is verified, best-first
searches the negation after the statement. `--no-disprove` searches the statement alone.

Exit codes: 0 proved (and verified), 1 neither proved nor disproved within budget, 2 bad input,
3 disproved (a verified proof of the negation is printed). The layers' light
modules load with the parser; the backends, torch and networkx load only when the command runs
(`open_env`, the checkpoint, `--tree`), so `--help` stays light.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cli.common import (
    EXIT_DISPROVED,
    EXIT_NOT_PROVED,
    EXIT_PROVED,
    BadInput,
    Progress,
    default_header_note,
    plural,
    positive,
)
from lean_env import BACKENDS, capabilities, open_env
from lean_env.contract import StatementError
from lean_env.problem import default_header, negation
from lean_env.text.files import LeanFileError, theorem_in_file, theorem_in_text
from lean_env.text.statement import with_proof
from prover.actions import ActionSpace
from prover.evaluate import network_scorer
from prover.net.checkpoint import CheckpointError
from search.bestfirst import SearchConfig, best_first_search, uniform_scorer
from search.driver import run_searches
from search.evaluator import EvalRequest, EvalResult, uniform_evaluator
from search.export import Scalar, tree_format, write_tree
from search.mcts import MCTSConfig, MCTSSearch

if TYPE_CHECKING:
    from lean_env.contract import ProofEnv, Verification
    from lean_env.problem import Problem
    from search.evaluator import Evaluator
    from search.mcts import MCTSResult


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `prove` on the subcommand table of the `leanzero` parser."""

    defaults = MCTSConfig()
    p = commands.add_parser(
        "prove",
        help="search for a proof of one theorem",
        description="Search for a tactic proof of one theorem, racing a proof of its negation, and print "
        "whichever is verified. Exit codes: 0 proved, 1 neither proved nor disproved within budget, "
        "2 bad input, 3 disproved (the negation's proof is printed).",
    )
    p.add_argument("statement", nargs="?", help='e.g. "theorem t (p : Prop) (hp : p) : p := by sorry"')
    p.add_argument("--file", help="a .lean file holding the theorem")
    p.add_argument("--name", help="the theorem or lemma to prove in --file")
    p.add_argument("--backend", default="mini", help="proof environment (default: mini)")
    p.add_argument(
        "--searcher",
        choices=("mcts", "bfs"),
        default="mcts",
        help="mcts: AlphaZero-style MCTS over the AND/OR goal graph, guided by --checkpoint's network "
        "(uniform priors and values 0.5 without one); bfs: the best-first baseline (default: mcts)",
    )
    p.add_argument(
        "--budget", type=positive(int), default=defaults.max_env_calls,
        help=f"tactic calls, for either searcher (default: {defaults.max_env_calls})"
    )
    p.add_argument(
        "--simulations",
        type=positive(int),
        metavar="N",
        help=f"MCTS simulations; the search stops at whichever budget runs out first "
        f"(default: {defaults.num_simulations})",
    )
    p.add_argument("--timeout", type=positive(float), default=defaults.tactic_timeout,
                       help=f"seconds per tactic (default: {defaults.tactic_timeout:g})")
    p.add_argument(
        "--time-limit", type=positive(float), default=defaults.time_limit,
        help=f"wall seconds for the search (default: {defaults.time_limit:g})"
    )
    p.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="a trained policy/value network (from `leanzero selfplay` or prover.net.train) to guide the "
        "search: its priors and values for mcts, its priors as scores for bfs (default: none, uniform)",
    )
    p.add_argument(
        "--decoder-samples", type=int, default=8, metavar="K",
        help="tactics the checkpoint's decoder writes per goal beside the rules' candidates (mcts; 0: the "
        "network only ranks the candidates) (default: 8)",
    )
    p.add_argument(
        "--no-disprove", dest="disprove", action="store_false",
        help="search the statement only, not its negation (default: both race, each with the whole --budget)",
    )
    p.add_argument("--proofs-out", metavar="FILE",
                   help="append each verified proof (or disproof, \"kind\": \"disproof\") as a JSON line")
    p.add_argument(
        "--tree",
        metavar="PATH",
        help="write the explored MCTS tree, proved or not: GraphML for PATH.graphml, "
        "networkx node-link JSON for PATH.json (the negation's tree when it was the one proved)",
    )
    p.set_defaults(handler=prove)


def _where(thm: Problem, line: int, col: int) -> str:
    """`source:LINE:COL` for a 1-based position inside `thm.statement`."""
    if not line:
        return thm.source
    file_line = thm.line + line - 1
    file_col = thm.col + col - 1 if line == 1 else col
    return f"{thm.source}:{file_line}:{file_col}"


def _read_theorem(args: argparse.Namespace) -> Problem:

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


@dataclass(frozen=True, slots=True)
class _Attempt:
    """What either searcher found for one side (the statement or its negation), in the terms
    the CLI reports."""

    problem: Problem
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
    from prover.net.decoder import DecoderSettings
    from prover.net.inference import evaluator_from_checkpoint

    if args.decoder_samples < 0:
        raise BadInput(f"--decoder-samples {args.decoder_samples}: must be 0 or more")
    decoder = DecoderSettings(samples=args.decoder_samples) if args.searcher == "mcts" else None
    try:
        return evaluator_from_checkpoint(args.checkpoint, decoder=decoder)
    except CheckpointError as e:
        raise BadInput(str(e)) from None


def _search_bfs(
    env: ProofEnv, sides: Sequence[Problem], args: argparse.Namespace, network: Evaluator | None
) -> list[_Attempt]:
    """Best-first search on each side in turn, until one is proved; the negation's
    `StatementError` sets it aside (noted), the statement's goes to the caller."""
    out: list[_Attempt] = []
    for k, side in enumerate(sides):
        try:
            out.append(_bfs_one(env, side, args, network))
        except StatementError as e:
            if k == 0:
                raise
            print(f"leanzero: the negation cannot be searched: {e.message}", file=sys.stderr)
            break
        if out[-1].proved:
            break
    return out


def _bfs_one(env: ProofEnv, thm: Problem, args: argparse.Namespace, network: Evaluator | None) -> _Attempt:
    config = SearchConfig(max_env_calls=args.budget, time_limit=args.time_limit, tactic_timeout=args.timeout)
    progress = Progress(sys.stderr)
    result = best_first_search(
        env,
        thm.statement,
        ActionSpace(),
        header=thm.header,
        scorer=uniform_scorer if network is None else network_scorer(network),
        config=config,
        progress=lambda p: progress(
            lambda: f"{p.env_calls} env calls  {p.expansions} expansions  {p.queued} queued"
        ),
    )
    stats = f"{plural(result.env_calls, 'env call')}, {plural(result.expansions, 'expansion')}, {result.elapsed:.1f}s"
    return _Attempt(thm, result.proved, result.proof, str(result.reason), stats, result.elapsed,
                    result.verification)


def _search_mcts(
    env: ProofEnv, sides: Sequence[Problem], args: argparse.Namespace, network: Evaluator | None
) -> list[_Attempt]:
    """MCTS on every side in one driver (one evaluator batch per round), guided by the network
    (uniform without one); the first side verified stops the other. Writes `--tree` whatever
    the outcome: the proved side's tree, else the statement's."""

    config = MCTSConfig(
        num_simulations=args.simulations or MCTSConfig().num_simulations,
        max_env_calls=args.budget,
        time_limit=args.time_limit,
        tactic_timeout=args.timeout,
    )
    searches: list[MCTSSearch] = []
    for k, side in enumerate(sides):
        search = MCTSSearch(env, side.statement, ActionSpace(), config=config, header=side.header)
        try:
            search.start()  # the statement's `StatementError` goes to the caller
        except StatementError as e:
            if k == 0:
                raise
            print(f"leanzero: the negation cannot be searched: {e.message}", file=sys.stderr)
            break
        searches.append(search)
    progress = Progress(sys.stderr)

    def evaluator(requests: Sequence[EvalRequest]) -> Sequence[EvalResult]:  # once per round
        progress(lambda: "  ".join(
            f"{name}: {s.env_calls} env calls, {s.simulations} simulations, {len(s.tree)} goals"
            for name, s in zip(("statement", "negation"), searches)
        ))
        return uniform_evaluator(requests) if network is None else network(requests)

    def done(index: int) -> None:
        if searches[index].result().proved:
            for k, other in enumerate(searches):
                if k != index:
                    other.stop("its negation was proved" if index == 0 else "its negation (the statement) was proved")

    results = run_searches(searches, evaluator, on_done=done).results
    out: list[_Attempt] = []
    for side, search, result in zip(sides, searches, results):
        why = f"{result.reason}: {result.detail}" if result.detail else str(result.reason)
        stats = (
            f"{plural(result.env_calls, 'env call')}, {plural(result.simulations, 'simulation')}, "
            f"{plural(len(search.tree), 'goal')}, "
            f"{result.elapsed:.1f}s"
        )
        if result.novel:
            stats += "; written by the network's decoder, no rule proposed: " + ", ".join(
                f"`{t}`" for _, t in result.novel
            )
        out.append(_Attempt(side, result.proved, result.proof, why, stats, result.elapsed, result.verification))
    if args.tree is not None:
        k = next((k for k, r in enumerate(results) if r.proved), 0)
        _write_tree(searches[k], results[k], sides[k], env.name, args.tree)
    return out


def _write_tree(search: MCTSSearch, result: MCTSResult, thm: Problem, backend: str, path: str) -> None:
    """The tree file, with the statement and the outcome as graph attributes. A failure to
    write is reported on stderr and does not change the exit code: the proof comes first."""
    info: dict[str, Scalar | None] = {
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

    thm = _read_theorem(args)
    _check_options(args)
    network = _network(args)
    try:
        out = open(args.proofs_out, "a", encoding="utf-8") if args.proofs_out else None
    except OSError as e:
        raise BadInput(f"{args.proofs_out}: cannot write: {e.strerror or e}") from None
    try:
        try:
            # a backend of a traced repository opens the file the theorem is in
            options = (
                {"file": args.file}
                if args.file and args.backend in BACKENDS and not capabilities(args.backend).any_statement
                else {}
            )
            env = open_env(args.backend, **options)
        except ValueError as e:
            raise BadInput(str(e)) from None
        if args.file is None:  # a statement given as text; a file's theorem keeps the file's context
            stated = default_header(thm, env.capabilities)
            if stated is not thm:
                print(default_header_note("the statement has"), file=sys.stderr)
            thm = stated
        sides = [thm]
        if args.disprove:
            try:
                sides.append(negation(thm))
            except StatementError as e:  # the statement reads, but has no negation we can write
                print(f"leanzero: not racing a disproof: {e.message}", file=sys.stderr)
        run = _search_mcts if args.searcher == "mcts" else _search_bfs
        try:
            attempts = run(env, sides, args, network)
        except StatementError as e:
            raise BadInput(f"{_where(thm, e.line, e.col)}: {e.message}") from None
        finally:
            env.close()
        won = next((a for a in attempts if a.proved), None)
        if won is None:
            for label, attempt in zip(("not proved", "not disproved"), attempts):
                print(f"{label}: {attempt.why} ({attempt.stats})", file=sys.stderr)
                if attempt.verification is not None:  # a script was found but did not verify
                    print("\n".join(attempt.verification.messages), file=sys.stderr)
            return EXIT_NOT_PROVED
        assert won.proof is not None
        disproof = won.problem is not thm
        if out is not None:  # first, before anything else can fail
            record = {
                "name": thm.name,
                "kind": "disproof" if disproof else "proof",
                "statement": won.problem.statement,
                "proof": won.proof,
                "backend": env.name,
                "time": round(sum(a.elapsed for a in attempts), 3),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
        if disproof:
            print(f"disproved: {thm.name} is false; a proof of its negation follows", file=sys.stderr)
        print(with_proof(won.problem.statement, won.proof), flush=True)
        print(f"{env.capabilities.verified_by}; {won.stats}", file=sys.stderr)
        return EXIT_DISPROVED if disproof else EXIT_PROVED
    finally:
        if out is not None:
            out.close()


