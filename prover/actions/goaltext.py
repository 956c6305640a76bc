"""Reading Lean's printed goals as text, so tactic generators work for every backend.

The goal text is what Lean prints: an optional `case tag` line, `names : type` hypothesis lines
(long ones wrap onto indented continuation lines) and `⊢ target`. Nothing here elaborates: we
find outermost connectives and relations by bracket depth and Lean's precedences, split binders
off `∀`/`∃`, tokenize, match a hypothesis's pattern against a target with its bound names as
holes, and evaluate closed integer arithmetic (to look for `∃` witnesses). All of it is a
heuristic reading: a wrong guess costs a failed tactic, never a wrong proof.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from lean_env.text.goals import parse_goal  # noqa: F401 (the toolkit's reader, as gt.parse_goal)
from lean_env.text.lexical import CLOSE, OPEN, LeanTextError, is_word_at, match_bracket, top_level

# Outermost binary connectives and relations with Lean's precedence (lower binds looser).
_PRECEDENCE = {"↔": 20, "→": 25, "∨": 30, "∧": 35, "=": 50, "≠": 50}
_RELATIONS = "<>≤≥=≠∈∉⊆⊂∣"
_OPEN, _CLOSE = OPEN, CLOSE
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


def _top_level(text: str):
    """(index, char) of the characters at bracket depth 0, up to a binder whose body runs to
    the end (so nothing after it is outermost). Text with unbalanced brackets has none."""
    try:
        for i in top_level(text):
            c = text[i]
            if c in "∀∃λ" or (c == "f" and is_word_at(text, i, "fun")):
                return
            yield i, c
    except LeanTextError:
        return


@lru_cache(maxsize=1 << 14)
def head(prop: str) -> str | None:
    """The outermost connective of a printed proposition: `∀ ∃ ↔ → ∨ ∧ = ≠ ¬`, or None."""
    text = prop.strip()
    if text[:1] in ("∀", "∃"):
        return text[0]
    best = None
    for i, c in _top_level(text):
        if c == "=" and text[i - 1 : i] == ":":
            continue  # `x : ℕ := 5`, a let-bound hypothesis, is no equation
        if c in _PRECEDENCE and (best is None or _PRECEDENCE[c] < _PRECEDENCE[best]):
            best = c
    if best is None and text.startswith("¬"):
        return "¬"
    return best


@lru_cache(maxsize=1 << 14)
def split_head(prop: str, op: str) -> tuple[str, str] | None:
    """`(left, right)` around the first outermost `op` when `op` is the head of `prop`
    (`→ ∧ ∨` associate to the right, so the first occurrence is the outermost one)."""
    text = prop.strip()
    if head(text) != op:
        return None
    for i, c in _top_level(text):
        if c == op:
            return text[:i].strip(), text[i + 1 :].strip()
    return None


def chain(prop: str, op: str) -> list[str]:
    """The parts of a right-nested `a op b op c`: `[a, b, c]` (just `[prop]` without `op`)."""
    parts, rest = [], prop.strip()
    while (pair := split_head(rest, op)) is not None:
        parts.append(pair[0])
        rest = pair[1]
    return [*parts, rest]


@lru_cache(maxsize=1 << 14)
def relation(prop: str) -> tuple[str, str, str] | None:
    """`(lhs, rel, rhs)` when the outermost operator of `prop` is a relation (`= < ≤ ∣ ∈ ...`)."""
    text = prop.strip()
    if head(text) not in (None, "=", "≠") or text.startswith("¬"):
        return None
    for i, c in _top_level(text):
        if c in _RELATIONS and not (c == "=" and text[i - 1 : i] == ":"):
            return text[:i].strip(), c, text[i + 1 :].strip()
    return None


def binder_names(prop: str) -> tuple[list[str], bool]:
    """Names bound by the leading `∀`/`∃` of `prop`, and whether a binder predicate
    (`∀ x > 0, ...`, which adds a hypothesis) follows them."""
    text = prop.strip()[1:].lstrip("!")
    names: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif c in _OPEN:
            try:
                j = match_bracket(text, i)
            except LeanTextError:
                j = len(text)
            left, sep, _ = text[i + 1 : j].partition(":")
            names.extend(left.split() if sep or c != "[" else ["inst"])
            i = j + 1
        elif c in ",:":
            return names, False
        elif c in _RELATIONS:
            return names, True
        else:
            j = i
            while j < len(text) and not (text[j].isspace() or text[j] in _OPEN + _CLOSE + ",:" + _RELATIONS):
                j += 1
            if j == i:  # a stray closing bracket: skip it (and never loop in place)
                i += 1
                continue
            names.append(text[i:j])
            i = j
    return names, False


def binder_body(prop: str) -> str | None:
    """The body after the binder list of a leading `∀`/`∃` (the text after its first
    comma outside brackets), or None."""
    text = prop.strip()
    if text[:1] not in ("∀", "∃"):
        return None
    try:
        comma = next((i for i in top_level(text) if text[i] == ","), None)
    except LeanTextError:
        return None
    return None if comma is None else text[comma + 1 :].strip()


@dataclass(frozen=True, slots=True)
class Shape:
    """A hypothesis `∀ xs, p₁ → ... → c` taken apart: bound names, premises, conclusion."""

    bound: tuple[str, ...]
    premises: tuple[str, ...]
    conclusion: str


@lru_cache(maxsize=1 << 12)
def shape_of(prop: str) -> Shape:
    """Strip leading `∀` binders and `→` premises (a binder predicate counts as a premise)."""
    bound: list[str] = []
    premises: list[str] = []
    text = prop.strip()
    while True:
        if head(text) == "∀" and (body := binder_body(text)) is not None:
            names, pred = binder_names(text)
            bound += names
            if pred:
                premises.append("")
            text = body
        elif (pair := split_head(text, "→")) is not None:
            premises.append(pair[0])
            text = pair[1]
        else:
            return Shape(tuple(bound), tuple(premises), text)


def fresh(base: str, used: set[str]) -> str:
    """`base` itself if unused, else `base₁`, `base₂`, ...; the name is added to `used`.
    A `✝` (an inaccessible name's mark) is dropped: a script cannot write it."""
    base = base.replace("✝", "")
    base = "x" if base in ("", "_") else base
    stem, name, k = base.rstrip(_SUBSCRIPTS) or base, base, 0
    while name in used:
        k += 1
        name = stem + "".join(_SUBSCRIPTS[int(d)] for d in str(k))
    used.add(name)
    return name


def numerals(text: str) -> list[int]:
    """The natural-number literals of `text`, first occurrence order, no repeats."""
    seen: list[int] = []
    for m in re.finditer(r"(?<![\w.₀-₉])\d+(?![\w.])", text):
        value = int(m.group())
        if value not in seen:
            seen.append(value)
    return seen


# ---------------------------------------------------------------- tokens and matching

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d][\w'?!✝]*(?:\.[^\W\d][\w'?!✝]*)*|<;>|:=|=>|\S")
IDENT = re.compile(r"[^\W\d][\w'?!✝]*(?:\.[^\W\d][\w'?!✝]*)*")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


@lru_cache(maxsize=1 << 14)
def tokens(text: str) -> tuple[Token, ...]:
    return tuple(Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text))


def words(text: str) -> set[str]:
    """The identifiers of `text`."""
    return {t.text for t in tokens(text) if IDENT.fullmatch(t.text)}


def occurs(part: str, text: str) -> bool:
    """Whether the tokens of `part` occur contiguously in `text` (`x` does not occur in `x₁`)."""
    needle = [t.text for t in tokens(part)]
    hay = [t.text for t in tokens(text)]
    n = len(needle)
    return n > 0 and any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def _unit(toks: tuple[Token, ...], i: int) -> int | None:
    """End index of the argument-sized term starting at token i: an atom or a bracket group."""
    if i >= len(toks):
        return None
    t = toks[i].text
    if t in _OPEN:
        depth = 0
        for j in range(i, len(toks)):
            depth += (toks[j].text in _OPEN) - (toks[j].text in _CLOSE)
            if depth == 0:
                return j + 1
        return None
    if t[0].isdigit() or (IDENT.fullmatch(t) and t not in ("fun", "at", "with")):
        return i + 1
    return None


def instances(pattern: str, holes: tuple[str, ...], text: str, *, whole: bool = False) -> list[dict[str, str]]:
    """Ways to fill the `holes` of `pattern` (each with an atom or a bracketed group of `text`)
    so that it reads as a contiguous part of `text` (all of it with `whole`). Holes the pattern
    does not mention stay unfilled; a pattern made of holes alone matches nothing."""
    pat = [t.text for t in tokens(pattern)]
    toks = tokens(text)
    if not pat or all(p in holes for p in pat):
        return []
    found: list[dict[str, str]] = []
    for start in [0] if whole else range(len(toks)):
        binding: dict[str, str] = {}
        i = start
        for p in pat:
            if p in holes:
                end = _unit(toks, i)
                if end is None:
                    break
                value = text[toks[i].start : toks[end - 1].end]
                if binding.setdefault(p, value) != value:
                    break
                i = end
            elif i < len(toks) and toks[i].text == p:
                i += 1
            else:
                break
        else:
            if (not whole or i == len(toks)) and binding not in found:
                found.append(binding)
    return found


# ---------------------------------------------------------------- closed arithmetic

_BINARY = {"↔": (20, 21), "→": (25, 25), "∨": (30, 30), "∧": (35, 35), "+": (65, 66), "-": (65, 66),
           "*": (70, 71), "/": (70, 71), "%": (70, 71), "^": (75, 75),
           **{r: (50, 51) for r in "=≠<>≤≥∣"}}
_MAX_POW = 64


class _Unknown(Exception):
    """Text outside closed integer arithmetic."""


Value = int | bool
_T = TypeVar("_T")
Compiled = Callable[[dict[str, int]], Value]


def arithmetic(prop: str, names: Iterable[str]) -> Callable[[dict[str, int]], bool | None] | None:
    """`prop` compiled as a function of the values of `names`, read as integer arithmetic with
    Lean's ℤ division (`/` rounds so that the remainder is ≥ 0, `x / 0 = 0`, `x % 0 = x`); None
    when `prop` holds anything else (other names, functions, reals). Casts `↑` are dropped and ℕ
    subtraction's cut-off at 0 is not modelled: a heuristic reading, for looking for witnesses.
    The function answers None where the arithmetic is undefined (negative exponents)."""
    return _compiled(prop, names, lambda v: v if isinstance(v, bool) else None)


def numeric(expr: str, names: Iterable[str]) -> Callable[[dict[str, int]], int | None] | None:
    """`expr` compiled as an integer-valued function of `names` (see `arithmetic`); None when it
    holds anything else. The function answers None where the arithmetic is undefined."""
    return _compiled(expr, names, lambda v: None if isinstance(v, bool) else v)


def _compiled(
    text: str, names: Iterable[str], keep: Callable[[Value], _T | None]
) -> Callable[[dict[str, int]], _T | None] | None:
    """`text` compiled over `names`; the function's value passes through `keep` (None: unknown)."""
    toks = [t.text for t in tokens(text) if t.text != "↑"]
    try:
        compiled, i = _expr(toks, 0, 0, frozenset(names))
    except (_Unknown, IndexError):
        return None
    if i != len(toks):
        return None

    def run(values: dict[str, int]) -> _T | None:
        try:
            return keep(compiled(values))
        except (_Unknown, ZeroDivisionError, OverflowError):
            return None

    return run


def evaluate(prop: str, values: dict[str, int]) -> bool | None:
    """Truth of `prop` at `values` (see `arithmetic`), None when it cannot be judged."""
    run = arithmetic(prop, values)
    return None if run is None else run(values)


def _expr(toks: list[str], i: int, min_prec: int, names: frozenset[str]) -> tuple[Compiled, int]:
    left, i = _prefix(toks, i, names)
    while i < len(toks) and toks[i] in _BINARY:
        prec, right_prec = _BINARY[toks[i]]
        if prec < min_prec:
            break
        op = toks[i]
        right, i = _expr(toks, i + 1, right_prec, names)
        left = _binary(op, left, right)
    return left, i


def _prefix(toks: list[str], i: int, names: frozenset[str]) -> tuple[Compiled, int]:
    t = toks[i]
    if t == "(":
        inner, i = _expr(toks, i + 1, 0, names)
        if toks[i] != ")":
            raise _Unknown
        return inner, i + 1
    if t == "-":
        operand, i = _expr(toks, i + 1, 75, names)
        return (lambda env: -_int(operand(env))), i
    if t == "¬":
        operand, i = _expr(toks, i + 1, 40, names)
        return (lambda env: not _bool(operand(env))), i
    if t.isdigit():
        value = int(t)
        return (lambda env: value), i + 1
    if t in ("True", "False"):
        truth = t == "True"
        return (lambda env: truth), i + 1
    if t in names:
        return (lambda env: env[t]), i + 1
    raise _Unknown


def _int(v: Value) -> int:
    if isinstance(v, bool):
        raise _Unknown
    return v


def _bool(v: Value) -> bool:
    if not isinstance(v, bool):
        raise _Unknown
    return v


def _ediv(x: int, y: int) -> int:
    return 0 if y == 0 else (x // y if y > 0 else -(x // -y))


def _pow(x: int, y: int) -> int:
    if y < 0 or y > _MAX_POW:
        raise _Unknown
    return x**y


_LOGIC: dict[str, Callable[[bool, bool], bool]] = {
    "↔": lambda x, y: x == y, "→": lambda x, y: (not x) or y, "∨": lambda x, y: x or y,
    "∧": lambda x, y: x and y,
}
_ARITH: dict[str, Callable[[int, int], Value]] = {
    "+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y, "/": _ediv,
    "%": lambda x, y: x if y == 0 else x - y * _ediv(x, y), "^": _pow,
    "=": lambda x, y: x == y, "≠": lambda x, y: x != y, "<": lambda x, y: x < y,
    ">": lambda x, y: x > y, "≤": lambda x, y: x <= y, "≥": lambda x, y: x >= y,
    "∣": lambda x, y: y == 0 if x == 0 else y % x == 0,
}


def _binary(op: str, a: Compiled, b: Compiled) -> Compiled:
    if op in _LOGIC:
        logic = _LOGIC[op]
        return lambda env: logic(_bool(a(env)), _bool(b(env)))
    arith = _ARITH[op]
    return lambda env: arith(_int(a(env)), _int(b(env)))
