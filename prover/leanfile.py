"""Reading theorems: one statement given as text, or a named theorem inside a real `.lean`
file with the file's context before it as its header (what `leanzero prove --file` and the
miniF2F checkout reader use). Plain text processing: no Lean is needed to read a file."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    return Theorem(match["name"], statement, file_context(text[: match.start()]), path, *_position(text, start))


def file_context(prefix: str) -> str:
    """The header of a theorem read from a file: everything the file says before it (imports,
    `open`s, `namespace`s, `variable`s, earlier definitions and lemmas), as Lean elaborates the
    theorem there; lines keep their numbers in the file. Left out is what belongs to the
    theorem itself, directly before it: comments, its doc comment and attributes. An
    `open X in` or `set_option o v in` there becomes `open X` / `set_option o v` at the end
    of the header (nothing follows it there, and the theorem still sees it)."""
    body, scoped = prefix, []
    while True:
        body = body.rstrip()
        cut = body.rfind("\n") + 1
        last = body[cut:]
        if last.lstrip().startswith("--"):
            body = body[:cut]
        elif body.endswith("-/") and (start := _comment_start(body)) is not None:
            body = body[:start]
        elif body.endswith("]") and (start := _attribute_start(body)) is not None:
            body = body[:start]
        elif m := _SCOPED.fullmatch(last):
            scoped.insert(0, m["command"])
            body = body[:cut]
        else:
            return "\n".join(part for part in (body, *scoped) if part)


_SCOPED = re.compile(r"\s*(?P<command>(?:open|set_option)\s.*?)\s+in\s*(?:--.*)?")


def _comment_start(text: str) -> int | None:
    """Where the block comment that ends `text` starts (block comments nest), or None."""
    depth, i = 0, len(text)
    while i >= 2:
        pair = text[i - 2 : i]
        if pair == "-/":
            depth += 1
            i -= 2
        elif pair == "/-":
            depth -= 1
            i -= 2
            if depth == 0:
                return i
        else:
            i -= 1
    return None


def _attribute_start(text: str) -> int | None:
    """Where the attribute `@[...]` that ends `text` starts, or None (the `]` closes
    something else)."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if c == "]":
            depth += 1
        elif c == "[":
            depth -= 1
            if depth == 0:
                return i - 1 if i and text[i - 1] == "@" else None
    return None
