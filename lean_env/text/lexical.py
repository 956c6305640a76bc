"""Lean 4's lexical layer, the one every reader of Lean text here stands on.

What it knows, as Lean's own scanner does: `--` line comments and `/- -/` block comments
(which nest, doc comments included), string literals with escapes, character literals (`'a'`,
`'\\n'`, `'\\''`; a `'` after an identifier is part of the name: `h'`, `x''`), numerals
(`12`, `0x1F`, `2.5e3`), identifiers with Lean's own character classes (`identifiers`: dotted,
`«»`-quoted parts read as their text), and brackets `( ) [ ] { } ⟨ ⟩ ⦃ ⦄ ⟦ ⟧`. `scan` walks the
code of a text, everything outside comments and literals, with the bracket depth; the rest is
built on it: top-level positions, bracket matching, splitting at a top-level separator,
whole-identifier search, and the `in` of a big operator's binder (`∑ k in s, f k`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

OPEN = "([{⟨⦃⟦"
CLOSE = ")]}⟩⦄⟧"
PAIRS = dict(zip(OPEN, CLOSE))
# Lean's escapes in a char literal: `\\ \" \' \n \t \r`, `\xHH`, `\uHHHH` (`quotedCharCoreFn`).
_CHAR = re.compile(r"'(?:\\(?:[\\'\"ntr]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})|[^\\'\n])'")
_NUMERAL = re.compile(
    r"0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[bB][01](?:_?[01])*|0[oO][0-7](?:_?[0-7])*"
    r"|[0-9](?:_?[0-9])*(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
)
BIG_OPERATORS = "∑∏⨆⨅⋃⋂⨁⨂∐"  # whose binder may read `x in s` (`∑ k in Finset.range n, f k`)


class LeanTextError(ValueError):
    """Text whose brackets do not match; `index` is where it went wrong."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


def ident_start(c: str) -> bool:
    """A character that starts an identifier, as Lean's `isIdFirst`: ASCII letters, `_`, and the
    letter-like ranges (Greek but λ Π Σ, Coptic, Greek extended, the letter-like block `ℕ ℝ`,
    mathematical alphanumerics `𝒜`). Lean's newer releases add Latin-1 and Latin Extended-A letters;
    leaving them out makes a name end sooner here, never later, so no name hides in a longer one."""
    o = ord(c)
    return (c.isascii() and (c.isalpha() or c == "_")) or (
        (0x3B1 <= o <= 0x3C9 and o != 0x3BB) or (0x391 <= o <= 0x3A9 and o not in (0x3A0, 0x3A3))
        or 0x3CA <= o <= 0x3FB or 0x1F00 <= o <= 0x1FFE or 0x2100 <= o <= 0x214F or 0x1D49C <= o <= 0x1D59F)


def ident_char(c: str) -> bool:
    """A character that continues an identifier, as Lean's `isIdRest`: `ident_start`, ASCII digits,
    `'`, `!`, `?`, and subscripts (`₀`-`₉`, `ₐ`-`ₜ`, `ᵢ`-`ᵪ`). Not `ᵒ`, `²`, `µ` or other letters of
    other scripts: Lean ends a name there, and so does this."""
    o = ord(c)
    return (ident_start(c) or ("0" <= c <= "9") or c in "'!?"
            or 0x2080 <= o <= 0x2089 or 0x2090 <= o <= 0x209C or 0x1D62 <= o <= 0x1D6A)


def numeral_end(text: str, i: int) -> int:
    """The index after the numeral starting at `i` (`12`, `1_000`, `0x1F`, `0b101`, `2.5e-3`), or `i`.
    What follows a numeral starts a new token, as in Lean (`2x` is `2` and `x`)."""
    m = _NUMERAL.match(text, i)
    return m.end() if m else i


def is_prime(text: str, i: int) -> bool:
    """Whether the `'` at `i` continues an identifier (`h'`, `x''`) rather than starting a char
    literal: an identifier, not a numeral, ends right before it (`2'a'` is `2` and `'a'`)."""
    j = i
    while j > 0 and ident_char(text[j - 1]):
        j -= 1
    while j < i and "0" <= text[j] <= "9":  # a numeral first, then perhaps a name
        j = max(numeral_end(text, j), j + 1)
    return j < i and ident_start(text[j])


def char_quote(text: str, i: int) -> bool:
    """Whether a char literal starts at the `'` at `i`, as Lean's tokenizer decides: not a prime
    (`is_prime`), not `''` (Lean never starts a char literal there: it is a symbol, Mathlib's image
    `f '' s`), and not the end of the symbol `⁻¹'` (Mathlib's preimage `f ⁻¹' s`)."""
    if not text.startswith("'", i) or is_prime(text, i) or _image_second(text, i):
        return False
    return not text.startswith("''", i) and not text.endswith("⁻¹", 0, i)


def _image_second(text: str, i: int) -> bool:
    """Whether the `'` at `i` is the second quote of a `''` symbol (whose first is no prime)."""
    first = i - 1
    return (first >= 0 and text.startswith("''", first) and not is_prime(text, first)
            and not _image_second(text, first))


def comment_end(text: str, i: int) -> int:
    """The index after the comment starting at `i` (`len(text)` when unterminated), or `i`
    when no comment starts there. Block comments nest, as in Lean."""
    if text.startswith("--", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if not text.startswith("/-", i):
        return i
    depth, j = 1, i + 2
    while j < len(text) and depth:
        if text.startswith("/-", j):
            depth, j = depth + 1, j + 2
        elif text.startswith("-/", j):
            depth, j = depth - 1, j + 2
        else:
            j += 1
    return j


def literal_end(text: str, i: int) -> int:
    """The index after the string or character literal starting at `i`, or `i` when none
    starts there (a `'` after an identifier character belongs to the identifier)."""
    if text.startswith('"', i):
        j = i + 1
        while j < len(text) and text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        return min(j + 1, len(text))
    if char_quote(text, i):
        m = _CHAR.match(text, i)
        if m:
            return m.end()
    return i


def skip(text: str, i: int) -> int:
    """The index after a comment or literal starting at `i`, or `i`."""
    j = comment_end(text, i)
    return j if j != i else literal_end(text, i)


def scan(text: str, start: int = 0) -> Iterator[tuple[int, int]]:
    """(index, depth) of every code character from `start`: outside comments and literals.
    `depth` is the number of brackets open before the character (an opening bracket is at the
    depth outside it, its closing one at the depth outside too). Unbalanced text raises."""
    stack: list[int] = []  # where the open brackets are
    i, n = start, len(text)
    while i < n:
        j = skip(text, i)
        if j != i:
            i = j
            continue
        c = text[i]
        if c in PAIRS:
            yield i, len(stack)
            stack.append(i)
        elif c in CLOSE:
            if not stack or PAIRS[text[stack[-1]]] != c:
                raise LeanTextError(f"unbalanced {c!r}", i)
            stack.pop()
            yield i, len(stack)
        else:
            yield i, len(stack)
        i += 1
    if stack:
        raise LeanTextError(f"unclosed {text[stack[-1]]!r}", stack[-1])


def top_level(text: str, start: int = 0) -> Iterator[int]:
    """Indices of code characters at bracket depth 0 (brackets themselves excluded)."""
    for i, depth in scan(text, start):
        if depth == 0 and text[i] not in OPEN and text[i] not in CLOSE:
            yield i


def match_bracket(text: str, i: int) -> int:
    """The index of the bracket closing the one at `i`."""
    if text[i] not in PAIRS:
        raise LeanTextError(f"no opening bracket at {i}", i)
    for j, depth in scan(text, i):
        if j > i and depth == 0 and text[j] in CLOSE:
            return j
    raise LeanTextError(f"unclosed {text[i]!r}", i)


def balanced(text: str) -> bool:
    """Whether every bracket of `text` is closed by its own kind, in order."""
    try:
        for _ in scan(text):
            pass
    except LeanTextError:
        return False
    return True


def depth_after(text: str, depth: int = 0) -> int:
    """The bracket depth after `text`, starting from `depth`: a tolerant count for text cut
    into lines (comments and literals skipped, any closing bracket closes one)."""
    i = 0
    while i < len(text):
        j = skip(text, i)
        if j != i:
            i = j
            continue
        if text[i] in PAIRS:
            depth += 1
        elif text[i] in CLOSE:
            depth -= 1
        i += 1
    return depth


def without_comments(text: str) -> str:
    """`text` with every comment replaced by spaces (newlines kept): same offsets and lines."""
    out: list[str] = []
    i = 0
    while i < len(text):
        j = comment_end(text, i)
        if j != i:
            out.append("".join("\n" if c == "\n" else " " for c in text[i:j]))
            i = j
            continue
        j = literal_end(text, i)
        if j != i:
            out.append(text[i:j])
            i = j
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def split_top(text: str, sep: str = ";") -> list[str]:
    """`text` cut at each top-level `sep` (outside brackets, comments and literals); the `;`
    of `<;>` is never a cut."""
    parts: list[str] = []
    start = 0
    for i in top_level(text):
        if text.startswith(sep, i) and not (sep == ";" and text[max(0, i - 1):i + 2] == "<;>"):
            parts.append(text[start:i])
            start = i + len(sep)
    parts.append(text[start:])
    return parts


@dataclass(frozen=True, slots=True)
class Ident:
    """An identifier token: where it is in the text and its dotted parts (`«»` quotes removed)."""

    start: int
    end: int
    parts: tuple[str, ...]

    @property
    def name(self) -> str:
        return ".".join(self.parts)


def identifiers(text: str) -> Iterator[Ident]:
    """Every identifier of `text`'s code, token by token as Lean's scanner reads it: comments and
    literals skipped, numerals read whole (so `2sorry` holds `sorry`), a name's parts joined at a
    `.` that an identifier part follows (`Nat.succ_le`, `h.1` is `h`), `«»`-quoted parts read as
    their text (`«Lean».x` is `Lean.x`). Keywords come out as identifiers too (`theorem`, `in`)."""
    i, n = 0, len(text)
    while i < n:
        j = skip(text, i)
        if j != i:
            i = j
            continue
        if "0" <= text[i] <= "9":
            i = max(numeral_end(text, i), i + 1)
            continue
        parts: list[str] = []
        j = i
        while (end := _part_end(text, j)) != j:
            parts.append(text[j + 1:end - 1] if text[j] == "«" else text[j:end])
            j = end
            if not (text.startswith(".", j) and _part_end(text, j + 1) != j + 1):
                break
            j += 1
        if parts:
            yield Ident(i, j, tuple(parts))
            i = j
        else:
            i += 1


def _part_end(text: str, i: int) -> int:
    """The index after one name part at `i` (`foo'`, `«a b»`), or `i` when none starts there."""
    if text.startswith("«", i):
        close = text.find("»", i + 1)
        return i if close < 0 else close + 1
    if i < len(text) and ident_start(text[i]):
        j = i + 1
        while j < len(text) and ident_char(text[j]):
            j += 1
        return j
    return i


def binder_ins(text: str) -> set[int]:
    """Where each `in` of a big operator's binder starts (`∑ k in Finset.range n, f k`, `∏ i in s, g i`):
    after one of `BIG_OPERATORS`, at its bracket depth, before the `,` that ends its binder. Every
    other `in` is a command's (`open Nat in`, `set_option x 0 in`). Unbalanced text raises."""
    found: set[int] = set()
    binders: list[int] = []  # depths of the big operators whose binder is open
    for i, depth in scan(text):
        c = text[i]
        if c in BIG_OPERATORS:
            binders.append(depth)
        elif c in CLOSE:
            while binders and binders[-1] > depth:
                binders.pop()
        elif c == "," and binders and binders[-1] == depth:
            binders.pop()
        elif c == "i" and binders and binders[-1] == depth and is_word_at(text, i, "in"):
            found.add(i)
    return found


def is_word_at(text: str, i: int, word: str) -> bool:
    """Whether `word` stands at `i` as a whole identifier (not inside `word'` or `x.word`)."""
    end = i + len(word)
    return (text.startswith(word, i) and (i == 0 or not (ident_char(text[i - 1]) or text[i - 1] == "."))
            and (end == len(text) or not ident_char(text[end])))


def mentions(text: str, name: str) -> bool:
    """Whether identifier `name` occurs in `text` as a whole identifier (not inside `name'` or
    `x.name`)."""
    return re.search(rf"(?<![\w'.]){re.escape(name)}(?![\w'])", text) is not None


def squash(text: str) -> str:
    """Runs of white space as one space."""
    return " ".join(text.split())
