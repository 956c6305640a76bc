"""The one problem type: a statement to prove, with its header and where it came from.

Every layer speaks of theorems through `Problem`: `leanzero prove` (a statement given as text,
or a theorem of a `.lean` file, with `line`/`col` for error positions), evaluation (a JSONL or
miniF2F row; `error` keeps a row whose statement does not read, so the run reports it and goes
on), and self-play (generated statements, variants and negations, with `parent` and `family`).
`read_problems` is the one reader of `name, formal_statement[, header]` JSONL files.

A problem's header is the Lean it is stated in. Lean with no header is plain Lean: no Mathlib,
not even `ℕ` or `ℝ`, so on a kernel-checked backend a problem with an empty header gets the
header every miniF2F row carries (`MINIF2F_HEADER`, `default_header`). The CLI applies the
rule to what it reads and says so; self-play's driver, which draws the statements, applies it
too. `mini` keeps the header as it is: it reads no header anyway, only screens it for
declarations that change what a statement means.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from lean_env.contract import Capabilities, StatementError
from lean_env.text.statement import canonical, negate, split_statement, strip_proof


@dataclass(frozen=True, slots=True)
class Problem:
    """One statement to prove. `statement` is `theorem NAME BINDERS : PROP` (no proof).

    `source` says where it came from: a file path (`line`/`col` locate the statement in it),
    `<statement>`, `file:<path>`, `generator:<seed>/<difficulty>`, `variant:<kind>:<parent's source>`
    or `negation:<parent>`; `parent` names the statement it was derived from. `family` is the
    generator's label (`linear/false`), kept for checks and reports, never for decisions (the
    search decides truth). `error` is set when the row's text does not read as a statement.
    """

    name: str
    statement: str
    header: str = ""
    source: str = ""
    parent: str | None = None
    family: str = ""
    error: str = ""
    line: int = 1
    col: int = 1

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "statement": self.statement, "header": self.header,
                "source": self.source, "parent": self.parent, "family": self.family}

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> Problem:
        return cls(str(d["name"]), str(d["statement"]), str(d.get("header", "")), str(d.get("source", "")),
                   None if d.get("parent") is None else str(d["parent"]), str(d.get("family", "")))


# the `header` of every row of miniF2F (../shared/minif2f/*.jsonl), word for word
MINIF2F_HEADER = "import Mathlib\n\nset_option maxHeartbeats 0\n\nopen BigOperators Real Nat Topology Rat\n\n"


def default_header(problem: Problem, backend: Capabilities) -> Problem:
    """`problem` as it is stated on `backend` (`contract.capabilities(name)`): on a
    kernel-checked backend that elaborates statements in their header (`any_statement`: repl)
    an empty header (white space at most) becomes `MINIF2F_HEADER`; otherwise it is left as it
    is (mini reads no imports; dojo states a theorem in its traced file, with that file's)."""
    if problem.header.strip() or not (backend.kernel_checked and backend.any_statement):
        return problem
    return replace(problem, header=MINIF2F_HEADER)


def default_headers(problems: Iterable[Problem], backend: Capabilities) -> tuple[list[Problem], int]:
    """`default_header` on each problem, and how many got the default header."""
    before = list(problems)
    after = [default_header(p, backend) for p in before]
    return after, sum(a is not b for a, b in zip(before, after, strict=True))


def problem_key(problem: Problem) -> str:
    """Whitespace-normalised binders and proposition, without the name: equal keys, same problem."""
    return canonical(problem.statement)


def negation(problem: Problem) -> Problem:
    """The problem whose proof disproves `problem` (`statement.negate`)."""
    text = negate(problem.statement)
    name = split_statement(text).name
    return Problem(name, text, problem.header, f"negation:{problem.name}", problem.name)


class ProblemFileError(ValueError):
    """A row of a problem file that cannot be used; the message starts with `file:line:`."""


def problems_from_rows(rows: Iterable[tuple[str, object]], *, keep_unreadable: bool = False) -> list[Problem]:
    """Problems from `(where, row)` pairs, `where` being `file:line`. Every row must be an
    object with string `name` and `formal_statement` (optional string `header`), names
    distinct; the proof part (`:= by sorry`) is dropped. A statement that does not read as
    `theorem NAME BINDERS : PROP` is an error, or, with `keep_unreadable`, a problem with its
    `error` set and its text as given."""
    out: list[Problem] = []
    seen: dict[str, str] = {}
    for where, row in rows:
        if not isinstance(row, dict):
            raise ProblemFileError(f"{where}: expected a JSON object, got {type(row).__name__}")
        for key in ("name", "formal_statement"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                raise ProblemFileError(f"{where}: missing or non-string field '{key}'")
        header = row.get("header", "")
        if not isinstance(header, str):
            raise ProblemFileError(f"{where}: field 'header' must be a string")
        name, text = row["name"], row["formal_statement"]
        if name in seen:
            first_file, _, first_line = seen[name].rpartition(":")
            first = f"on line {first_line}" if first_file == where.rpartition(":")[0] else f"at {seen[name]}"
            raise ProblemFileError(f"{where}: duplicate name '{name}' (first {first})")
        seen[name] = where
        source = f"file:{where.rsplit(':', 1)[0]}"
        try:
            split_statement(text)
            out.append(Problem(name, strip_proof(text), header, source))
        except StatementError as e:
            if not keep_unreadable:
                raise ProblemFileError(f"{where}: statement '{name}' cannot be read: {e.message}") from None
            out.append(Problem(name, text, header, source, error=f"statement cannot be read: {e.message}"))
    return out


def read_problems(path: str | Path, *, keep_unreadable: bool = False) -> list[Problem]:
    """Problems from a `name, formal_statement[, header]` JSONL file (blank lines skipped)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise ProblemFileError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None

    def rows() -> Iterable[tuple[str, object]]:
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield f"{path}:{lineno}", json.loads(line)
            except json.JSONDecodeError as e:
                raise ProblemFileError(f"{path}:{lineno}: not JSON: {e.msg} (column {e.colno})") from None

    return problems_from_rows(rows(), keep_unreadable=keep_unreadable)
