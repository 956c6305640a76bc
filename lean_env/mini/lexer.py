"""Tokenizer of `mini`: Lean 4 text -> tokens, unicode-normalized, comments skipped.

Identifiers keep their dots (`Nat.gcd`, `h.1`, `h₀.2.1`) and subscripts; ASCII operators
are normalized to their unicode form (`->` reads `→`, `<=` reads `≤`); every token keeps
its line, column and offsets in the raw text, for error positions and raw slices.
"""

from __future__ import annotations

from dataclasses import dataclass

from lean_env.text.lexical import comment_end, ident_start

from .errors import ParseError


@dataclass(frozen=True, slots=True)
class Token:
    """One token; `text` is normalized (`->` reads `→`), offsets point into the raw text."""

    kind: str  # "ident" | "num" | "sym" | "eof"
    text: str
    line: int
    col: int
    offset: int
    end: int


# Multi-character ASCII symbols, longest first, with their unicode normal form.
_MULTI = (
    ("<;>", "<;>"), ("<->", "↔"), (":=", ":="), ("=>", "=>"), ("->", "→"), ("<-", "←"),
    ("<=", "≤"), (">=", "≥"), ("!=", "≠"), ("/\\", "∧"), ("\\/", "∨"), ("..", ".."),
    ("::", "::"), ("<|", "<|"), ("∃!", "∃!"), ("⁻¹", "⁻¹"), ("++", "++"),
)
_SINGLE_NORMAL = {"~": "¬", "↦": "=>", "λ": "λ"}
_SUBSCRIPTS = set("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₔₕₖₗₘₙₚₛₜᵢᵣᵤᵥᵦᵧᵨᵩᵪⱼ")


def _digit(c: str) -> bool:
    """An ASCII digit: `str.isdigit` also takes `²` and `₄`, which are no Lean numerals."""
    return "0" <= c <= "9"


def _ident_rest(c: str) -> bool:
    """Lean's `isIdRest` (its first characters are the toolkit's `ident_start`, Lean's `isIdFirst`),
    without `!` (mini has no `!`-names): no `²` or `٣`, which
    `str.isalnum` takes. No `✝`: Lean prints it on inaccessible names, which no text can write."""
    return ident_start(c) or _digit(c) or c in "'?" or c in _SUBSCRIPTS


def tokenize(text: str) -> list[Token]:
    """Split Lean text into tokens, skipping whitespace and (nested) comments."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    line, line_start = 1, 0

    def advance_to(j: int) -> None:
        nonlocal i, line, line_start
        while i < j:
            if text[i] == "\n":
                line += 1
                line_start = i + 1
            i += 1

    while i < n:
        c = text[i]
        if c.isspace():
            advance_to(i + 1)
            continue
        j = comment_end(text, i)  # Lean's comments, nested ones included
        if j != i:
            if text.startswith("/-", i) and not text.endswith("-/", i, j):
                raise ParseError("unterminated comment", line, i - line_start + 1)
            advance_to(j)
            continue
        start, col = i, i - line_start + 1
        if ident_start(c) and not (c == "_" and not (i + 1 < n and _ident_rest(text[i + 1]))):
            j = i + 1
            while True:
                while j < n and _ident_rest(text[j]):
                    j += 1
                # dotted names: `Nat.gcd`, `h.1`, `h₀.2.1`, `h.mp`
                if j + 1 < n and text[j] == "." and (ident_start(text[j + 1]) or _digit(text[j + 1])):
                    j += 1
                    if _digit(text[j]):
                        while j < n and _digit(text[j]):
                            j += 1
                    continue
                break
            tokens.append(Token("ident", text[start:j], line, col, start, j))
            advance_to(j)
            continue
        if _digit(c):
            j = i
            while j < n and _digit(text[j]):
                j += 1
            if j + 1 < n and text[j] == "." and _digit(text[j + 1]):  # decimal literal
                j += 1
                while j < n and _digit(text[j]):
                    j += 1
            tokens.append(Token("num", text[start:j], line, col, start, j))
            advance_to(j)
            continue
        for raw, norm in _MULTI:
            if text.startswith(raw, i):
                tokens.append(Token("sym", norm, line, col, start, i + len(raw)))
                advance_to(i + len(raw))
                break
        else:
            tokens.append(Token("sym", _SINGLE_NORMAL.get(c, c), line, col, start, i + 1))
            advance_to(i + 1)
    tokens.append(Token("eof", "", line, i - line_start + 1, n, n))
    return tokens
