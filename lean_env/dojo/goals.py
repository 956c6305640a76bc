"""Text work for the `dojo` backend: LeanDojo's `pp` into goals, the focusing command, matching
the goals Lean returns to the goals it had, and proof scripts cut into the tactics to replay.

LeanDojo holds one Lean goal list per state, printed by `Meta.ppGoal` with a blank line between
goals and a `case TAG` first line on tagged goals. The contract asks for one goal at a time, so
`DojoEnv` keeps Lean's full list and a view (positions in it). A tactic for goal `p` runs as
`rotate_left p` then `focus (TAC)`: it sees goal `p` alone and its new goals come first, followed
by the other goals in rotated order, minus those a metavariable assignment closed. Pure functions
only, so all of this is tested without Lean.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lean_env.contract import GoalView
from lean_env.safety import script_refusals
from lean_env.text.goals import goal_view, state_views

__all__ = ["coupled_with", "focus_command", "lean_goal", "parse_goals", "rotated", "same_goals",
           "script_blocks", "script_refusal", "split_pp", "split_result", "state_views"]



def _numberless(text: str) -> str:
    """Goal text without the numbers of anonymous metavariables (`?m.12`, `?u.3`), which depend
    on the history of the Lean process, not on the goal."""
    return re.sub(r"\?(m|u)\.\d+", r"?\1", text)


def same_goals(a: Sequence[GoalView], b: Sequence[GoalView]) -> bool:
    """Whether two goal lists print alike, up to the numbering of anonymous metavariables."""
    return len(a) == len(b) and all(_numberless(x.text) == _numberless(y.text) for x, y in zip(a, b))


def split_pp(pp: str) -> list[str]:
    """The goals of a LeanDojo `pp`, each as Lean printed it. A chunk without `⊢` (a blank line
    inside a long hypothesis) belongs to the goal after it."""
    text = pp.strip()
    if not text or text == "no goals":
        return []
    goals: list[str] = []
    pending: list[str] = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        pending.append(chunk)
        if re.search(r"(?m)^⊢", chunk):
            goals.append("\n\n".join(pending))
            pending = []
    if pending:  # trailing text without a `⊢`: keep it with the last goal
        if goals:
            goals[-1] = "\n\n".join([goals[-1], *pending])
        else:
            goals.append("\n\n".join(pending))
    return goals


lean_goal = goal_view  # one goal with every metavariable it is or mentions (`lean_env.text.goals`)


def parse_goals(pp: str) -> tuple[GoalView, ...]:
    return tuple(lean_goal(g) for g in split_pp(pp))


def focus_command(tactic: str, position: int) -> str:
    """The text sent to LeanDojo to run `tactic` on goal `position` of a Lean goal list."""
    focused = f"focus ({tactic.strip()})"
    return focused if position == 0 else f"(rotate_left {position}; {focused})"


def rotated(count: int, position: int) -> list[int]:
    """The positions of the goals other than `position` after `rotate_left position`."""
    return [*range(position + 1, count), *range(position)]


def coupled_with(goals: Sequence[GoalView], seeds: Sequence[int]) -> set[int]:
    """The goals reachable from `seeds` through shared metavariables (seeds included)."""
    found = set(seeds)
    names = set().union(*(goals[i].mvars for i in found)) if found else set()
    grew = True
    while grew:
        grew = False
        for i, g in enumerate(goals):
            if i not in found and g.mvars & names:
                found.add(i)
                names |= g.mvars
                grew = True
    return found


def split_result(
    before: Sequence[GoalView], after: Sequence[GoalView], changeable: set[int]
) -> tuple[int, list[int | None]] | None:
    """Match the goals after a focused tactic to the goals that were not focused.

    `before` are the unfocused goals in the order Lean keeps them after the rotation; `after`
    is Lean's new list: the tactic's new goals, then the survivors of `before` in order.
    Goals outside `changeable` share no metavariable with the focused goal, so they must come
    back word for word; a changeable goal may come back changed (matched by its case tag) or
    be gone (assigned). Returns the number of new goals and, for each goal of `before`, its
    position in `after` (None when gone); None when the lists cannot be matched.
    """
    where: list[int | None] = [None] * len(before)
    i = len(after) - 1
    for k in range(len(before) - 1, -1, -1):
        old = before[k]
        same = i >= 0 and _numberless(after[i].text) == _numberless(old.text)
        if k not in changeable:
            if not same:
                return None
            where[k], i = i, i - 1
        elif same or (i >= 0 and old.case is not None and after[i].case == old.case):
            where[k], i = i, i - 1
    return i + 1, where


# ------------------------------------------------------------------ proof scripts


def script_blocks(proof: str) -> list[str]:
    """A `by` block's text cut into top-level tactics: a line at the block's indentation starts
    one, deeper lines (a `·` block's body, a long term) continue it. Each block is one tactic
    for LeanDojo's parser."""
    lines = [line.rstrip() for line in proof.splitlines() if line.strip()]
    if not lines:
        return []
    indent = min(len(line) - len(line.lstrip()) for line in lines)
    blocks: list[str] = []
    for line in lines:
        line = line[indent:]
        if blocks and line[0].isspace():
            blocks[-1] += "\n" + line
        else:
            blocks.append(line)
    return blocks


def script_refusal(proof: str) -> str | None:
    """Why the safety filter refuses some tactic of a script (`lean_env.safety.script_refusals`,
    the one every backend uses), or None."""
    refused = script_refusals(proof)
    return refused[0] if refused else None
