"""Golden trees (in the spirit of mctx's golden tests): small hand-built environments, a fixed
evaluator, and the whole tree after N simulations compared with a stored literal.

The first simulations were derived BY HAND (the reasoning is in the comments); the test checks
the code reproduces them, and the remaining snapshots freeze the behaviour as a regression.
Settings: c_puct = 1, first-play value = the goal's own value, virtual loss 1.
Snapshot per goal: (status, visits, value, {tactic: (N, W, outcome)}) for applied or visited
tactics; the value is the mean of the evaluation and the backed-up values (1 when PROVED).
"""

from __future__ import annotations

import pytest

from search.bestfirst import StopReason
from search.driver import run_searches
from search.mcts import MCTSConfig, MCTSSearch
from search.tree import Tree

from .fake_env import FakeEnv, table_evaluator, tactics_from

Snapshot = dict[str, tuple[str, int, float, dict[str, tuple[int, float, object]]]]


def snapshot(tree: Tree) -> Snapshot:
    out: Snapshot = {}
    for n in range(len(tree)):
        edges = {}
        for a, tactic in enumerate(tree.tactics[n] if tree.evaluated(n) else ()):
            if tree.edge_n[n][a] or tree.applied(n, a):
                o = tree.outcome[n][a]
                shown = o.value if hasattr(o, "value") else tuple(tree.key[c] for c in o)  # type: ignore[union-attr]
                edges[tactic] = (tree.edge_n[n][a], round(tree.edge_w[n][a], 4), shown)
        out[tree.key[n]] = (tree.status[n].name, tree.visits[n], round(tree.goal_value(n), 4), edges)
    return out


def run(rules, priors, values, sims: int, **settings):
    env = FakeEnv("R", rules)
    evaluator = table_evaluator(priors, values)
    config = MCTSConfig(num_simulations=sims, **({"c_puct": 1.0, "leaves_per_round": 1} | settings))
    search = MCTSSearch(env, "thm", tactics_from(rules), config=config)
    report = run_searches([search], evaluator)
    return report.results[0], snapshot(search.tree), env, evaluator


# --------------------------------------------------------------------------- G1: an OR tree
# R -a-> A -x-> A1 -z-> closed;  R -b-> B -u-> B1;  R -c-> error;  A -y-> error.
G1 = {
    "R": {"a": ["A"], "b": ["B"], "c": "error"},
    "A": {"x": ["A1"], "y": "error"},
    "A1": {"z": []},
    "B": {"u": ["B1"]},
    "B1": {"w": "error"},
}
P1 = {"R": {"a": 0.5, "b": 0.3, "c": 0.2}, "A": {"x": 0.7, "y": 0.3}}
V1 = {"R": 0.5, "A": 0.4, "B": 0.6, "B1": 0.2, "A1": 0.9}

# By hand. score(a) = Q(a) + P(a) * sqrt(N) / (1 + N(a)), N = visits of the goal.
# Root evaluated: N(R) = 1, value 0.5.
# sim 1, at R (sqrt 1, first-play 0.5): a 0.5+0.5 = 1.0, b 0.8, c 0.7 -> a; apply -> A (new).
#   A evaluated 0.4. Backup: (R,a) N=1 W=0.4; R visits 2, sum 0.9, value 0.45.
# sim 2, at R (sqrt 2 = 1.41421, fpu 0.45): a 0.4 + 0.5*1.41421/2 = 0.75355,
#   b 0.45 + 0.3*1.41421 = 0.87426, c 0.45 + 0.2*1.41421 = 0.73284 -> b; apply -> B = 0.6.
#   (R,b) N=1 W=0.6; R visits 3, sum 1.5, value 0.5.
# sim 3, at R (sqrt 3 = 1.73205, fpu 0.5): a 0.4 + 0.5*1.73205/2 = 0.83301,
#   b 0.6 + 0.3*1.73205/2 = 0.85981, c 0.5 + 0.2*1.73205 = 0.84641 -> b (applied) -> B.
#   At B: only u -> apply -> B1 = 0.2. (B,u) N=1 W=0.2; B visits 2, value 0.4;
#   (R,b) N=2 W=0.8; R visits 4, sum 1.7, value 0.425.
# sim 4, at R (sqrt 4 = 2, fpu 0.425): a 0.4 + 0.5*2/2 = 0.9, b 0.4 + 0.3*2/3 = 0.6,
#   c 0.425 + 0.4 = 0.825 -> a -> A (sqrt 1, fpu 0.4): x 0.4+0.7 = 1.1, y 0.7 -> x -> A1 = 0.9.
#   (A,x) N=1 W=0.9; A value (0.4+0.9)/2 = 0.65; (R,a) N=2 W=1.3; R visits 5, value 0.52.
# sim 5, at R (sqrt 5 = 2.23607, fpu 0.52): a 0.65 + 0.5*2.23607/3 = 1.02268,
#   b 0.4 + 0.3*2.23607/3 = 0.62361, c 0.52 + 0.2*2.23607 = 0.96721 -> a -> A:
#   x 0.9 + 0.7*1.41421/2 = 1.39497, y 0.65 + 0.3*1.41421 = 1.07426 -> x -> A1: z -> closes.
#   A1, A, R PROVED at once; backup 1.0 everywhere: (A1,z) 1/1, (A,x) 2/1.9, (R,a) 3/2.3.
#   The search stops: proof `a / x / z`, 5 env calls, `c` and `y` never tried.
G1_SNAPSHOTS: dict[int, Snapshot] = {
    1: {"A": ("OPEN", 1, 0.4, {}), "R": ("OPEN", 2, 0.45, {"a": (1, 0.4, ("A",))})},
    2: {
        "A": ("OPEN", 1, 0.4, {}),
        "B": ("OPEN", 1, 0.6, {}),
        "R": ("OPEN", 3, 0.5, {"a": (1, 0.4, ("A",)), "b": (1, 0.6, ("B",))}),
    },
    3: {
        "A": ("OPEN", 1, 0.4, {}),
        "B": ("OPEN", 2, 0.4, {"u": (1, 0.2, ("B1",))}),
        "B1": ("OPEN", 1, 0.2, {}),
        "R": ("OPEN", 4, 0.425, {"a": (1, 0.4, ("A",)), "b": (2, 0.8, ("B",))}),
    },
    4: {
        "A": ("OPEN", 2, 0.65, {"x": (1, 0.9, ("A1",))}),
        "A1": ("OPEN", 1, 0.9, {}),
        "B": ("OPEN", 2, 0.4, {"u": (1, 0.2, ("B1",))}),
        "B1": ("OPEN", 1, 0.2, {}),
        "R": ("OPEN", 5, 0.52, {"a": (2, 1.3, ("A",)), "b": (2, 0.8, ("B",))}),
    },
    5: {
        "A": ("PROVED", 3, 1.0, {"x": (2, 1.9, ("A1",))}),
        "A1": ("PROVED", 2, 1.0, {"z": (1, 1.0, ())}),
        "B": ("OPEN", 2, 0.4, {"u": (1, 0.2, ("B1",))}),
        "B1": ("OPEN", 1, 0.2, {}),
        "R": ("PROVED", 6, 1.0, {"a": (3, 2.3, ("A",)), "b": (2, 0.8, ("B",))}),
    },
}


@pytest.mark.parametrize("sims", sorted(G1_SNAPSHOTS))
def test_golden_or_tree(sims: int) -> None:
    result, snap, env, _ = run(G1, P1, V1, sims)
    assert snap == G1_SNAPSHOTS[sims]
    assert env.env_calls == sims == result.simulations
    if sims == 5:
        assert result.proved and result.proof == "a\nx\nz"
        assert [t for _, t in env.calls] == ["a", "b", "u", "x", "z"]
    else:
        assert result.reason is StopReason.MAX_SIMULATIONS


def test_golden_or_tree_more_simulations_stop_at_the_proof() -> None:
    result, snap, env, _ = run(G1, P1, V1, 50)
    assert result.proved and result.simulations == 5 and snap == G1_SNAPSHOTS[5]


# --------------------------------------------------------------------------- G2: AND, dead edges, transposition
# R -split-> [A, B] (an AND);  R -e-> error;  A -a1-> timeout;  A -a2-> C;  B -b1-> C;
# B -b2-> closed;  C -c-> closed. C is reached from A and, later, from B (a transposition).
G2 = {
    "R": {"split": ["A", "B"], "e": "error"},
    "A": {"a1": "timeout", "a2": ["C"]},
    "B": {"b1": ["C"], "b2": []},
    "C": {"c": []},
}
P2 = {"R": {"split": 0.6, "e": 0.4}, "B": {"b1": 0.8, "b2": 0.2}}
V2 = {"R": 0.5, "A": 0.5, "B": 0.8, "C": 0.6}

# By hand, product AND-values.
# sim 1, at R (sqrt 1, fpu 0.5): split 1.1, e 0.9 -> split -> A = 0.5, B = 0.8 (one batch).
#   (R,split) gets 0.5 * 0.8 = 0.4; R visits 2, value 0.45.
# sim 2, at R (sqrt 2, fpu 0.45): split 0.4 + 0.6*1.41421/2 = 0.82426, e 0.45 + 0.4*1.41421
#   = 1.01569 -> e: error, a dead edge; choose again at R: split -> weakest child A (0.5 < 0.8).
#   At A (sqrt 1, fpu 0.5): a1 = a2 = 1.0, tie -> a1 (first): timeout, dead; again -> a2 -> C = 0.6.
#   (A,a2) 1/0.6, A value 0.55; (R,split) gets C's 0.6 (via A) * B 0.8 = 0.48: 2/0.88; R 0.46.
#   Dead edges keep N = 0: they are recorded, never backed up. 4 env calls so far.
# sim 3, at R: e dead, split -> weakest A (0.55) -> a2 (a1 dead) -> C: c closes. C PROVED,
#   so (A,a2) and A PROVED; R not (B open). (C,c) 1/1, (A,a2) 2/1.6, (R,split) gets 1 * 0.8.
# sim 4, at R: split -> B, the only OPEN child (sqrt 1, fpu 0.8): b1 1.6, b2 1.0 -> b1 -> C,
#   already PROVED: B PROVED, R PROVED. (B,b1) 1/1, (R,split) 4/2.68.
#   Proof: split, then one `·` block per child; C is proved twice in the text.
# With min AND-values instead: sim 1 gives min(0.5, 0.8) = 0.5, sim 2 min(0.6, 0.8) = 0.6,
#   sim 3 min(1, 0.8) = 0.8, sim 4 1: W(R,split) = 0.5, 1.1, 1.9, 2.9.
G2_PRODUCT: dict[int, Snapshot] = {
    1: {
        "A": ("OPEN", 1, 0.5, {}),
        "B": ("OPEN", 1, 0.8, {}),
        "R": ("OPEN", 2, 0.45, {"split": (1, 0.4, ("A", "B"))}),
    },
    2: {
        "A": ("OPEN", 2, 0.55, {"a1": (0, 0.0, "timeout"), "a2": (1, 0.6, ("C",))}),
        "B": ("OPEN", 1, 0.8, {}),
        "C": ("OPEN", 1, 0.6, {}),
        "R": ("OPEN", 3, 0.46, {"e": (0, 0.0, "error"), "split": (2, 0.88, ("A", "B"))}),
    },
    3: {
        "A": ("PROVED", 3, 1.0, {"a1": (0, 0.0, "timeout"), "a2": (2, 1.6, ("C",))}),
        "B": ("OPEN", 1, 0.8, {}),
        "C": ("PROVED", 2, 1.0, {"c": (1, 1.0, ())}),
        "R": ("OPEN", 4, 0.545, {"e": (0, 0.0, "error"), "split": (3, 1.68, ("A", "B"))}),
    },
    4: {
        "A": ("PROVED", 3, 1.0, {"a1": (0, 0.0, "timeout"), "a2": (2, 1.6, ("C",))}),
        "B": ("PROVED", 2, 1.0, {"b1": (1, 1.0, ("C",))}),
        "C": ("PROVED", 2, 1.0, {"c": (1, 1.0, ())}),
        "R": ("PROVED", 5, 1.0, {"e": (0, 0.0, "error"), "split": (4, 2.68, ("A", "B"))}),
    },
}
G2_MIN_ROOT = {1: (2, 0.5, 0.5), 2: (3, 0.5333, 1.1), 3: (4, 0.6, 1.9), 4: (5, 1.0, 2.9)}  # R: visits, value, W(split)
G2_ENV_CALLS = {1: 1, 2: 4, 3: 5, 4: 6}


@pytest.mark.parametrize("sims", sorted(G2_PRODUCT))
def test_golden_and_tree_product(sims: int) -> None:
    result, snap, env, _ = run(G2, P2, V2, sims)
    assert snap == G2_PRODUCT[sims]
    assert env.env_calls == G2_ENV_CALLS[sims]
    if sims == 4:
        assert result.proved
        assert result.proof == "split\n· a2\n  c\n· b1\n  c"
        assert env.verified == [result.proof]


@pytest.mark.parametrize("sims", sorted(G2_MIN_ROOT))
def test_golden_and_tree_min(sims: int) -> None:
    _, snap, env, _ = run(G2, P2, V2, sims, and_value="min")
    status, visits, value, edges = snap["R"]
    assert (visits, value, edges["split"][1]) == G2_MIN_ROOT[sims]
    assert env.env_calls == G2_ENV_CALLS[sims]


# --------------------------------------------------------------------------- G3: virtual loss, 2 leaves per round
# G1 again, two simulations per evaluator batch.
# Round 0: R evaluated alone (batch [R]).
# Round 1: sim 1 -> a -> A pending; virtual loss on (R,a): N 0+1, W 0-1. sim 2 at R: N(R) = 1
#   visit + 1 in flight, sqrt 2; a: Q = -1/1, -1 + 0.5*1.41421/2 = -0.64645; b 0.5 + 0.42426
#   = 0.92426; c 0.78284 -> b -> B pending. Batch [A, B]. Backups as sims 1, 2 of G1.
# Round 2: sim 3 -> b -> B -> u -> B1 pending (as G1's sim 3). sim 4 at R: N = 3 + 1 in
#   flight, sqrt 2, fpu 0.5: a 0.4 + 0.5*2/2 = 0.9; b Q = (0.6 - 1)/2 = -0.2, -0.2 + 0.3*2/3
#   = 0.0; c 0.5 + 0.2*2 = 0.9: a ties c, the first (higher prior) wins -> a -> A -> x -> A1.
#   Batch [B1, A1]. The tree is G1's after 4 simulations; round 3 proves as G1's sim 5.
#   Virtual loss moved sim 4 off `b` (which sequential sim 4 would not have taken either).
@pytest.mark.parametrize("sims, batches", [(2, [["R"], ["A", "B"]]), (4, [["R"], ["A", "B"], ["B1", "A1"]])])
def test_golden_virtual_loss_batches(sims: int, batches: list[list[str]]) -> None:
    result, snap, _, evaluator = run(G1, P1, V1, sims, leaves_per_round=2)
    assert [[r.goal for r in batch] for batch in evaluator.batches] == batches
    assert snap == G1_SNAPSHOTS[sims] and result.collisions == 0


def test_golden_virtual_loss_to_the_end() -> None:
    result, snap, _, evaluator = run(G1, P1, V1, 10, leaves_per_round=2)
    assert result.proved and result.simulations == 5 and len(evaluator.batches) == 3
    assert snap == G1_SNAPSHOTS[5]


# --------------------------------------------------------------------------- G4: a regression snapshot
# Everything at once: AND edges, errors and timeouts, a self-loop (R -simp-> R), a cycle
# (H -back-> R, Q3 -trivial-> Q2), a transposition (P and Q2 under both R and H), a goal that
# fails (P1) and so fails its parent edge, c_puct 1.25, two leaves per round. Not derived by
# hand: frozen from the implementation above once G1-G3 were checked, to catch regressions.
G4 = {
    "R": {"intro": ["H"], "split": ["P", "Q"], "simp": ["R"], "bad": "timeout"},
    "H": {"cases": ["P", "Q2"], "exact": "error", "back": ["R"]},
    "P": {"left": ["P1"], "right": ["P2"], "norm": "error"},
    "P1": {"omega": "error", "linarith": "timeout"},
    "P2": {"rfl": []},
    "Q": {"use": ["Q1"], "constructor": ["Q1", "Q2"]},
    "Q1": {"decide": [], "ring": "error"},
    "Q2": {"rfl": "error", "simp": ["Q3"]},
    "Q3": {"omega": [], "trivial": ["Q2"]},
}
P4 = {
    "R": {"intro": 0.4, "split": 0.3, "simp": 0.2, "bad": 0.1},
    "P": {"left": 0.6, "right": 0.3, "norm": 0.1},
    "Q": {"use": 0.3, "constructor": 0.7},
    "Q2": {"rfl": 0.7, "simp": 0.3},
}
V4 = {"R": 0.3, "H": 0.6, "P": 0.5, "P1": 0.7, "P2": 0.4, "Q": 0.5, "Q1": 0.8, "Q2": 0.3, "Q3": 0.5}
G4_AFTER_8: Snapshot = {
    "H": ("OPEN", 5, 0.33, {"back": (0, 0.0, ("R",)), "cases": (4, 1.05, ("P", "Q2")), "exact": (0, 0.0, "error")}),
    "P": ("OPEN", 3, 0.4, {"left": (2, 0.7, ("P1",))}),
    "P1": ("FAILED", 1, 0.0, {"linarith": (0, 0.0, "timeout"), "omega": (0, 0.0, "error")}),
    "Q": ("OPEN", 2, 0.41, {"constructor": (1, 0.32, ("Q1", "Q2"))}),
    "Q1": ("OPEN", 1, 0.8, {}),
    "Q2": ("PROVED", 3, 1.0, {"rfl": (0, 0.0, "error"), "simp": (2, 1.5, ("Q3",))}),
    "Q3": ("PROVED", 2, 1.0, {"omega": (1, 1.0, ())}),
    "R": (
        "OPEN",
        9,
        0.3047,
        {
            "bad": (0, 0.0, "timeout"),
            "intro": (5, 1.65, ("H",)),
            "simp": (0, 0.0, ("R",)),
            "split": (3, 0.792, ("P", "Q")),
        },
    ),
}
G4_FINAL_CHANGES: Snapshot = {
    "H": ("PROVED", 7, 1.0, {"back": (0, 0.0, ("R",)), "cases": (6, 2.45, ("P", "Q2")), "exact": (0, 0.0, "error")}),
    "P": ("PROVED", 5, 1.0, {"left": (2, 0.7, ("P1",)), "norm": (0, 0.0, "error"), "right": (2, 1.4, ("P2",))}),
    "P2": ("PROVED", 2, 1.0, {"rfl": (1, 1.0, ())}),
    "R": (
        "PROVED",
        11,
        1.0,
        {
            "bad": (0, 0.0, "timeout"),
            "intro": (7, 3.05, ("H",)),
            "simp": (0, 0.0, ("R",)),
            "split": (3, 0.792, ("P", "Q")),
        },
    ),
}


def test_regression_snapshot() -> None:
    result, snap, env, evaluator = run(G4, P4, V4, 8, leaves_per_round=2, c_puct=1.25)
    assert snap == G4_AFTER_8
    assert (result.simulations, result.env_calls, result.collisions) == (8, 14, 0)
    assert [[r.goal for r in batch] for batch in evaluator.batches] == [
        ["R"], ["H", "P", "Q"], ["Q2", "P1"], ["Q3", "Q1"]
    ]

    result, snap, env, evaluator = run(G4, P4, V4, 100, leaves_per_round=2, c_puct=1.25)
    assert snap == G4_AFTER_8 | G4_FINAL_CHANGES
    assert (result.simulations, result.env_calls, result.collisions) == (10, 17, 5)
    assert result.proved and result.proof == "intro\ncases\n· right\n  rfl\n· simp\n  omega"
