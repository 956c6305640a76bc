"""Tree export: the networkx graph mirrors the search tree, and GraphML / JSON files read back
with networkx give the same nodes, edges and attributes (types included)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx
import pytest

from lean_env.mini import MiniEnv
from prover.actions import ActionSpace
from search.driver import mcts_search
from search.export import goal_id, read_tree, tactic_id, tree_format, tree_to_networkx, write_tree
from search.mcts import MCTSConfig
from search.tree import Fault, Status, Tree

from .fake_env import FakeEnv, tactics_from

REPO = Path(__file__).resolve().parents[2]

# The root splits into A and B; B's only proof leaves D twice (`dup`), and D's only tactic
# leads back to A: one goal node with two parents (a transposition).
RULES = {
    "R": {"bad": "error", "slow": "timeout", "split": ["A", "B"]},
    "A": {"a": []},
    "B": {"b1": "error", "dup": ["D", "D"]},
    "D": {"toA": ["A"]},
}


def fake_tree(rules=RULES, root="R") -> Tree:
    result = mcts_search(FakeEnv(root, rules), "thm", tactics_from(rules))
    assert result.tree is not None
    return result.tree


def applied(tree: Tree) -> list[tuple[int, int]]:
    return [(n, a) for n in range(len(tree)) for a in range(len(tree.outcome[n])) if tree.applied(n, a)]


def assert_mirrors(graph: networkx.DiGraph, tree: Tree) -> None:
    """Node and edge counts and every attribute agree with the tree."""
    edges = applied(tree)
    leaves = sum(len(set(tree.children(n, a))) for n, a in edges)
    assert graph.number_of_nodes() == len(tree) + len(edges)
    assert graph.number_of_edges() == len(edges) + leaves
    assert graph.graph["roots"] == " ".join(goal_id(r) for r in tree.roots)
    assert (graph.graph["goal_nodes"], graph.graph["tactic_nodes"]) == (len(tree), len(edges))
    for node in range(len(tree)):
        g = graph.nodes[goal_id(node)]
        assert g["kind"] == "goal" and g["goal"] == tree.key[node] and g["text"] == tree.view[node].text
        assert g["status"] == tree.status[node].name.lower()
        assert g["value"] == pytest.approx(tree.goal_value(node)) and g["visits"] == tree.visits[node]
        assert g["root"] == (node in tree.roots) and g["evaluated"] == tree.evaluated(node)
        assert ("prior_value" in g) == tree.evaluated(node)
        if tree.status[node] is Status.PROVED:
            assert g["proved_by"] == tree.tactics[node][tree.proof_edge[node]]
        else:
            assert "proved_by" not in g
    for node, action in edges:
        t = graph.nodes[tactic_id(node, action)]
        n = tree.edge_n[node][action]
        assert t["kind"] == "tactic" and t["tactic"] == tree.tactics[node][action] and t["index"] == action
        assert t["visits"] == n and t["prior"] == pytest.approx(tree.priors[node][action])
        assert t["value"] == pytest.approx(tree.edge_w[node][action] / n if n else 0.0)
        out = tree.outcome[node][action]
        expected = out.value if isinstance(out, Fault) else ("children" if out else "closed")
        assert t["outcome"] == expected and t["children"] == len(tree.children(node, action))
        assert graph.edges[goal_id(node), tactic_id(node, action)]["kind"] == "tries"
        for position, child in enumerate(tree.children(node, action)):
            edge = graph.edges[tactic_id(node, action), goal_id(child)]
            assert edge["kind"] == "leaves" and edge["position"] <= position
    for _, data in [*graph.nodes(data=True), *((None, d) for *_, d in graph.edges(data=True))]:
        assert all(isinstance(v, str | int | float | bool) for v in data.values()), data


def assert_round_trip(graph: networkx.DiGraph, tree: Tree, tmp_path: Path, info: dict) -> None:
    for name in ("tree.graphml", "tree.json"):
        path = tmp_path / name
        assert write_tree(tree, path, info=info) == tree_format(path)
        back = read_tree(path)
        assert isinstance(back, networkx.DiGraph) and back.is_directed()
        assert dict(back.nodes(data=True)) == dict(graph.nodes(data=True)), name
        assert {(u, v): d for u, v, d in back.edges(data=True)} == {
            (u, v): d for u, v, d in graph.edges(data=True)
        }, name
        assert {k: back.graph[k] for k in graph.graph} == graph.graph, name
        assert_mirrors(back, tree)


# ---------------------------------------------------------------- the fake environment


def test_graph_mirrors_a_fake_tree_with_faults_transpositions_and_repeats() -> None:
    tree = fake_tree()
    assert tree.status[tree.roots[0]] is Status.PROVED
    graph = tree_to_networkx(tree)
    assert_mirrors(graph, tree)
    root = tree.roots[0]
    outcomes = {graph.nodes[tactic_id(root, a)]["tactic"]: graph.nodes[tactic_id(root, a)]["outcome"]
                for n, a in applied(tree) if n == root}
    assert outcomes["bad"] == "error" and outcomes["slow"] == "timeout"
    assert {graph.nodes[t]["tactic"] for t in graph.predecessors(goal_id(tree.index["A"]))} == {"split", "toA"}
    dup = tactic_id(tree.index["B"], tree.tactics[tree.index["B"]].index("dup"))
    assert graph.nodes[dup]["children"] == 2 and graph.out_degree(dup) == 1
    assert graph.nodes[dup]["outcome"] == "children" and graph.nodes[dup]["status"] == "proved"
    proof_tactics = [d["tactic"] for _, d in graph.nodes(data=True) if d["kind"] == "tactic" and d["proof"]]
    assert graph.nodes[goal_id(root)]["proved_by"] in proof_tactics


def test_round_trip_through_graphml_and_json(tmp_path: Path) -> None:
    tree = fake_tree()
    info = {"statement": "theorem t : R", "proved": True, "env_calls": 7, "elapsed": 0.25, "proof": None}
    graph = tree_to_networkx(tree, info=info)
    assert "proof" not in graph.graph and graph.graph["statement"] == "theorem t : R"
    assert_round_trip(graph, tree, tmp_path, info)


def test_an_unproved_tree_exports_too(tmp_path: Path) -> None:
    rules = {"R": {"x": ["S"], "y": "error"}, "S": {"z": "timeout"}}
    tree = fake_tree(rules)
    assert tree.status[tree.roots[0]] is Status.FAILED
    graph = tree_to_networkx(tree)
    assert {d["status"] for _, d in graph.nodes(data=True) if d["kind"] == "goal"} == {"failed"}
    assert not any(d.get("proof") for _, d in graph.nodes(data=True))
    assert_round_trip(graph, tree, tmp_path, {})


def test_untried_tactics_are_included_on_request() -> None:
    rules = {"R": {"a": [], "b": [], "c": []}}
    tree = fake_tree(rules)
    assert tree_to_networkx(tree).graph["tactic_nodes"] == len(applied(tree))
    graph = tree_to_networkx(tree, untried=True)
    assert graph.graph["tactic_nodes"] == 3
    untried = [d for _, d in graph.nodes(data=True) if d.get("outcome") == "untried"]
    assert len(untried) == 3 - len(applied(tree))
    assert all(d["visits"] == 0 and d["status"] == "open" for d in untried)


def test_formats_and_bad_attributes(tmp_path: Path) -> None:
    assert tree_format("a/b.graphml") == "graphml" and tree_format("T.JSON") == "json"
    with pytest.raises(ValueError, match=r"\.graphml or \.json"):
        tree_format("tree.xml")
    with pytest.raises(ValueError):
        write_tree(fake_tree(), tmp_path / "tree.txt")
    with pytest.raises(TypeError, match="not str, int, float or bool"):
        tree_to_networkx(fake_tree(), info={"goals": ["x"]})  # type: ignore[dict-item]


def test_importing_search_does_not_import_networkx() -> None:
    probe = "import sys, search, search.export\nprint('networkx' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


# ---------------------------------------------------------------- a real mini run


@pytest.mark.parametrize(
    "statement",
    [
        "theorem demo (p q : Prop) : p → q → p ∧ q",
        "theorem t (p q r : Prop) (hp : p) (hq : q) (hr : r) : (p ∧ q) ∧ (q ∧ r) ∧ p",
        "theorem u (p q : Prop) (hp : p) : q",
    ],
)
def test_round_trip_on_mini(statement: str, tmp_path: Path) -> None:
    env = MiniEnv()
    result = mcts_search(env, statement, ActionSpace(), config=MCTSConfig(time_limit=20))
    tree = result.tree
    assert tree is not None and len(tree) >= 2
    info = {"statement": statement, "proved": result.proved, "proof": result.proof}
    graph = tree_to_networkx(tree, info=info)
    assert_mirrors(graph, tree)
    assert_round_trip(graph, tree, tmp_path, info)
    root = graph.nodes[goal_id(tree.roots[0])]
    assert root["label"] == root["text"].splitlines()[-1]
    if result.proved:
        assert result.proof is not None and root["proved_by"] == result.proof.splitlines()[0]
        assert graph.graph["proof"] == result.proof
