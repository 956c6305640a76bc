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
from collections.abc import Iterator, Sequence

from lean_env.contract import GoalView
from lean_env.safety import refusal

# `?w`, `?m.12`, `?a✝`: a metavariable as Lean prints it (not the `?` ending names like `get?`)
_MVAR = re.compile(r"(?<![\w.?!'✝])\?[A-Za-z_\u00c0-\u024f\u0370-\u03ff][\w.'!✝\u00c0-\u024f\u0370-\u03ff]*")


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


def lean_goal(text: str) -> GoalView:
    """One goal with every metavariable it is (`?TAG`) or mentions: the full set, used to
    decide which goals a tactic may change. `state_views` trims it for the search."""
    text = text.strip("\n")
    first, newline, rest = text.partition("\n")
    case = None
    canonical = text
    if first.startswith("case ") and newline:
        case = first[len("case "):].strip() or None
        canonical = rest
    # universe metavariables (`?u.3`) couple no goals: a tactic does not solve them
    mvars = {m.rstrip(".") for m in _MVAR.findall(canonical) if not re.fullmatch(r"\?u\.\d+", m)}
    if case is not None:
        mvars.add("?" + case)
    return GoalView(text=text, canonical=canonical, case=case, mvars=frozenset(mvars))


def parse_goals(pp: str) -> tuple[GoalView, ...]:
    return tuple(lean_goal(g) for g in split_pp(pp))


def state_views(goals: Sequence[GoalView]) -> tuple[GoalView, ...]:
    """The goals as the search sees them: a goal keeps `?TAG` (the metavariable it is) only
    when another goal of the state mentions it, so goals that merely share a case name (two
    `case h` from separate splits) do not count as coupled."""
    mentioned = [g.mvars - ({"?" + g.case} if g.case else set()) for g in goals]
    views = []
    for i, g in enumerate(goals):
        own = "?" + g.case if g.case else None
        keep = own is not None and any(own in m for j, m in enumerate(mentioned) if j != i)
        mvars = mentioned[i] | {own} if keep else mentioned[i]
        views.append(GoalView(g.text, g.canonical, g.case, frozenset(mvars)))
    return tuple(views)


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


def _top_level_parts(line: str) -> Iterator[str]:
    """`line` cut at `;` outside brackets (`<;>` is one tactic combinator, not a cut)."""
    depth, start, i = 0, 0, 0
    while i < len(line):
        if line.startswith("<;>", i):
            i += 3
            continue
        ch = line[i]
        if ch in "([{⟨":
            depth += 1
        elif ch in ")]}⟩":
            depth -= 1
        elif ch == ";" and depth == 0:
            yield line[start:i]
            start = i + 1
        i += 1
    yield line[start:]


def _strip_focus(part: str) -> str:
    """The tactic inside `· tac`, `case h => tac`, `next => tac` (or the part itself)."""
    part = part.strip()
    while part.startswith(("·", ".")) and not part.startswith(".."):
        part = part[1:].strip()
    if re.match(r"(case|case'|next)\b", part) and "=>" in part:
        part = part.split("=>", 1)[1].strip()
    return part


def script_refusal(proof: str) -> str | None:
    """Why the safety filter refuses some tactic of a script, or None. Each line is judged
    tactic by tactic: focusing (`·`, `case ... =>`) is how scripts are written, not a refusal."""
    for line in proof.splitlines():
        for part in _top_level_parts(line):
            tactic = _strip_focus(part)
            if tactic.startswith("|"):  # an alternative of `rcases`/`induction ... with`
                tactic = tactic.split("=>", 1)[1].strip() if "=>" in tactic else ""
            if not tactic:
                continue
            why = refusal(tactic)
            if why is not None and "focusing" not in why:
                return f"{why} (in: {line.strip()})"
    return None
