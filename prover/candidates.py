"""Basic tactic candidates, read off a goal's printed text alone so they work for every backend.

The goal text is read by `prover.goaltext` (the text helpers lived here once and are still
re-exported). We look only at the outermost connective of the target and of each hypothesis,
and propose, in this order: introductions, splitting, `exact h`, `assumption`, case analysis
on hypotheses, `exfalso`, the standard closers, `simp [h]` with equations, and `use`
witnesses. Deterministic: same text, same list. `prover.actions` is the richer action space.
"""

from __future__ import annotations

from lean_env.contract import GoalView
from prover.goaltext import (
    Hypothesis,
    ParsedGoal,
    binder_names,
    fresh,
    head,
    parse_goal,
)
from prover.goaltext import numerals as _numerals

__all__ = [
    "CLOSERS", "DEFAULT_LIMIT", "Hypothesis", "ParsedGoal", "basic_candidates", "binder_names", "fresh", "head",
    "parse_goal",
]

DEFAULT_LIMIT = 32
CLOSERS = ("rfl", "norm_num", "decide", "omega", "linarith", "nlinarith", "positivity", "ring", "simp")


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
