"""Lean 4's lexical layer, the one every reader of Lean text here stands on.

What it knows, as Lean's own scanner does: `--` line comments and `/- -/` block comments
(which nest, doc comments included), string literals with escapes, character literals (`'a'`,
`'\\n'`; a `'` after an identifier character is part of the name: `h'`), and brackets
`( ) [ ] { } ⟨ ⟩ ⦃ ⦄ ⟦ ⟧`. `scan` walks the code of a text, everything outside comments and
literals, with the bracket depth; the rest is built on it: top-level positions, bracket
matching, splitting at a top-level separator, and whole-identifier search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

OPEN = "([{⟨⦃⟦"
CLOSE = ")]}⟩⦄⟧"
PAIRS = dict(zip(OPEN, CLOSE))
_CHAR = re.compile(r"'(?:\\(?:[\\'\"ntr0]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})|[^\\'\n])'")


class LeanTextError(ValueError):
    """Text whose brackets do not match; `index` is where it went wrong."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


def ident_char(c: str) -> bool:
    """A character that continues an identifier (letters, digits, `_`, `'`, `!`, `?`, subscripts)."""
    return c.isalnum() or c in "_'!?" or "\u2080" <= c <= "\u209c" or c == "ᵢ"


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
    if text.startswith("'", i) and not (i and ident_char(text[i - 1])):
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
