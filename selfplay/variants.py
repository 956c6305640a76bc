"""Variants of a statement, in the AlphaProof spirit: small edits that may make it true or false.

A solved statement is worth more through its neighbours: perturb a numeral, flip or weaken a
relation, drop a hypothesis, add a bound on a variable. Nobody labels a variant: self-play
tries it and its negation, and the search decides. The edits work on TEXT (the proposition and
the hypothesis binders of `split_statement`, never the name or the variable binders), so they
apply to Lean statements as well as to `mini` ones; a `readable` check (the backend's `start`)
throws away variants that no longer elaborate. A variant's source is `variant:<kind>:<parent's
source>` (its `parent` is the parent's name), so a variant of a miniF2F statement says so.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum

from lean_env import open_env
from lean_env.contract import StatementError
from lean_env.problem import Problem, problem_key
from lean_env.text.lexical import mentions
from lean_env.text.statement import Binder, Signature, split_statement

__all__ = ["VariantKind", "mini_readable", "readable_by", "variant_maker", "variants"]

Readable = Callable[[Problem], bool]


class VariantKind(StrEnum):
    NUMERAL = "numeral"  # one numeral n -> n±1, 2n, or a nearby value
    RELATION = "relation"  # one relation flipped or weakened: < ↔ ≤, = -> ≤/≥/≠, ...
    DROP_HYPOTHESIS = "drop_hypothesis"  # one hypothesis binder removed
    ADD_HYPOTHESIS = "add_hypothesis"  # a bound `(h : x ≤ N)` (or `p`, `¬p` for Prop atoms) added


_NUMERAL = re.compile(r"(?<![\w'.])\d+(?![\w'.])")
# Arrows and other tokens made of relation characters come first, so they are never edited.
_REL_TOKEN = re.compile(r"<->|<;>|<\||\|>|:=|=>|->|<-|==|<=|>=|!=|[<>=≠≤≥]")
_REL_ASCII = {"<=": "≤", ">=": "≥", "!=": "≠"}
_REL_SWAPS = {
    "<": ("≤", "≥"), "≤": ("<", ">"), ">": ("≥", "≤"), "≥": (">", "<"),
    "=": ("≤", "≥", "≠"), "≠": ("<", ">", "="),
}
_BINDER_PRED = re.compile(r"[∀∃]\s*[\w' ]+$")  # `∀ n ≥ 5,`: only < ≤ > ≥ ≠ may stand there
_PROP_MARK = re.compile(r"[=≠<>≤≥∣∧∨¬↔∀∃≡∈∉⊆⊂]|\bTrue\b|\bFalse\b")
_NUMBER_TYPES = ("ℕ", "ℤ", "ℚ", "ℝ", "Nat", "Int", "Rat", "Real")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def variants(problem: Problem, rng: random.Random, k: int, *, readable: Readable | None = None,
             kinds: tuple[VariantKind, ...] = tuple(VariantKind), tries_per_variant: int = 8) -> list[Problem]:
    """Up to `k` distinct variants of `problem`, each different from it and `readable`.

    Deterministic given the state of `rng`. Each try picks a kind among those that apply,
    then a site uniformly; a try that repeats a variant, leaves the text unchanged or fails
    `readable` is dropped. Returns fewer than `k` when the statement offers few edits (a
    statement `split_statement` cannot read has none).
    """
    try:
        sig = split_statement(problem.statement)
    except StatementError:
        return []
    edits = {kind: edit for kind in kinds if (edit := _EDITS[kind](sig)) is not None}
    applicable = list(edits)
    seen = {problem_key(problem)}
    out: list[Problem] = []
    for _ in range(k * tries_per_variant if applicable else 0):
        if len(out) >= k:
            break
        kind = rng.choice(applicable)
        new_sig = edits[kind](rng)
        if new_sig is None:
            continue
        digest = hashlib.sha256(_key(new_sig).encode()).hexdigest()[:8]
        name = f"{problem.name}_v{digest}"
        variant = Problem(name, replace(new_sig, name=f"{sig.name}_v{digest}").text(), problem.header,
                          f"variant:{kind}:{problem.source}", problem.name)
        key = problem_key(variant)
        if key in seen:
            continue
        seen.add(key)
        if readable is None or readable(variant):
            out.append(variant)
    return out


def readable_by(env) -> Readable:
    """`start` on `env` succeeds: the backend reads and elaborates the statement."""

    def readable(problem: Problem) -> bool:
        try:
            env.start(problem.statement, header=problem.header)
        except StatementError:
            return False
        return True

    return readable


def started_by(backend: str) -> Readable:
    """`backend` starts the statement (a fresh env each time: no state piles up); meant for a
    backend whose `start` is cheap (`Capabilities.cheap_start`)."""

    def readable(problem: Problem) -> bool:

        env = open_env(backend)
        try:
            return readable_by(env)(problem)
        finally:
            env.close()

    return readable


mini_readable = started_by("mini")


def variant_maker(readable: Readable | None = mini_readable) -> Callable[[Problem, random.Random], Problem | None]:
    """One fresh variant per call (or None): what `Curriculum` calls for its VARIANT picks."""

    def make(problem: Problem, rng: random.Random) -> Problem | None:
        found = variants(problem, rng, 1, readable=readable)
        return found[0] if found else None

    return make


# ------------------------------------------------------------------ edits
#
# Each `_edit_*` looks at the signature and returns None when its kind does not apply, or a
# function drawing one edit with the rng (None when that draw produced nothing usable).

Edit = Callable[[random.Random], Signature | None]


def _key(sig: Signature) -> str:
    return " ".join([*(b.text for b in sig.binders), ":", sig.prop])


def _is_hypothesis(sig: Signature, i: int) -> bool:
    b = sig.binders[i]
    if b.bracket not in ("(", "{", "⦃") or not b.type or b.is_sort:
        return False
    if _PROP_MARK.search(b.type):
        return True
    atoms = [n for c in sig.binders[:i] if c.type == "Prop" for n in c.names]
    return any(mentions(b.type, a) for a in atoms)


def _parts(sig: Signature) -> list[int]:
    """Which texts edits may touch: -1 is the proposition, i >= 0 the type of hypothesis i."""
    return [-1] + [i for i in range(len(sig.binders)) if _is_hypothesis(sig, i)]


def _part(sig: Signature, part: int) -> str:
    return sig.prop if part < 0 else sig.binders[part].type


def _with_part(sig: Signature, part: int, text: str) -> Signature:
    if part < 0:
        return replace(sig, prop=text)
    binders = list(sig.binders)
    binders[part] = replace(binders[part], type=text)
    return replace(sig, binders=tuple(binders))


def _sites(sig: Signature, pattern: re.Pattern[str], keep: Callable[[str, re.Match[str]], bool]):
    return [(part, m) for part in _parts(sig) for m in pattern.finditer(_part(sig, part))
            if keep(_part(sig, part), m)]


def _edit_numeral(sig: Signature) -> Edit | None:
    sites = _sites(sig, _NUMERAL, lambda text, m: True)
    if not sites:
        return None

    def draw(rng: random.Random) -> Signature | None:
        part, m = rng.choice(sites)
        n = int(m.group())
        near = {n + 1, n - 1, 2 * n, n + rng.choice((-3, -2, 2, 3))} - {n}
        choices = sorted(c for c in near if c >= 0)
        text = _part(sig, part)
        return _with_part(sig, part, text[:m.start()] + str(rng.choice(choices)) + text[m.end():])

    return draw


def _edit_relation(sig: Signature) -> Edit | None:
    def is_relation(text: str, m: re.Match[str]) -> bool:
        return _REL_ASCII.get(m.group(), m.group()) in _REL_SWAPS

    sites = _sites(sig, _REL_TOKEN, is_relation)
    if not sites:
        return None

    def draw(rng: random.Random) -> Signature | None:
        part, m = rng.choice(sites)
        text = _part(sig, part)
        options = _REL_SWAPS[_REL_ASCII.get(m.group(), m.group())]
        if _BINDER_PRED.search(text[:m.start()]):
            options = tuple(o for o in options if o != "=")
        return _with_part(sig, part, f"{text[:m.start()]}{rng.choice(options)}{text[m.end():]}")

    return draw


def _edit_drop(sig: Signature) -> Edit | None:
    droppable = [i for i in _parts(sig) if i >= 0
                 and not any(sig.mentions(n, skip=i) for n in sig.binders[i].names)]
    if not droppable:
        return None

    def draw(rng: random.Random) -> Signature | None:
        i = rng.choice(droppable)
        return replace(sig, binders=sig.binders[:i] + sig.binders[i + 1:])

    return draw


def _edit_add(sig: Signature) -> Edit | None:
    variables = [(n, b.type) for b in sig.binders if b.bracket in ("(", "{") and b.type in (*_NUMBER_TYPES, "Prop")
                 for n in b.names]
    if not variables:
        return None
    numerals = [int(m.group()) for part in _parts(sig) for m in _NUMERAL.finditer(_part(sig, part))]

    def draw(rng: random.Random) -> Signature | None:
        x, ty = rng.choice(variables)
        if ty == "Prop":
            fact = rng.choice((x, f"¬{x}"))
        else:
            base = rng.choice(numerals) if numerals and rng.random() < 0.7 else rng.randint(0, 10)
            bound = base + rng.randint(-2, 2)
            if ty in ("ℕ", "Nat"):
                bound = max(bound, 0)
            fact = f"{x} {rng.choice(('≤', '<', '≥', '≠'))} {bound}"
        return replace(sig, binders=(*sig.binders, Binder("(", (_fresh_hypothesis(sig),), fact)))

    return draw


def _fresh_hypothesis(sig: Signature) -> str:
    text = _key(sig)
    taken = {n for b in sig.binders for n in b.names}
    i = 0
    while (name := "h" + str(i).translate(_SUBSCRIPT)) in taken or mentions(text, name):
        i += 1
    return name


_EDITS: dict[VariantKind, Callable[[Signature], Edit | None]] = {
    VariantKind.NUMERAL: _edit_numeral,
    VariantKind.RELATION: _edit_relation,
    VariantKind.DROP_HYPOTHESIS: _edit_drop,
    VariantKind.ADD_HYPOTHESIS: _edit_add,
}
