"""Basic tactic candidates, read off a goal's printed text alone so they work for every backend.

The goal text is what Lean prints: an optional `case tag` line, `names : type` hypothesis lines
(long ones wrap onto indented continuation lines) and `⊢ target`. We look only at the outermost
connective of the target and of each hypothesis, and propose, in this order: introductions,
splitting, `exact h`, `assumption`, case analysis on hypotheses, `exfalso`, the standard
closers, `simp [h]` with equations, and `use` witnesses. Deterministic: same text, same list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lean_env.contract import GoalView

DEFAULT_LIMIT = 32
CLOSERS = ("rfl", "norm_num", "decide", "omega", "linarith", "nlinarith", "positivity", "ring", "simp")

# Outermost binary connectives and relations with Lean's precedence (lower binds looser).
_PRECEDENCE = {"↔": 20, "→": 25, "∨": 30, "∧": 35, "=": 50, "≠": 50}
_RELATIONS = "<>≤≥=≠∈∉⊆⊂∣"
_OPEN, _CLOSE = "([{⟨⦃", ")]}⟩⦄"
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


@dataclass(frozen=True, slots=True)
class Hypothesis:
    name: str
    type: str

    @property
    def accessible(self) -> bool:
        """Lean marks names a script cannot refer to with `✝`."""
        return "✝" not in self.name


@dataclass(frozen=True, slots=True)
class ParsedGoal:
    case: str | None
    hypotheses: tuple[Hypothesis, ...]
    target: str


def _squash(text: str) -> str:
    return " ".join(text.split())


def parse_goal(text: str) -> ParsedGoal:
    """Split Lean's goal printing into case tag, hypotheses (one per name) and target."""
    case: str | None = None
    entries: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("case ") and case is None and not entries:
            case = line[len("case ") :].strip()
        elif line[0].isspace() and entries:
            entries[-1] += " " + line.strip()
        else:
            entries.append(line.strip())
    hypotheses: list[Hypothesis] = []
    target = ""
    for entry in entries:
        if entry.startswith("⊢"):
            target = _squash(entry[1:])
            continue
        names, sep, type_ = entry.partition(" : ")
        if sep:
            hypotheses.extend(Hypothesis(name, _squash(type_)) for name in names.split())
    return ParsedGoal(case, tuple(hypotheses), target)


def _starts_word(text: str, i: int, word: str) -> bool:
    end = i + len(word)
    return text.startswith(word, i) and (i == 0 or not text[i - 1].isalnum()) and (
        end == len(text) or not (text[end].isalnum() or text[end] in "_'")
    )


def head(prop: str) -> str | None:
    """The outermost connective of a printed proposition: `∀ ∃ ↔ → ∨ ∧ = ≠ ¬`, or None."""
    text = prop.strip()
    if text[:1] in ("∀", "∃"):
        return text[0]
    depth, best = 0, None
    for i, c in enumerate(text):
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
        elif depth == 0:
            if c in "∀∃λ" or _starts_word(text, i, "fun"):
                break  # a binder's body runs to the end: nothing after it is outermost
            if c == "=" and text[i - 1 : i] == ":":
                continue  # `x : ℕ := 5`, a let-bound hypothesis, is no equation
            if c in _PRECEDENCE and (best is None or _PRECEDENCE[c] < _PRECEDENCE[best]):
                best = c
    if best is None and text.startswith("¬"):
        return "¬"
    return best


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
            j, depth = i, 0
            while j < len(text):
                depth += (text[j] in _OPEN) - (text[j] in _CLOSE)
                if depth == 0:
                    break
                j += 1
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


def fresh(base: str, used: set[str]) -> str:
    """`base` itself if unused, else `base₁`, `base₂`, ...; the name is added to `used`."""
    base = "x" if base in ("", "_") else base
    stem, name, k = base.rstrip(_SUBSCRIPTS) or base, base, 0
    while name in used:
        k += 1
        name = stem + "".join(_SUBSCRIPTS[int(d)] for d in str(k))
    used.add(name)
    return name


def _numerals(text: str) -> list[int]:
    seen: list[int] = []
    for m in re.finditer(r"(?<![\w.₀-₉])\d+(?![\w.])", text):
        value = int(m.group())
        if value not in seen:
            seen.append(value)
    return seen


def basic_candidates(goal: GoalView, *, limit: int = DEFAULT_LIMIT) -> list[str]:
    """Up to `limit` tactics worth trying on `goal`, in a fixed order."""
    parsed = parse_goal(goal.text)
    target = parsed.target
    usable = [h for h in parsed.hypotheses if h.accessible]
    used = {h.name for h in parsed.hypotheses}
    out: list[str] = []
    shape = head(target)

    if shape == "∀":
        names, pred = binder_names(target)
        taken = used.copy()
        fresh_names = [fresh(n, taken) for n in names] + ([fresh("h", taken)] if pred else [])
        if fresh_names:
            out.append("intro " + " ".join(fresh_names))
    elif shape in ("→", "¬"):
        out.append("intro " + fresh("h", used.copy()))
    if shape in ("∧", "↔"):
        out.append("constructor")
    if shape == "∨":
        out += ["left", "right"]
    out += [f"exact {h.name}" for h in usable if h.type == target]
    out.append("assumption")
    for h in usable:
        kind, names = head(h.type), used.copy()
        if kind == "∧":
            out.append(f"rcases {h.name} with ⟨{fresh('ha', names)}, {fresh('hb', names)}⟩")
        elif kind == "∃":
            bound, pred = binder_names(h.type)
            parts = [fresh(n, names) for n in bound] + [fresh("h", names) for _ in range(1 + pred)]
            out.append(f"rcases {h.name} with ⟨{', '.join(parts)}⟩")
        elif kind == "∨":
            out.append(f"rcases {h.name} with {fresh('ha', names)} | {fresh('hb', names)}")
    if target != "False":
        out.append("exfalso")
    out += CLOSERS
    out += [f"simp [{h.name}]" for h in usable if head(h.type) == "="]
    if shape == "∃":
        out += [f"use {n}" for n in [0, 1] + [n for n in _numerals(goal.text) if n > 1]]
    return list(dict.fromkeys(out))[:limit]
