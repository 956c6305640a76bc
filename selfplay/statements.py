"""Statements for self-play: where problems come from, and how a statement is negated.

Self-play attempts STATEMENTS, never proofs: from files (`name, formal_statement[, header]`
JSONL such as miniF2F), from the seeded `mini` generator, and as variants of other statements
(`selfplay.variants`). Each one is tried as itself and as its negation; whichever is verified
becomes a proof or a disproof. Everything here works on Lean TEXT, so it applies to real Lean
statements as well as to `mini` ones: `split_statement` cuts `theorem NAME BINDERS : PROP
[:= ...]` at the top-level colon, brackets and comments respected, and `negation` rebuilds
`theorem NAME_neg OUTER : ¬ (∀ INNER, PROP)` from the parts.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from lean_env.contract import StatementError
from selfplay.generator import EASY, HARD, MEDIUM, Difficulty, canonical, generate

__all__ = [
    "Binder", "Problem", "Signature", "StatementError", "StatementSourceError", "difficulty_label",
    "from_generator", "from_jsonl", "generator_stream", "mentions", "negation", "problem_key", "split_statement",
    "strip_proof",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One statement to attempt. `statement` is `theorem NAME BINDERS : PROP` (no proof).

    `source` says where it came from: `file:<path>`, `generator:<seed>/<difficulty>`,
    `variant:<parent>/<kind>` or `negation:<parent>`; `parent` names the statement it was
    derived from. `family` is the generator's label (`linear/false`) when there is one: kept
    for soundness checks and reports, never for decisions (the search decides truth).
    """

    name: str
    statement: str
    header: str = ""
    source: str = ""
    parent: str | None = None
    family: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "statement": self.statement, "header": self.header,
                "source": self.source, "parent": self.parent, "family": self.family}

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> Problem:
        return cls(str(d["name"]), str(d["statement"]), str(d.get("header", "")), str(d.get("source", "")),
                   None if d.get("parent") is None else str(d["parent"]), str(d.get("family", "")))


def problem_key(problem: Problem) -> str:
    """Whitespace-normalised binders and proposition, without the name: equal keys, same problem."""
    return canonical(problem.statement)


class StatementSourceError(ValueError):
    """A row of a statement file that cannot be used; the message starts with `file:line:`."""


# ------------------------------------------------------------------ reading a signature

_OPEN = {"(": ")", "{": "}", "[": "]", "⦃": "⦄", "⟨": "⟩"}
_CLOSE = set(")}]⦄⟩")
_KEYWORDS = ("theorem", "lemma")
_MODIFIERS = ("private", "protected", "noncomputable", "nonrec", "unsafe", "partial")
_SORT = re.compile(r"(^|→\s*)(Type|Sort)\b")


@dataclass(frozen=True, slots=True)
class Binder:
    """One bracketed binder as written (`(x y : ℕ)`, `{α : Type*}`, `[Fintype α]`) or a bare name."""

    bracket: str  # "(", "{", "⦃", "[", or "" for a bare name
    names: tuple[str, ...]
    type: str  # "" when not written

    @property
    def text(self) -> str:
        if not self.bracket:
            return " ".join(self.names)
        close = {"(": ")", "{": "}", "[": "]", "⦃": "⦄"}[self.bracket]
        if not self.type:
            return f"{self.bracket}{' '.join(self.names)}{close}"
        if not self.names:
            return f"{self.bracket}{self.type}{close}"
        return f"{self.bracket}{' '.join(self.names)} : {self.type}{close}"

    @property
    def is_sort(self) -> bool:
        """A type variable (`α : Type*`, `F : ℕ → Sort u`): stays outside a negation's ∀."""
        return bool(_SORT.search(self.type))

    def explicit(self) -> Binder:
        """The same binder as `( )`: implicit and strict-implicit binders read so under a ∀."""
        return self if self.bracket in ("(", "") else replace(self, bracket="(")


@dataclass(frozen=True, slots=True)
class Signature:
    """A statement cut into its parts; `prop` and binder types have comments and runs of spaces removed."""

    keyword: str  # "theorem" or "lemma" (attributes and modifiers dropped)
    name: str
    binders: tuple[Binder, ...]
    prop: str

    def text(self) -> str:
        return " ".join([f"theorem {self.name}", *(b.text for b in self.binders), ":", self.prop])

    def mentions(self, name: str, *, skip: int | None = None) -> bool:
        """Whether identifier `name` occurs in the proposition or a binder other than number `skip`."""
        parts = [self.prop] + [b.type for i, b in enumerate(self.binders) if i != skip]
        return any(mentions(p, name) for p in parts)


def mentions(text: str, name: str) -> bool:
    """Whether `name` occurs in `text` as a whole identifier (not inside `name'` or `x.name`)."""
    return re.search(rf"(?<![\w'.]){re.escape(name)}(?![\w'])", text) is not None


def split_statement(text: str) -> Signature:
    """Cut `[attrs] theorem NAME BINDERS : PROP [:= proof]` into its parts.

    The first `:` outside brackets after the name ends the binders; the first `:=` outside
    brackets after it (one not owned by a `let`/`have` in the proposition) starts the proof.
    Raises `StatementError` for text that is not such a declaration.
    """
    s = _strip_comments(text)
    i = _skip_space(s, 0)
    while s.startswith("@[", i):  # attributes
        i = _skip_space(s, _match(s, i + 1) + 1)
    while (word := _word_at(s, i)) in _MODIFIERS:
        i = _skip_space(s, i + len(word))
    keyword = _word_at(s, i)
    if keyword not in _KEYWORDS:
        raise StatementError(f"expected 'theorem' or 'lemma', found {s[i:i + 20]!r}", 0, 0, text)
    i = _skip_space(s, i + len(keyword))
    j = i
    while j < len(s) and not s[j].isspace() and s[j] not in "({[⦃:":
        j += 1
    name = s[i:j]
    if not name:
        raise StatementError("missing theorem name", 0, 0, text)
    binders: list[Binder] = []
    i = _skip_space(s, j)
    while True:
        if i >= len(s):
            raise StatementError("no ':' before the end of the statement", 0, 0, text)
        c = s[i]
        if c == ":" and not s.startswith(":=", i):
            break
        if c in "({[⦃":
            end = _match(s, i)
            binders.append(_binder(c, s[i + 1:end], text))
            i = _skip_space(s, end + 1)
            continue
        if s.startswith(":=", i) or c in _CLOSE:
            raise StatementError(f"unexpected {c!r} in the binders", 0, 0, text)
        j = i
        while j < len(s) and not s[j].isspace() and s[j] not in "({[⦃:":
            j += 1
        binders.append(Binder("", (s[i:j],), ""))
        i = _skip_space(s, j)
    prop = _squash(s[i + 1:_proof_start(s, i + 1)])
    if not prop:
        raise StatementError("empty proposition after ':'", 0, 0, text)
    return Signature(keyword, name, tuple(binders), prop)


def strip_proof(text: str) -> str:
    """The statement without its `:= ...` part (and trailing space), as written otherwise."""
    s = _strip_comments(text)
    sig_colon = _top_level_colon(s)
    return s[:_proof_start(s, sig_colon + 1)].rstrip()


def _binder(bracket: str, inner: str, source: str) -> Binder:
    inner = _squash(inner)
    colon = _top_level_colon(inner, required=False)
    if colon < 0:
        if bracket == "[":
            return Binder("[", (), inner)
        return Binder(bracket, tuple(inner.split()), "")
    names = tuple(inner[:colon].split())
    if not names:
        raise StatementError(f"binder {inner!r} has no names", 0, 0, source)
    return Binder(bracket, names, inner[colon + 1:].strip())


def _strip_comments(s: str) -> str:
    """Replace `-- ...` and nested `/- ... -/` comments by spaces; leave strings alone."""
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        if s[i] == '"':
            j = i + 1
            while j < n and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            out.append(s[i:j + 1])
            i = j + 1
        elif s.startswith("--", i):
            while i < n and s[i] != "\n":
                i += 1
        elif s.startswith("/-", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if s.startswith("/-", i):
                    depth, i = depth + 1, i + 2
                elif s.startswith("-/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            out.append(" ")
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def _match(s: str, i: int) -> int:
    """Index of the bracket closing the one at `i` (strings skipped)."""
    stack = [_OPEN[s[i]]]
    j = i + 1
    while j < len(s):
        c = s[j]
        if c == '"':
            j = s.find('"', j + 1)
            if j < 0:
                break
        elif c in _OPEN:
            stack.append(_OPEN[c])
        elif c in _CLOSE:
            if c != stack[-1]:
                raise StatementError(f"unbalanced {c!r}", 0, 0, s)
            stack.pop()
            if not stack:
                return j
        j += 1
    raise StatementError(f"unclosed {s[i]!r}", 0, 0, s)


def _depth0(s: str, start: int = 0) -> Iterator[int]:
    """Indices of `s` from `start` that are outside every bracket."""
    i = start
    while i < len(s):
        c = s[i]
        if c in _OPEN:
            i = _match(s, i) + 1
            continue
        yield i
        i += 1


def _top_level_colon(s: str, *, required: bool = True) -> int:
    for i in _depth0(s):
        if s[i] == ":" and not s.startswith(":=", i) and not s.startswith("::", i) and s[i - 1:i] != ":":
            return i
    if required:
        raise StatementError("no ':' outside brackets", 0, 0, s)
    return -1


def _proof_start(s: str, start: int) -> int:
    """Where the proof's `:=` is (or the end): `let x := ...`/`have h : P := ...` own theirs."""
    owed = 0
    for i in _depth0(s, start):
        if s.startswith(":=", i):
            if owed == 0:
                return i
            owed -= 1
        elif _word_at(s, i) in ("let", "have") and (i == 0 or not _ident_char(s[i - 1])):
            owed += 1
    return len(s)


def _word_at(s: str, i: int) -> str:
    j = i
    while j < len(s) and _ident_char(s[j]):
        j += 1
    return s[i:j]


def _ident_char(c: str) -> bool:
    return c.isalnum() or c in "_'!?.₀₁₂₃₄₅₆₇₈₉"


def _skip_space(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i


def _squash(s: str) -> str:
    return " ".join(s.split())


# ------------------------------------------------------------------ negation


def negation(problem: Problem) -> Problem:
    """`theorem NAME_neg OUTER : ¬ (∀ INNER, PROP)`: proving it disproves `problem`.

    Instance binders (`[Fintype α]`), type variables (`{α : Type*}`) and every binder those
    mention stay OUTER: they are parameters of the negated theorem, as Lean needs them to be.
    All other binders (variables and hypotheses) go INNER, implicit ones made explicit. A
    statement without inner binders becomes `¬ (PROP)`. The outer binders are universally
    quantified in the negation too, so a proof of it refutes the original for every instance
    (sound, if stronger than needed when outer binders exist).
    """
    sig = split_statement(problem.statement)
    outer = [b.bracket == "[" or b.is_sort for b in sig.binders]
    changed = True
    while changed:  # what an outer binder mentions must be outer as well
        changed = False
        for i, b in enumerate(sig.binders):
            if outer[i]:
                continue
            if any(outer[j] and any(mentions(sig.binders[j].type, n) for n in b.names)
                   for j in range(i + 1, len(sig.binders))):
                outer[i] = changed = True
    inner = [b.explicit().text for b, o in zip(sig.binders, outer) if not o]
    body = f"∀ {' '.join(inner)}, {sig.prop}" if inner else sig.prop
    name = f"{sig.name}_neg"
    text = " ".join([f"theorem {name}", *(b.text for b, o in zip(sig.binders, outer) if o), f": ¬ ({body})"])
    return Problem(name, text, problem.header, f"negation:{problem.name}", problem.name)


# ------------------------------------------------------------------ sources


def from_jsonl(path: str | Path) -> list[Problem]:
    """Problems from a `name, formal_statement[, header]` JSONL file (blank lines skipped).

    Every row must be an object with string `name` and `formal_statement`, names distinct, and
    the statement must read as `theorem NAME BINDERS : PROP`; otherwise `StatementSourceError`
    says `file:line: what is wrong`. The proof part (`:= by sorry`) is dropped.
    """
    path = Path(path)
    out: list[Problem] = []
    seen: dict[str, int] = {}
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise StatementSourceError(f"{where}: not JSON: {e.msg} (column {e.colno})") from None
            if not isinstance(row, dict):
                raise StatementSourceError(f"{where}: expected a JSON object, got {type(row).__name__}")
            for key in ("name", "formal_statement"):
                if not isinstance(row.get(key), str) or not row[key].strip():
                    raise StatementSourceError(f"{where}: missing or non-string field '{key}'")
            header = row.get("header", "")
            if not isinstance(header, str):
                raise StatementSourceError(f"{where}: field 'header' must be a string")
            name = row["name"]
            if name in seen:
                raise StatementSourceError(f"{where}: duplicate name '{name}' (first on line {seen[name]})")
            seen[name] = lineno
            try:
                split_statement(row["formal_statement"])
                text = strip_proof(row["formal_statement"])
            except StatementError as e:
                raise StatementSourceError(f"{where}: statement '{name}' cannot be read: {e.message}") from None
            out.append(Problem(name, text, header, f"file:{path}"))
    return out


_PRESETS = {"easy": EASY, "medium": MEDIUM, "hard": HARD}


def difficulty_label(d: Difficulty) -> str:
    """`easy`/`medium`/`hard` for the presets, the knob values otherwise."""
    for label, preset in _PRESETS.items():
        if d == preset:
            return label
    fams = "" if set(d.families) == set(EASY.families) else "," + "+".join(d.families)
    return (f"l{d.logic_depth}h{d.hypotheses}a{d.arithmetic_size}v{d.variables}"
            f"f{d.false_share:g}{fams}")


def from_generator(seed: int, n: int, difficulty: Difficulty | str = MEDIUM) -> list[Problem]:
    """`n` generated `mini` statements (`selfplay.generator.generate`), names `gen_<seed>_<i>`."""
    if isinstance(difficulty, str) and difficulty not in _PRESETS:
        raise ValueError(f"unknown difficulty '{difficulty}'; choose one of {', '.join(_PRESETS)}")
    d = _PRESETS[difficulty] if isinstance(difficulty, str) else difficulty
    source = f"generator:{seed}/{difficulty_label(d)}"
    return [Problem(s.name, strip_proof(s.text), "", source, None, s.family) for s in generate(seed, n, d)]


def generator_stream(seed: int, difficulty: Difficulty | str = MEDIUM, *, batch: int = 256) -> Iterator[Problem]:
    """An endless deterministic supply: batch `k` is `from_generator(derived seed k, batch)`.

    Batches use seeds derived from (`seed`, `k`), so names never repeat; texts may repeat
    across batches (the curriculum drops duplicates it still holds).
    """
    for k in itertools.count():
        digest = hashlib.sha256(f"{seed}/{k}".encode()).digest()
        yield from from_generator(int.from_bytes(digest[:6], "big"), batch, difficulty)
