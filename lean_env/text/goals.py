"""Goals as Lean prints them: `case TAG` (optional), `names : type` lines (long ones wrap onto
indented lines), then `⊢ target`. The one reader of goal text for every backend and for the
action space: case tags, metavariables, hypotheses and target.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lean_env.contract import GoalView
from lean_env.text.lexical import squash

# `?name` metavariables (`?w`, `?m.12`, `?a.b`, `?a✝`), not `xs[i]?` nor `get?`; `?u.3` is a universe level
_MVAR = re.compile(r"(?<![\w'.!?\]\)✝])\?((?:[^\W\d]|_)[\w'!?₀-₉✝]*(?:\.[\w'!?₀-₉✝]+)*)")
_UNIVERSE = re.compile(r"u\.\d+")
# Heads of types a witness goal has (`⊢ ℕ`, `⊢ Finset ℝ`, `⊢ α → ℤ`): see `is_type_target`.
_TYPE_HEADS = frozenset({
    "ℕ", "ℤ", "ℚ", "ℝ", "ℂ", "Nat", "Int", "Rat", "Real", "Complex", "Prop", "Bool", "Type", "Sort",
    "Finset", "Set", "List", "Fin", "Multiset", "Array", "Option", "Polynomial", "Matrix", "ZMod", "NNReal",
    "ENNReal", "PNat", "ℕ+", "ℝ≥0", "ℝ≥0∞", "EReal", "Function",
})
_TYPE_SPLIT = re.compile(r"\s*(?:→|×)\s*")
COUPLED_TYPE_GOAL = "?type-goal"  # the token that couples an untagged type goal with its state


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


def split_case(text: str) -> tuple[str | None, str]:
    """(case tag, the goal without its `case` line)."""
    if text.startswith("case "):
        head, _, rest = text.partition("\n")
        return head[5:].strip() or None, rest
    return None, text


def metavariables(text: str) -> frozenset[str]:
    """The metavariables a goal text mentions (`?w`, `?m.12`), universe levels left out."""
    return frozenset(f"?{m}" for m in _MVAR.findall(text) if not _UNIVERSE.fullmatch(m))


def goal_view(text: str) -> GoalView:
    """One goal with every metavariable it is (`?TAG`, for a tagged goal) or mentions."""
    text = text.strip("\n")
    case, body = split_case(text)
    mvars = set(metavariables(body))
    if case is not None:
        mvars.add(f"?{case}")
    return GoalView(text=text, canonical=body, case=case, mvars=frozenset(mvars))


def is_type_target(target: str) -> bool:
    """Whether a goal's target reads as a type (`ℕ`, `Finset ℝ`, `α → ℤ`, `Type*`) rather than a
    proposition: such a goal is a witness to construct, a metavariable other goals mention.
    A heuristic on the printing; erring towards "type" only couples goals that need not be."""
    text = target.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if not text:
        return False
    for part in _TYPE_SPLIT.split(text):
        head = part.strip().strip("()").split(" ", 1)[0].rstrip("*")
        if head not in _TYPE_HEADS and not re.fullmatch(r"[α-ω]", head):
            return False
    return True


def state_views(goals: Sequence[GoalView]) -> tuple[GoalView, ...]:
    """The goals of one state as the search sees them: a goal keeps `?TAG` (the metavariable it
    is) only when another goal of the state mentions it, so goals that merely share a case name
    (two `case h` from separate splits) do not count as coupled. An untagged goal whose target is
    a type (`⊢ ℕ`, left by `constructor` on `∃` or `refine ⟨?_, ?_⟩`) is a metavariable the
    others can mention only as `?m.N`, which cannot be told apart: it couples the whole state
    (`COUPLED_TYPE_GOAL` on every goal), so the search addresses such goals together."""
    if len(goals) > 1 and any(g.case is None and is_type_target(parse_goal(g.text).target) for g in goals):
        goals = [GoalView(g.text, g.canonical, g.case, g.mvars | {COUPLED_TYPE_GOAL}) for g in goals]
    mentioned = [g.mvars - ({"?" + g.case} if g.case else set()) for g in goals]
    views = []
    for i, g in enumerate(goals):
        own = "?" + g.case if g.case else None
        keep = own is not None and any(own in m for j, m in enumerate(mentioned) if j != i)
        mvars = mentioned[i] | {own} if keep and own else mentioned[i]
        views.append(GoalView(g.text, g.canonical, g.case, frozenset(mvars)))
    return tuple(views)


def goal_views(texts: Sequence[str]) -> tuple[GoalView, ...]:
    """The goals of one state, from Lean's texts, as the contract sees them."""
    return state_views([goal_view(t) for t in texts])


def parse_goal(text: str) -> ParsedGoal:
    """Split Lean's goal printing into case tag, hypotheses (one per name) and target."""
    case: str | None = None
    entries: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("case ") and case is None and not entries:
            case = line[len("case "):].strip()
        elif line[0].isspace() and entries:
            entries[-1] += " " + line.strip()
        else:
            entries.append(line.strip())
    hypotheses: list[Hypothesis] = []
    target = ""
    for entry in entries:
        if entry.startswith("⊢"):
            target = squash(entry[1:])
            continue
        names, sep, type_ = entry.partition(" : ")
        if sep:
            hypotheses.extend(Hypothesis(name, squash(type_)) for name in names.split())
    return ParsedGoal(case, tuple(hypotheses), target)
