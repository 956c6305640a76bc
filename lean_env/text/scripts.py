"""Tactic scripts cut into tactics, as Lean's tactic blocks are read.

A script's lines are joined into logical lines while a bracket is open (a term written over
several lines is one piece); each logical line loses its structure (`·` bullets, `case TAG =>`,
`next =>`, `| alt =>` heads, whose tags are kept as pieces of their own) and is cut at top-level
`;`. A `;` is no cut inside brackets, comments or literals, in `<;>`, or after a top-level `by`:
a nested block takes the rest of the line (`have h : p := by exact hp; exact h` is one tactic,
as in Lean). The safety filter judges every piece (`lean_env.safety.script_refusals`).

`block_exits` finds the lines that would end the `by` block a script is the body of, laid out as
`statement.with_proof` lays it out: text after the block is top-level Lean, not proof.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lean_env.text.lexical import LeanTextError, depth_after, is_word_at, top_level

_HEAD = re.compile(r"^\s*(?:[·.](?!\.)\s*)+|^\s*(?:case'?|next)\b[^=]*=>\s*|^\s*\|[^=]*=>\s*")


def split_tactics(line: str) -> list[str]:
    """One line cut at its top-level `;` (see the module docstring); unbalanced text is one piece."""
    cuts: list[int] = []
    try:
        for i in top_level(line):
            if is_word_at(line, i, "by"):
                break  # a nested block: the rest of the line is its own
            if line[i] == ";" and line[max(0, i - 1):i + 2] != "<;>":
                cuts.append(i)
    except LeanTextError:
        return [line.strip()] if line.strip() else []
    parts, start = [], 0
    for i in cuts:
        parts.append(line[start:i])
        start = i + 1
    parts.append(line[start:])
    return [p.strip() for p in parts if p.strip()]


def logical_lines(script: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each logical line: physical lines joined while a bracket
    is open at the end of one (comments and literals do not count)."""
    pending: list[str] = []
    first = 0
    depth = 0
    for number, line in enumerate(script.split("\n"), 1):
        if not pending:
            first = number
        pending.append(line)
        depth = depth_after(line, depth)
        if depth <= 0:
            text = "\n".join(pending)
            pending, depth = [], 0
            if text.strip():
                yield first, text
    if pending and "\n".join(pending).strip():
        yield first, "\n".join(pending)


def script_pieces(script: str) -> Iterator[tuple[str, str]]:
    """(piece, the logical line it came from) for every tactic of a script, and every tag of
    a `case`/`| alt` head (a name the filter must see too)."""
    for _, text in logical_lines(script):
        rest = text
        while (m := _HEAD.match(rest)) and m.group(0).strip():
            head = re.sub(r"^\s*(?:case'?|next)\b|[·.|]|=>", " ", m.group(0)).strip()
            if head:
                yield head, text.strip()
            rest = rest[m.end():]
        for piece in split_tactics(" ".join(rest.split("\n")) if "\n" in rest else rest):
            yield piece, text.strip()


def block_exits(script: str) -> list[tuple[int, str]]:
    """(line number, why) for each line of `script` that ends the `by` block it is the body of.

    `statement.with_proof` indents every line of a script by two spaces under `... := by`. Lean
    reads the block as `sepByIndent tactic "; "`: its column is the first tactic's, each tactic is
    `checkColGe` that column and a new line starts the next tactic only at exactly that column
    (`checkColEq`). So a line indented less than the script's first line ends the block (inside a
    bracket Lean would not check the column; it is refused all the same), and a first line that
    opens `{` is a bracketed block, outside which everything after its `}` falls. Indentation is
    spaces: Lean refuses tabs, and other white space is no white space to it."""
    exits: list[tuple[int, str]] = []
    column = None
    for number, line in enumerate(script.split("\n"), 1):
        if not line.strip():
            continue  # with_proof keeps it empty
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if body[0].isspace():
            exits.append((number, "indentation other than spaces"))
        elif column is None:
            column = indent
            if body.startswith("{"):
                exits.append((number, "a script opening with `{` is one bracketed block: what follows its `}` "
                                      "is outside the proof"))
        elif indent < column:
            exits.append((number, f"a line indented less than the first ({indent} < {column} spaces) ends the "
                                  "`by` block: what follows is outside the proof"))
    return exits
