"""Theorems read out of `.lean` files, with the file's context before them as their header.

What `leanzero prove --file` and the miniF2F checkout reader use. Plain text work, no Lean:
a theorem is found by its `theorem NAME`/`lemma NAME` line (after a one-line doc comment and
attributes, and modifiers), its statement runs to its proof's `:=` (`statement.strip_proof`),
and its header is what the file says before it, as Lean elaborates it there (`file_context`).
"""

from __future__ import annotations

import re

from lean_env.problem import Problem
from lean_env.text.lexical import LeanTextError, comment_end, literal_end, match_bracket
from lean_env.text.statement import strip_proof, theorem_name

# A line that starts a new top-level command ends the declaration before it.
_COMMAND = re.compile(
    r"^(?:(?:theorem|lemma|def|example|instance|abbrev|structure|inductive|class|namespace|section"
    r"|end|open|import|set_option|variable|universe|noncomputable|private|protected)\b|@\[|#|/--)",
    re.M,
)
# A theorem or lemma, maybe after a one-line doc comment and attributes on its own line.
_DECL = re.compile(
    r"^[ \t]*(?:/--(?:(?!-/).)*-/[ \t]*)?(?:@\[[^\]\n]*\][ \t]*)*(?:(?:private|protected|nonrec)\s+)*"
    r"(?P<kw>theorem|lemma)\s+(?P<name>[^\s(\[{:]+)",
    re.M,
)
_SCOPED = re.compile(r"\s*(?P<command>(?:open|set_option)\s.*?)\s+in\s*(?:--.*)?")
_IMPORT = re.compile(r"import\s+(?P<module>[^\s]+)")


class LeanFileError(ValueError):
    """A file or text we cannot take a theorem from; the message names the file."""


def position(text: str, index: int) -> tuple[int, int]:
    """1-based (line, column) of `text[index]`."""
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def theorem_in_text(text: str) -> Problem:
    """A statement given as text (`leanzero prove STATEMENT`); `source` is `<statement>`."""
    statement = strip_proof(text.lstrip())
    if not statement:
        raise LeanFileError("<statement>: empty statement")
    line, col = position(text, len(text) - len(text.lstrip()))
    return Problem(theorem_name(statement), statement, "", "<statement>", line=line, col=col)


def theorem_in_file(path: str, name: str | None) -> Problem:
    """Theorem `name` of a `.lean` file (the only one when `name` is None); `source` is the
    path and `line`/`col` where the statement starts in it."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise LeanFileError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    decls = list(_DECL.finditer(text))
    if name is None:
        if len(decls) != 1:
            found = ", ".join(m["name"] for m in decls) or "none"
            raise LeanFileError(f"{path}: pass --name to choose a theorem (found: {found})")
        match = decls[0]
    else:
        named = next((m for m in decls if m["name"] == name), None)
        if named is None:
            raise LeanFileError(f"{path}: no theorem or lemma named '{name}'")
        match = named
    start = match.start("kw")  # modifiers such as `private` are no part of the statement
    end_match = _COMMAND.search(text, match.end())
    statement = strip_proof(text[start : end_match.start() if end_match else len(text)])
    line, col = position(text, start)
    return Problem(match["name"], statement, file_context(text[: match.start()]), path, line=line, col=col)


def file_context(prefix: str) -> str:
    """The header of a theorem read from a file: everything the file says before it (imports,
    `open`s, `namespace`s, `variable`s, earlier definitions and lemmas), as Lean elaborates the
    theorem there; lines keep their numbers in the file. Left out is what belongs to the
    theorem itself, directly before it: comments on their own lines, its doc comment and
    attributes. An `open X in` or `set_option o v in` there becomes `open X` / `set_option o v`
    at the end of the header (nothing follows it there, and the theorem still sees it)."""
    units = _units(prefix)
    end, scoped = len(prefix), list[str]()
    while True:
        stop = len(prefix[:end].rstrip())
        line_start = prefix.rfind("\n", 0, stop) + 1
        unit = next((u for u in reversed(units) if u[2] == stop), None)
        if unit is not None:
            kind, start, _ = unit
            code_before = prefix[line_start:start].strip() and prefix.startswith("--", start)
            if not code_before:
                end = start
                continue
        m = _SCOPED.fullmatch(prefix[line_start:stop])
        if m is None:
            return "\n".join(part for part in (prefix[:end].rstrip(), *scoped) if part)
        scoped.insert(0, m["command"])
        end = line_start


def split_imports(header: str) -> tuple[tuple[str, ...], str]:
    """The modules `header` imports, and the rest of it after the last `import`. Lean reads
    imports only at the top of a file (comments may come before), so they are read there only."""
    modules: list[str] = []
    rest = i = 0
    while True:
        while i < len(header) and header[i].isspace():
            i += 1
        end = comment_end(header, i)
        if end != i:
            i = end
            continue
        m = _IMPORT.match(header, i)
        if m is None:
            return tuple(modules), header[rest:]
        modules.append(m["module"])
        rest = i = m.end()


def _units(text: str) -> list[tuple[str, int, int]]:
    """The comments and attributes (`@[...]`) of `text`, in order, as (kind, start, end)."""
    units: list[tuple[str, int, int]] = []
    i = 0
    while i < len(text):
        j = comment_end(text, i)
        if j != i:
            units.append(("comment", i, j))
            i = j
            continue
        j = literal_end(text, i)
        if j != i:
            i = j
            continue
        if text.startswith("@[", i):
            try:
                close = match_bracket(text, i + 1)
            except LeanTextError:
                close = -1
            if close > 0:
                units.append(("attribute", i, close + 1))
                i = close + 1
                continue
        i += 1
    return units
