"""Statements as Lean text: `[attrs] theorem NAME BINDERS : PROP [:= proof]` cut into its parts.

Everything here is text, so it applies to real Lean statements as well as to `mini` ones:
`split_statement` finds the binders and the top-level `:` and `:=` with `lexical.scan` (brackets,
comments and literals respected); `strip_proof` drops the proof; `negate` builds the statement
whose proof disproves the original; `canonical` is the key under which two statements are the
same problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from lean_env.contract import StatementError
from lean_env.text.lexical import (
    LeanTextError,
    ident_char,
    is_word_at,
    match_bracket,
    mentions,
    squash,
    top_level,
    without_comments,
)

KEYWORDS = ("theorem", "lemma")
MODIFIERS = ("private", "protected", "noncomputable", "nonrec", "unsafe", "partial")
_SORT = re.compile(r"(^|→\s*)(Type|Sort)\b")
_BRACKETS = {"(": ")", "{": "}", "[": "]", "⦃": "⦄"}


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
        close = _BRACKETS[self.bracket]
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


def split_statement(text: str) -> Signature:
    """Cut `[attrs] [modifiers] theorem NAME BINDERS : PROP [:= proof]` into its parts.

    The first `:` outside brackets after the name ends the binders; the first `:=` outside
    brackets after it (one not owned by a `let`/`have` in the proposition) starts the proof.
    Raises `StatementError` for text that is not such a declaration.
    """
    try:
        return _split(without_comments(text), text)
    except LeanTextError as e:
        raise StatementError(str(e), 0, 0, text) from None


def _split(s: str, source: str) -> Signature:
    i = _skip_space(s, 0)
    while s.startswith("@[", i):  # attributes
        i = _skip_space(s, match_bracket(s, i + 1) + 1)
    while (word := _word_at(s, i)) in MODIFIERS:
        i = _skip_space(s, i + len(word))
    keyword = _word_at(s, i)
    if keyword not in KEYWORDS:
        raise StatementError(f"expected 'theorem' or 'lemma', found {s[i:i + 20]!r}", 0, 0, source)
    i = _skip_space(s, i + len(keyword))
    j = _name_end(s, i)
    name = s[i:j]
    if not name:
        raise StatementError("missing theorem name", 0, 0, source)
    binders: list[Binder] = []
    i = _skip_space(s, j)
    while True:
        if i >= len(s):
            raise StatementError("no ':' before the end of the statement", 0, 0, source)
        c = s[i]
        if c == ":" and not s.startswith(":=", i):
            break
        if c in _BRACKETS:
            end = match_bracket(s, i)
            binders.append(_binder(c, s[i + 1:end], source))
            i = _skip_space(s, end + 1)
            continue
        if s.startswith(":=", i) or c in ")]}⦄⟩":
            raise StatementError(f"unexpected {c!r} in the binders", 0, 0, source)
        j = _name_end(s, i)
        binders.append(Binder("", (s[i:j],), ""))
        i = _skip_space(s, j)
    prop = squash(s[i + 1:_proof_start(s, i + 1)])
    if not prop:
        raise StatementError("empty proposition after ':'", 0, 0, source)
    return Signature(keyword, name, tuple(binders), prop)


def strip_proof(text: str) -> str:
    """The declaration up to its proof's `:=` (comments kept, trailing space dropped). Text
    without a top-level `:` (not a statement) is returned up to its first top-level `:=`."""
    try:
        code = without_comments(text)
        colon = _top_level_colon(code, required=False)
        return text[:_proof_start(code, colon + 1)].rstrip()
    except LeanTextError as e:
        raise StatementError(str(e), 0, 0, text) from None


def theorem_name(text: str) -> str:
    """The declared name of `theorem NAME ...` / `lemma NAME ...` ('' when there is none)."""
    code = without_comments(text)
    for i in top_level(code):
        for keyword in KEYWORDS:
            if is_word_at(code, i, keyword):
                j = _skip_space(code, i + len(keyword))
                return code[j:_name_end(code, j)]
    return ""


def canonical(text: str) -> str:
    """The key of a statement as a problem: binders and proposition, white space normalised,
    without the name, the proof and any comment."""
    code = without_comments(strip_proof(text))
    body = re.sub(r"^\s*(?:@\[[^\]]*\]\s*)*(?:(?:" + "|".join(MODIFIERS) + r")\s+)*(?:theorem|lemma|example)\s+\S+",
                  "", code)
    return squash(body)


def negate(text: str) -> str:
    """`theorem NAME_neg OUTER : ¬ (∀ INNER, PROP)`: a proof of it disproves `text`.

    Instance binders (`[Fintype α]`), type variables (`{α : Type*}`) and every binder those
    mention stay OUTER: they are parameters of the negated theorem, as Lean needs them to be.
    All other binders (variables and hypotheses) go INNER, implicit ones made explicit. A
    statement without inner binders becomes `¬ (PROP)`. The outer binders are universally
    quantified in the negation too, so a proof of it refutes the original for every instance
    (sound, if stronger than needed when outer binders exist).
    """
    sig = split_statement(text)
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
    return " ".join([f"theorem {sig.name}_neg", *(b.text for b, o in zip(sig.binders, outer) if o), f": ¬ ({body})"])


def with_proof(statement: str, proof: str) -> str:
    """The complete theorem as a file holds it: `statement := by`, then the script's lines
    indented under it (blank lines kept empty)."""
    lines = proof.strip("\n").split("\n")
    return f"{statement} := by\n" + "\n".join(f"  {line}" if line.strip() else "" for line in lines)


def target_of(text: str) -> str:
    """The proposition of a statement (`⊢` text for a goal), or '' when it does not read."""
    try:
        return split_statement(text).prop
    except StatementError:
        return ""


# ------------------------------------------------------------------ pieces


def _binder(bracket: str, inner: str, source: str) -> Binder:
    inner = squash(inner)
    colon = _top_level_colon(inner, required=False)
    if colon < 0:
        if bracket == "[":
            return Binder("[", (), inner)
        return Binder(bracket, tuple(inner.split()), "")
    names = tuple(inner[:colon].split())
    if not names:
        raise StatementError(f"binder {inner!r} has no names", 0, 0, source)
    return Binder(bracket, names, inner[colon + 1:].strip())


def _top_level_colon(s: str, *, required: bool = True) -> int:
    for i in top_level(s):
        if s[i] == ":" and not s.startswith(":=", i) and not s.startswith("::", i) and s[i - 1:i] != ":":
            return i
    if required:
        raise StatementError("no ':' outside brackets", 0, 0, s)
    return -1


def _proof_start(s: str, start: int) -> int:
    """Where the proof's `:=` is (or the end): `let x := ...`/`have h : P := ...` own theirs."""
    owed = 0
    for i in top_level(s, start):
        if s.startswith(":=", i):
            if owed == 0:
                return i
            owed -= 1
        elif (is_word_at(s, i, "let") or is_word_at(s, i, "have")):
            owed += 1
    return len(s)


def _word_at(s: str, i: int) -> str:
    j = i
    while j < len(s) and (ident_char(s[j]) or s[j] == "."):
        j += 1
    return s[i:j]


def _name_end(s: str, i: int) -> int:
    j = i
    while j < len(s) and not s[j].isspace() and s[j] not in "({[⦃:":
        j += 1
    return j


def _skip_space(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i
