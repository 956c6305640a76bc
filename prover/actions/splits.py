"""Case-split families of the action space: the first steps of proofs that `mini` accepts but
no single closer finds.

- **bound, then enumerate**: `interval_cases x` when the hypotheses bound an integer variable
  on both sides (finishing each case with `omega` or `simp_all` in the same step), and
  `have h : x ≤ K := by nlinarith` to get the missing bound, `K` read off the numerals in sight
  (`x * y + x + y = 80` suggests `x ≤ 8`, the square root);
- **residue split**: for a `%`-goal, `x = m * k + r` for each remainder, by `⟨x / m, by omega⟩`,
  then substituted and normalized (`ring_nf`) for `omega`; a hypothesis `x % m = r` gives its
  one case;
- **abs split**: `rcases abs_cases e with ⟨h, h'⟩ | ⟨h, h'⟩` for each `|e|` in sight;
- **ℕ-subtraction split**: `rcases le_or_lt b a with h | h` for each `a - b` of naturals in
  sight (`b ≤ a`: the difference is a real one; `a < b`: it is 0), for `omega`/`nlinarith`;
- **clearing denominators**: `field_simp` (at the target and at each hypothesis with a `/`),
  with `have : u - v ≠ 0 := sub_ne_zero_of_ne h` for a denominator `(u - v)` and `h : u ≠ v`;
- **casts**: an ℕ/ℤ target whose facts speak of casts `↑a` (into ℚ or ℝ: the printed goal
  does not say which, so both) is first proved there, `have h : (a : ℚ) = 42 := by linarith`,
  and brought back with `exact_mod_cast h`; `push_cast`/`norm_cast` where casts are in sight.

Text in, tactic text out, like the rest of the action space; the backend judges every step.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lean_env.text.lexical import balanced
from prover.actions import goaltext as gt

if TYPE_CHECKING:
    from prover.actions.space import ActionConfig, Context

MAX_CASES = 64  # mini's `interval_cases` limit (lean_env.mini.interval)
MAX_MODULUS = 12
_INTEGER = ("ℕ", "ℤ", "Nat", "Int")
_FLIP = {">": "<", "≥": "≤", "<": "<", "≤": "≤"}


def _literal(text: str) -> int | None:
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if text.endswith(": ℤ") or text.endswith(": ℕ"):
        text = text[: text.rindex(":")].strip()
    neg = text.startswith("-")
    body = text[1:].strip() if neg else text
    return (-int(body) if neg else int(body)) if body.isdigit() else None


def bounds(c: Context, x: str, natural: bool) -> tuple[int | None, int | None]:
    """`lo ≤ x < hi` from hypotheses that relate `x` itself to a literal (as `interval_cases`)."""
    lo: int | None = 0 if natural else None
    hi: int | None = None
    for h in c.facts:
        rel = gt.relation(h.type)
        if rel is None or rel[1] not in _FLIP:
            continue
        a, op, b = rel
        if rel[1] in (">", "≥"):
            a, b = b, a
        op = _FLIP[rel[1]]
        if a.strip() == x and (v := _literal(b)) is not None:
            top = v if op == "<" else v + 1
            hi = top if hi is None else min(hi, top)
        elif b.strip() == x and (v := _literal(a)) is not None:
            bottom = v + 1 if op == "<" else v
            lo = bottom if lo is None else max(lo, bottom)
    return lo, hi


def enumerations(c: Context, cfg: ActionConfig) -> Iterator[str]:
    """`interval_cases x` where both bounds are in sight; else a bound to prove first."""
    used = set(c.used)
    numerals = [n for n in gt.numerals("\n".join(h.type for h in c.facts)) if n >= 4]
    scope = c.target + "\n" + "\n".join(h.type for h in c.facts)
    for v in c.variables:
        if v.type not in _INTEGER or not gt.occurs(v.name, scope):
            continue
        lo, hi = bounds(c, v.name, v.type in ("ℕ", "Nat"))
        if lo is not None and hi is not None:
            if hi - lo <= MAX_CASES:
                yield from (f"interval_cases {v.name} <;> omega", f"interval_cases {v.name} <;> simp_all",
                            f"interval_cases {v.name}")
            continue
        if hi is None and lo is not None and numerals and _nonlinear_facts(c):
            for k in sorted({math.isqrt(n) for n in numerals})[-cfg.max_per_hypothesis:]:
                yield f"have {gt.fresh('h', used)} : {v.name} ≤ {k} := by nlinarith"


def _nonlinear_facts(c: Context) -> bool:
    return any("*" in h.type or "^" in h.type for h in c.facts)


_MOD = re.compile(r"% (\d+)")


def residue_splits(c: Context, cfg: ActionConfig) -> Iterator[str]:
    """Cases on the remainder of an integer variable, for goals about `% m`."""
    moduli = [int(m) for m in _MOD.findall(c.target) if 2 <= int(m) <= MAX_MODULUS]
    used = set(c.used)
    for h in c.facts:  # `x % m = r` in context: write x = m * k + r
        rel = gt.relation(h.type)
        found = re.fullmatch(r"(\w+) % (\d+)", rel[0].strip()) if rel and rel[1] == "=" else None
        if rel and found and rel[2].strip().isdigit():
            x, mod = found.group(1), found.group(2)
            if x in {v.name for v in c.variables}:
                k, hk, r = gt.fresh("k", used), gt.fresh("hk", used), rel[2].strip()
                yield f"obtain ⟨{k}, {hk}⟩ : ∃ {k}, {x} = {mod} * {k} + {r} := ⟨{x} / {mod}, by omega⟩"
    if not moduli:
        return
    m = moduli[0]
    for v in c.variables[: cfg.max_hint_vars]:
        if v.type not in _INTEGER or not gt.occurs(v.name, c.target):
            continue
        k, hk = gt.fresh("k", set(c.used)), gt.fresh("hk", set(c.used))
        cases = " ∨ ".join(f"{v.name} = {m} * {k}" + (f" + {r}" if r else "") for r in range(m))
        pattern = " | ".join([hk] * m)
        yield (f"obtain ⟨{k}, {pattern}⟩ : ∃ {k}, {cases} := ⟨{v.name} / {m}, by omega⟩ "
               f"<;> subst {hk} <;> ring_nf <;> omega")


_ABS = re.compile(r"\|([^|{}\n]+)\|")


def abs_splits(c: Context) -> Iterator[str]:
    """`rcases abs_cases e with ...` for each `|e|` in the goal."""
    used = set(c.used)
    h1, h2 = gt.fresh("h", used), gt.fresh("h", used)
    seen: list[str] = []
    for e in _ABS.findall(c.text):
        e = e.strip()
        if e not in seen and balanced(e) and "|" not in e:
            seen.append(e)
            yield f"rcases abs_cases ({e}) with ⟨{h1}, {h2}⟩ | ⟨{h1}, {h2}⟩"


_DENOMINATOR = re.compile(r"/ \(([^()]+)\)")


def clearing(c: Context) -> Iterator[str]:
    """`field_simp` where a `/` or `⁻¹` is in sight, and the nonzero facts it needs."""
    if not any(ty in ("ℝ", "ℚ", "Real", "Rat") for ty in (v.type for v in c.variables)):
        return
    used = set(c.used)
    for d in dict.fromkeys(_DENOMINATOR.findall(c.text)):
        rel = gt.relation(f"{d} = 0")
        parts = d.split(" - ")
        if rel is None or len(parts) != 2:
            continue
        for h in c.facts:
            hrel = gt.relation(h.type)
            if hrel and hrel[1] == "≠" and (hrel[0].strip(), hrel[2].strip()) == (parts[0].strip(), parts[1].strip()):
                yield f"have {gt.fresh('hd', used)} : {d} ≠ 0 := sub_ne_zero_of_ne {h.name}"
    if "/" in c.target or "⁻¹" in c.target:
        yield "field_simp"
    for h in c.facts:
        if "/" in h.type or "⁻¹" in h.type:
            yield f"field_simp at {h.name}"


def casts(c: Context) -> Iterator[str]:
    """Cast steps: `exact_mod_cast h`, `norm_cast`/`push_cast`, and the target stated in the
    field the facts live in, for `linarith` there."""
    cast_facts = [h for h in c.facts if "↑" in h.type]
    for h in cast_facts:
        yield f"exact_mod_cast {h.name}"
        yield f"norm_cast at {h.name}"
    if "↑" in c.target:
        yield from ("norm_cast", "push_cast")
    rel = gt.relation(c.target)
    integral = {v.name for v in c.variables if v.type in _INTEGER}
    if not cast_facts or rel is None or rel[1] not in ("=", "<", "≤", ">", "≥", "≠") or "↑" in c.target:
        return
    other = {v.name for v in c.variables if v.type not in _INTEGER}
    if not (gt.words(c.target) & integral) or gt.words(c.target) & other:
        return
    name = gt.fresh("h", set(c.used))
    lhs, op, rhs = rel
    for field in ("ℚ", "ℝ"):
        yield f"have {name} : ({lhs} : {field}) {op} {rhs} := by linarith"


_SUB = re.compile(r"(?<![\w.])(\w+) - (\w+|\d+)(?![\w.])")


def subtraction_splits(c: Context) -> Iterator[str]:
    """`rcases le_or_lt b a with h | h` for each ℕ difference `a - b` in sight."""
    naturals = {v.name for v in c.variables if v.type in ("ℕ", "Nat")}
    used = set(c.used)
    h1, h2 = gt.fresh("h", used), gt.fresh("h", used)
    seen: list[tuple[str, str]] = []
    for a, b in _SUB.findall(c.target + "\n" + "\n".join(h.type for h in c.facts)):
        if a in naturals and (b in naturals or b.isdigit()) and (a, b) not in seen:
            seen.append((a, b))
            yield f"rcases le_or_lt {b} {a} with {h1} | {h2}"
