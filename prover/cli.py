"""`leanzero`: the command line. `leanzero prove` searches for a proof of one theorem.

Exit codes: 0 proved (and verified), 1 not proved within budget, 2 bad input. Bad input never
ends in a traceback. Heavy modules (backends, torch, z3) load inside the subcommand only, so
`leanzero --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from search.bestfirst import SearchProgress

EXIT_PROVED, EXIT_NOT_PROVED, EXIT_BAD_INPUT = 0, 1, 2
PROGRESS_EVERY = 3.0  # seconds between progress lines on stderr

# A line that starts a new top-level command ends the declaration before it.
_COMMAND = re.compile(
    r"^(?:(?:theorem|lemma|def|example|instance|abbrev|structure|inductive|class|namespace|section"
    r"|end|open|import|set_option|variable|universe|noncomputable|private|protected)\b|@\[|#|/--)",
    re.M,
)
_DECL = re.compile(
    r"^[ \t]*(?:(?:private|protected|nonrec)\s+)*(?P<kw>theorem|lemma)\s+(?P<name>[^\s(\[{:]+)", re.M
)


class BadInput(Exception):
    """Input we refuse; the message is printed after `error: `."""


@dataclass(frozen=True, slots=True)
class Theorem:
    """A statement to prove and where it came from, for error positions."""

    name: str
    statement: str  # `theorem NAME BINDERS : PROP`, without `:= ...`
    header: str
    source: str  # file path, or `<statement>`
    line: int = 1  # where `statement` starts in `source`, 1-based
    col: int = 1


def _skip_comment(text: str, i: int) -> int:
    """Index after a comment starting at `i`, or `i` when none starts there."""
    if text.startswith("--", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if text.startswith("/-", i):
        end = text.find("-/", i + 2)
        return len(text) if end < 0 else end + 2
    return i


def split_statement(decl: str) -> str:
    """The declaration up to its top-level `:=` (the statement without its proof)."""
    depth, i = 0, 0
    while i < len(decl):
        j = _skip_comment(decl, i)
        if j != i:
            i = j
            continue
        c = decl[i]
        if c in "([{⟨⦃":
            depth += 1
        elif c in ")]}⟩⦄":
            depth -= 1
        elif depth == 0 and decl.startswith(":=", i):
            return decl[:i].rstrip()
        i += 1
    return decl.rstrip()


def theorem_name(statement: str) -> str:
    m = re.search(r"\b(?:theorem|lemma)\s+([^\s(\[{:]+)", statement)
    return m.group(1) if m else ""


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of `text[index]`."""
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def from_text(text: str) -> Theorem:
    statement = split_statement(text.lstrip())
    if not statement:
        raise BadInput("<statement>: empty statement")
    line, col = _position(text, len(text) - len(text.lstrip()))
    return Theorem(theorem_name(statement), statement, "", "<statement>", line, col)


def from_file(path: str, name: str | None) -> Theorem:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    decls = list(_DECL.finditer(text))
    if name is None:
        if len(decls) != 1:
            found = ", ".join(m["name"] for m in decls) or "none"
            raise BadInput(f"{path}: pass --name to choose a theorem (found: {found})")
        match = decls[0]
    else:
        match = next((m for m in decls if m["name"] == name), None)
        if match is None:
            raise BadInput(f"{path}: no theorem or lemma named '{name}'")
    start = match.start("kw")  # modifiers such as `private` are no part of the statement
    end_match = _COMMAND.search(text, match.end())
    statement = split_statement(text[start : end_match.start() if end_match else len(text)])
    header = "\n".join(
        line for line in text[:start].splitlines() if re.match(r"(import|open|set_option)\s", line)
    )
    return Theorem(match["name"], statement, header, path, *_position(text, start))


def _where(thm: Theorem, line: int, col: int) -> str:
    """`source:LINE:COL` for a 1-based position inside `thm.statement`."""
    if not line:
        return thm.source
    file_line = thm.line + line - 1
    file_col = thm.col + col - 1 if line == 1 else col
    return f"{thm.source}:{file_line}:{file_col}"


def render(statement: str, proof: str) -> str:
    body = "\n".join("  " + tactic for tactic in proof.splitlines())
    return f"{statement} := by\n{body}"


def _verified_by(backend: str) -> str:
    if backend == "mini":
        return "verified by mini (embedded fragment prover, not Lean)"
    return f"verified by {backend}"


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
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
    prove.add_argument("--budget", type=_positive(int), default=2000, help="tactic calls (default: 2000)")
    prove.add_argument("--timeout", type=_positive(float), default=5.0, help="seconds per tactic (default: 5)")
    prove.add_argument(
        "--time-limit", type=_positive(float), default=60.0, help="wall seconds for the search (default: 60)"
    )
    prove.add_argument("--proofs-out", metavar="FILE", help="append each verified proof as a JSON line")
    return parser


def _read_theorem(args: argparse.Namespace) -> Theorem:
    if args.file is not None:
        if args.statement is not None:
            raise BadInput("give a STATEMENT or --file, not both")
        return from_file(args.file, args.name)
    if args.name is not None:
        raise BadInput("--name needs --file")
    if args.statement is None:
        raise BadInput("give a STATEMENT or --file F.lean --name T")
    return from_text(args.statement)


def _progress_printer(stream: TextIO) -> Callable[[SearchProgress], None]:
    last = [time.monotonic()]

    def report(p: SearchProgress) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            print(
                f"leanzero: {p.elapsed:6.1f}s  {p.env_calls} env calls  {p.expansions} expansions  "
                f"{p.queued} queued",
                file=stream,
                flush=True,
            )

    return report


def prove(args: argparse.Namespace) -> int:
    from lean_env import open_env
    from lean_env.contract import StatementError
    from prover.candidates import basic_candidates
    from search.bestfirst import SearchConfig, best_first_search

    thm = _read_theorem(args)
    try:
        out = open(args.proofs_out, "a", encoding="utf-8") if args.proofs_out else None
    except OSError as e:
        raise BadInput(f"{args.proofs_out}: cannot write: {e.strerror or e}") from None
    try:
        try:
            env = open_env(args.backend)
        except ValueError as e:
            raise BadInput(str(e)) from None
        config = SearchConfig(
            max_env_calls=args.budget, time_limit=args.time_limit, tactic_timeout=args.timeout
        )
        try:
            result = best_first_search(
                env,
                thm.statement,
                basic_candidates,
                header=thm.header,
                config=config,
                progress=_progress_printer(sys.stderr),
            )
        except StatementError as e:
            raise BadInput(f"{_where(thm, e.line, e.col)}: {e.message}") from None
        finally:
            env.close()
        stats = f"{result.env_calls} env calls, {result.expansions} expansions, {result.elapsed:.1f}s"
        if not result.proved:
            print(f"not proved: {result.reason} ({stats})", file=sys.stderr)
            if result.verification is not None:  # a script was found but did not verify
                print("\n".join(result.verification.messages), file=sys.stderr)
            return EXIT_NOT_PROVED
        assert result.proof is not None
        if out is not None:
            record = {
                "name": thm.name,
                "statement": thm.statement,
                "proof": result.proof,
                "backend": env.name,
                "time": round(result.elapsed, 3),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
        print(render(thm.statement, result.proof), flush=True)
        backend = (result.verification.backend if result.verification else "") or env.name
        print(f"{_verified_by(backend)}; {stats}", file=sys.stderr)
        return EXIT_PROVED
    finally:
        if out is not None:
            out.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return prove(args)
    except BadInput as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
