"""The explored AND/OR tree as a networkx graph, and as a GraphML or JSON file, so a proof
attempt (proved or not) can be opened and inspected: in Gephi, yEd or Cytoscape, or with
`networkx.read_graphml`.

The graph is directed and bipartite: goal nodes (`kind="goal"`, id `g<node>`) point to the
tactics tried on them (`kind="tactic"`, id `g<node>.t<index>`), and a tactic points to the
goals it left. A goal reached along two paths (a transposition) is one node with several
parents. Every attribute is a str, int, float or bool (GraphML has no None): an attribute
that does not apply is absent, never null.

Goal nodes: `goal` (canonical text, the transposition key), `text` (as printed, case tag
included), `case`, `status` (open / proved / failed), `value` (1 proved, 0 failed, else the
mean of the evaluation and the values backed up through it), `visits`, `root`, `evaluated`,
`prior_value` (the evaluator's value; only when evaluated), `tactics` (kept after evaluation,
candidates before), `tried`, `goals` (1, or the number of coupled goals sharing metavariables
that the node stands for; its texts are then joined by a blank line), `proved_by` (only when
proved), `label`.
Tactic nodes: `tactic`, `index` (in its goal's tactic list), `prior`, `visits` (N), `value`
(W/N; 0 when unvisited), `outcome` (closed: no goal left / children / error / timeout /
untried), `children` (goals left), `status` (proved / failed / open), `proof` (the tactic that
proved its goal), `label`.
Edges: `kind` (tries: goal to tactic; leaves: tactic to goal) and, on `leaves`, `position`
(the goal's index among those the tactic left).
Graph: `roots` (goal ids, space-separated), `goal_nodes`, `tactic_nodes`, and the caller's
`info` (the CLI adds the statement and the search result).

networkx is imported inside the functions: `search` stays light for the CLI and workers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from search.tree import NOT_APPLIED, Fault, Status, Tree

if TYPE_CHECKING:
    import networkx

Scalar = str | int | float | bool
Format = Literal["graphml", "json"]
FORMATS: dict[str, Format] = {".graphml": "graphml", ".json": "json"}


def goal_id(node: int) -> str:
    return f"g{node}"


def tactic_id(node: int, action: int) -> str:
    return f"g{node}.t{action}"


def tree_format(path: str | Path) -> Format:
    """The file format chosen by the suffix of `path`; ValueError for any other suffix."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path}: the tree file must end in .graphml or .json")
    return FORMATS[suffix]


def tree_to_networkx(
    tree: Tree, *, untried: bool = False, info: Mapping[str, Scalar | None] | None = None
) -> networkx.DiGraph:
    """The AND/OR graph of `tree`: goal and tactic nodes as described in the module docstring.

    Only applied tactics are included unless `untried` (then every kept tactic of every
    evaluated goal, with `outcome="untried"`). `info` becomes graph attributes (e.g. the
    statement and the search result); entries whose value is None are dropped.
    """
    import networkx

    graph = networkx.DiGraph()
    graph.graph.update(_scalars(info or {}))
    tactic_nodes = 0
    for node in range(len(tree)):
        graph.add_node(goal_id(node), **_goal_attributes(tree, node, node in tree.roots))
    for node in range(len(tree)):
        for action in range(len(tree.outcome[node])):
            if not untried and not tree.applied(node, action):
                continue
            tid = tactic_id(node, action)
            graph.add_node(tid, **_tactic_attributes(tree, node, action))
            graph.add_edge(goal_id(node), tid, kind="tries")
            tactic_nodes += 1
            for position, child in enumerate(tree.children(node, action)):
                if not graph.has_edge(tid, goal_id(child)):  # a goal left twice: first position
                    graph.add_edge(tid, goal_id(child), kind="leaves", position=position)
    roots = " ".join(goal_id(r) for r in tree.roots)
    graph.graph.update(roots=roots, goal_nodes=len(tree), tactic_nodes=tactic_nodes)
    return graph


def write_tree(
    tree: Tree, path: str | Path, *, untried: bool = False, info: Mapping[str, Scalar | None] | None = None
) -> Format:
    """Write the graph of `tree` to `path`: GraphML for `.graphml`, node-link JSON (networkx's
    `node_link_data`, nodes under "nodes", edges under "edges") for `.json`."""
    fmt = tree_format(path)
    graph = tree_to_networkx(tree, untried=untried, info=info)
    if fmt == "graphml":
        import networkx

        networkx.write_graphml(graph, str(path))
    else:
        from networkx.readwrite import json_graph

        data = json_graph.node_link_data(graph, edges="edges")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.write("\n")
    return fmt


def read_tree(path: str | Path) -> networkx.DiGraph:
    """A graph written by `write_tree`, read back with networkx."""
    import networkx

    if tree_format(path) == "graphml":
        return networkx.read_graphml(str(path))
    from networkx.readwrite import json_graph

    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    return json_graph.node_link_graph(data, directed=True, multigraph=False, edges="edges")


# ---------------------------------------------------------------------- attributes


def _goal_attributes(tree: Tree, node: int, root: bool) -> dict[str, Scalar]:
    view, status = tree.view[node], tree.status[node]
    attrs: dict[str, Scalar] = {
        "kind": "goal",
        "goal": tree.key[node],
        "text": view.text,
        "case": view.case or "",
        "status": status.name.lower(),
        "value": float(tree.goal_value(node)),
        "visits": int(tree.visits[node]),
        "root": root,
        "evaluated": tree.evaluated(node),
        "tactics": len(tree.tactics[node]),
        "tried": sum(1 for out in tree.outcome[node] if out is not NOT_APPLIED),
        "goals": 1 + len(tree.with_goals[node]),
        "label": _target(view.text),
    }
    if tree.evaluated(node):
        attrs["prior_value"] = float(tree.prior_value[node])
    if status is Status.PROVED:
        attrs["proved_by"] = tree.tactics[node][tree.proof_edge[node]]
    return attrs


def _tactic_attributes(tree: Tree, node: int, action: int) -> dict[str, Scalar]:
    out = tree.outcome[node][action]
    n = tree.edge_n[node][action]
    if out is NOT_APPLIED:
        outcome = "untried"
    elif isinstance(out, Fault):
        outcome = out.value
    else:
        outcome = "children" if out else "closed"
    if tree.edge_proved(node, action):
        status = "proved"
    elif tree.edge_failed(node, action):
        status = "failed"
    else:
        status = "open"
    tactic = tree.tactics[node][action]
    return {
        "kind": "tactic",
        "tactic": tactic,
        "index": action,
        "prior": float(tree.priors[node][action]),
        "visits": int(n),
        "value": float(tree.edge_w[node][action] / n) if n else 0.0,
        "outcome": outcome,
        "children": len(tree.children(node, action)),
        "status": status,
        "proof": tree.status[node] is Status.PROVED and tree.proof_edge[node] == action,
        "label": tactic,
    }


def _target(text: str) -> str:
    """The `⊢ ...` target of a goal, on one line (what a viewer shows on the node)."""
    start = text.rfind("⊢")
    return " ".join((text[start:] if start >= 0 else text).split())


def _scalars(info: Mapping[str, Scalar | None]) -> dict[str, Scalar]:
    out: dict[str, Scalar] = {}
    for key, value in info.items():
        if value is None:
            continue
        if not isinstance(value, str | int | float | bool):
            raise TypeError(f"graph attribute {key!r}: {type(value).__name__} is not str, int, float or bool")
        out[key] = value
    return out
