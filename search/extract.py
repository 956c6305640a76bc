"""A Lean tactic script out of a proved AND/OR tree.

Each proved goal contributes the tactic that proved it (`Tree.proof_edge`), then the scripts of
the goals that tactic left: one goal continues on the next lines; several each get a focused
`· ` block, in the order the tactic left them, with the block's later lines indented by two
spaces. A node of coupled goals (sharing metavariables, `Tree.with_goals`) gets no `·`: its
lines run unfocused and close its goals, which stand first in Lean's goal list at that point
because the goals a tactic leaves are scripted in Lean's order and coupled runs are contiguous.
A goal reached twice (a transposition) is proved twice in the text: Lean needs both.
The script is checked by the backend's `verify` before anyone calls it a proof.
"""

from __future__ import annotations

from search.tree import Status, Tree


def proof_script(tree: Tree) -> str:
    """The script proving all root goals (empty when the statement had none)."""
    if any(tree.status[r] is not Status.PROVED for r in tree.roots):
        raise ValueError("the root is not proved")
    return "\n".join(_goals_lines(tree, tree.roots))


def goal_script(tree: Tree, node: int) -> str:
    """The script proving one proved goal node."""
    return "\n".join(_goal_lines(tree, node))


def _goal_lines(tree: Tree, node: int) -> list[str]:
    if tree.status[node] is not Status.PROVED:
        raise ValueError(f"goal {node} is not proved")
    action = tree.proof_edge[node]
    return tree.tactics[node][action].split("\n") + _goals_lines(tree, tree.children(node, action))


def _goals_lines(tree: Tree, goals: tuple[int, ...]) -> list[str]:
    if len(goals) == 1:
        return _goal_lines(tree, goals[0])
    lines: list[str] = []
    for goal in goals:
        if tree.with_goals[goal]:  # coupled goals: `·` would focus only the first of them
            lines.extend(_goal_lines(tree, goal))
            continue
        first, *rest = _goal_lines(tree, goal)
        lines.append("· " + first)
        lines.extend("  " + line for line in rest)
    return lines


def novel_steps(tree: Tree) -> tuple[tuple[str, str], ...]:
    """(goal, tactic) for each step of the proof (as `proof_script` writes it, each distinct
    goal once) whose tactic the evaluator proposed and the candidates did not (`Tree.generated`)."""
    out: list[tuple[str, str]] = []
    seen: set[int] = set()
    stack = [r for r in reversed(tree.roots)]
    while stack:
        node = stack.pop()
        if node in seen or tree.status[node] is not Status.PROVED:
            continue
        seen.add(node)
        tactic = tree.tactics[node][tree.proof_edge[node]]
        if tactic in tree.generated[node]:
            out.append((tree.key[node], tactic))
        stack.extend(reversed(tree.children(node, tree.proof_edge[node])))
    return tuple(out)
