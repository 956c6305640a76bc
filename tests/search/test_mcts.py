"""MCTS over the AND/OR goal graph: dead edges, budgets, statuses, extraction, targets, driver."""

from __future__ import annotations

import math

import pytest

from lean_env.contract import GoalView, ProofState, StatementError
from lean_env.mini import MiniEnv
from prover.actions import ActionSpace
from search.bestfirst import StopReason
from search.driver import mcts_search, run_searches
from search.evaluator import EvalResult, constant_evaluator, normalized, uniform_evaluator
from search.extract import goal_script, proof_script
from search.mcts import MCTSConfig, MCTSSearch, action_probabilities
from search.targets import training_records
from search.tree import Fault, Status, Tree

from .fake_env import FakeEnv, all_of, table_evaluator, tactics_from


def chain_rules(n: int, prefix: str = "G") -> dict[str, dict[str, list[str] | str]]:
    """G0 -next-> G1 -> ... -> G{n}; nothing closes."""
    return {f"{prefix}{i}": {"next": [f"{prefix}{i + 1}"], "nope": "error"} for i in range(n)}


def search(rules, root="R", evaluator=uniform_evaluator, candidates=None, **settings):
    env = FakeEnv(root, rules)
    config = MCTSConfig(**settings)
    result = mcts_search(env, "thm", candidates or tactics_from(rules), evaluator, config=config)
    return result, env


# --------------------------------------------------------------------------- dead edges, statuses


def test_errors_and_timeouts_are_dead_edges_never_raised() -> None:
    rules = {"R": {"slow": "timeout", "bad": "error", "ok": ["B"]}, "B": {"done": []}}
    result, env = search(rules)
    assert result.proved and result.proof == "ok\ndone"
    tree = result.tree
    assert tree is not None
    root = tree.roots[0]
    outcomes = dict(zip(tree.tactics[root], tree.outcome[root]))
    assert outcomes["slow"] is Fault.TIMEOUT and outcomes["bad"] is Fault.ERROR
    assert env.env_calls == 4 and len(set(env.calls)) == 4


def test_an_env_that_raises_is_recorded_as_an_error() -> None:
    class Raising(FakeEnv):
        def apply(self, state, tactic, *, goal=0, timeout=10.0):
            if tactic == "boom":
                raise RuntimeError("backend bug")
            return super().apply(state, tactic, goal=goal, timeout=timeout)

    env = Raising("R", {"R": {"boom": [], "ok": []}})
    result = mcts_search(env, "thm", all_of("boom", "ok"))
    assert result.proved and result.proof == "ok"


def test_all_tactics_failing_fails_the_goal_and_its_parents() -> None:
    rules = {"R": {"a": ["A"], "b": ["B", "C"]}, "A": {"x": "error"}, "B": {"y": []}, "C": {"z": "timeout"}}
    result, env = search(rules)
    assert result.reason is StopReason.EXHAUSTED and not result.proved
    tree = result.tree
    assert [tree.status[tree.index[g]] for g in "RABC"] == [Status.FAILED, Status.FAILED, Status.PROVED, Status.FAILED]
    assert env.verified == []


def test_failure_propagates_to_every_parent_at_once() -> None:
    # F is reached from A and from B; when F fails, both A and B (their only edges) fail, and R.
    tree = Tree()
    view = GoalView("g", "g")
    r, a, b, f = (tree.add_goal(k, view, ProofState(0, (view,)), 0, ["t"]) for k in "RABF")
    tree.roots = (r,)
    for node in (r, a, b, f):
        tree.set_evaluation(node, ["t"], [1.0], 0.5)
    tree.record_outcome(r, 0, (a, b))
    tree.record_outcome(a, 0, (f,))
    tree.record_outcome(b, 0, (f,))
    assert [tree.status[n] for n in (r, a, b, f)] == [Status.OPEN] * 4
    tree.record_outcome(f, 0, Fault.ERROR)
    assert [tree.status[n] for n in (r, a, b, f)] == [Status.FAILED] * 4
    assert tree.failed_edge[r] == [True] and tree.failed_edges[a] == 1


def test_goal_without_candidates_fails_without_evaluation() -> None:
    evaluator = table_evaluator({}, {})
    result, _ = search({"R": {"a": ["A"]}}, evaluator=evaluator)
    assert result.reason is StopReason.EXHAUSTED
    assert [r.goal for batch in evaluator.batches for r in batch] == ["R"]  # A never evaluated


def test_transposition_a_goal_proved_once_is_proved_under_every_parent() -> None:
    # S is reached from A (first) and from B; proving it under A proves B's edge at once.
    rules = {"R": {"split": ["A", "B"]}, "A": {"a": ["S"]}, "B": {"b": ["case other\nS"]}, "S": {"s": []}}
    result, env = search(rules, leaves_per_round=1)
    assert result.proved
    assert ("case other\nS", "s") not in env.calls and env.calls.count(("S", "s")) == 1
    tree = result.tree
    s = tree.index["S"]
    assert sorted(tree.key[p] for p, _ in tree.parents[s]) == ["A", "B"]
    assert result.proof == "split\n· a\n  s\n· b\n  s"  # proved twice in the text


def test_cycles_are_never_followed() -> None:
    # R -loop-> R and A -back-> R: circular edges are skipped, the search still proves R.
    rules = {"R": {"loop": ["R"], "go": ["A"]}, "A": {"back": ["R"], "fwd": ["B"]}, "B": {"end": []}}
    result, _ = search(rules, leaves_per_round=1)
    assert result.proved and result.proof == "go\nfwd\nend"


def test_a_goal_stuck_in_a_cycle_is_not_failed() -> None:
    # A's only tactic leads back to R: not a failure of A (another path might use it).
    rules = {"R": {"go": ["A"]}, "A": {"back": ["R"]}}
    result, _ = search(rules, max_idle_simulations=5)
    assert result.reason is StopReason.EXHAUSTED and "idle" in result.detail
    assert result.tree.status[result.tree.index["A"]] is Status.OPEN


def test_max_depth_stops_expansion() -> None:
    rules = chain_rules(20, "G")
    result, env = search(rules, root="G0", max_depth=3, max_idle_simulations=10, num_simulations=10**6)
    assert {goal for goal, _ in env.calls} == {"G0", "G1", "G2"}
    assert result.reason is StopReason.EXHAUSTED


def test_max_children_keeps_the_top_priors() -> None:
    rules = {"R": {"a": "error", "b": "error", "c": []}}
    evaluator = table_evaluator({"R": {"a": 3.0, "b": 2.0, "c": 1.0}}, {})
    result, env = search(rules, evaluator=evaluator, max_children=2)
    assert result.reason is StopReason.EXHAUSTED and [t for _, t in env.calls] == ["a", "b"]
    assert result.tree.tactics[0] == ("a", "b") and result.tree.priors[0] == pytest.approx([0.6, 0.4])


# --------------------------------------------------------------------------- budgets


def test_env_call_budget() -> None:
    result, env = search(chain_rules(100), root="G0", max_env_calls=7)
    assert result.reason is StopReason.MAX_ENV_CALLS and result.env_calls == env.env_calls == 7


def test_simulation_budget() -> None:
    result, _ = search(chain_rules(100), root="G0", num_simulations=5, leaves_per_round=2)
    assert result.reason is StopReason.MAX_SIMULATIONS
    assert result.simulations == 5


def test_node_budget() -> None:
    result, _ = search(chain_rules(100), root="G0", max_nodes=6)
    assert result.reason is StopReason.MAX_NODES
    assert len(result.tree) == 6


def test_time_budget_and_tactic_timeouts() -> None:
    env = FakeEnv("G0", chain_rules(1000), sleep=0.01)
    result = mcts_search(env, "thm", all_of("next"), config=MCTSConfig(time_limit=0.1, tactic_timeout=5.0))
    assert result.reason is StopReason.TIME_LIMIT and 0.1 <= result.elapsed < 0.5
    assert 3 <= env.env_calls <= 12


def test_stops_as_soon_as_the_root_is_proved() -> None:
    rules = {"R": {"win": [], "a": ["A"], "b": ["B"]}, "A": {"x": []}, "B": {"y": []}}
    result, env = search(rules, leaves_per_round=8)
    assert result.proved and result.proof == "win" and env.env_calls == 1


def test_root_with_no_goals_and_with_several_goals() -> None:
    result, env = search({}, root=[])
    assert result.proved and result.proof == "" and env.env_calls == 0
    result, _ = search({"A": {"a": []}, "B": {"b": ["C"]}, "C": {"c": []}}, root=["A", "B"])
    assert result.proved and result.proof == "· a\n· b\n  c"


def test_statement_errors_propagate() -> None:
    with pytest.raises(StatementError):
        mcts_search(FakeEnv("R", {}), "bad", all_of("a"))


def test_unverified_proof_is_not_reported_as_proved() -> None:
    env = FakeEnv("R", {"R": {"a": []}})
    env.accept = False
    result = mcts_search(env, "thm", all_of("a"))
    assert not result.proved and result.proof is None and result.reason is StopReason.VERIFY_FAILED
    assert result.unverified_proof == "a" and env.verified == ["a"]


def test_evaluator_must_answer_every_tactic() -> None:
    bad = lambda requests: [EvalResult((1.0,), 0.5) for _ in requests]
    with pytest.raises(ValueError, match="priors"):
        mcts_search(FakeEnv("R", {}), "thm", all_of("a", "b"), bad)


# --------------------------------------------------------------------------- extraction on mini


@pytest.mark.parametrize(
    "statement, bullets",
    [
        ("theorem t : (∃ n : ℕ, n + 2 = 4) ∧ ∃ m : ℕ, m * 3 = 6", True),
        ("theorem u (p q : Prop) (h : p ∨ q) : (q ∨ p) ∧ ∃ n : ℕ, n + 2 = 4", True),
        ("theorem w (a b : ℤ) (h1 : a < b) (h2 : b < a + 2) (p : Prop) (hp : p) : (b = a + 1 ∧ p) ∨ False", False),
        ("theorem v (x : ℕ) (h : ∃ k : ℕ, x = 2 * k + 1) : x % 2 = 1 ∧ x ≥ 1", False),
    ],
)
def test_proofs_with_focused_blocks_verify_on_mini(statement: str, bullets: bool) -> None:
    env = MiniEnv()
    result = mcts_search(env, statement, ActionSpace(), config=MCTSConfig(max_env_calls=400))
    assert result.proved, result
    assert result.verification is not None and result.verification.ok and result.verification.backend == "mini"
    assert ("\n· " in result.proof) == bullets
    assert env.verify(statement, result.proof).ok


def test_goal_script_and_unproved_extraction() -> None:
    result, _ = search({"R": {"split": ["A", "B"]}, "A": {"a": []}, "B": {"b": "error"}})
    with pytest.raises(ValueError):
        proof_script(result.tree)
    assert goal_script(result.tree, result.tree.index["A"]) == "a"


# --------------------------------------------------------------------------- exploration knobs


def test_dirichlet_noise_changes_root_priors_only_and_is_seeded() -> None:
    rules = {"R": {"a": ["A"], "b": ["A"], "c": ["A"]}, "A": {"x": ["R"], "y": ["A2"]}}

    def priors(seed: int, fraction: float):
        result, _ = search(rules, dirichlet_fraction=fraction, seed=seed, num_simulations=3)
        tree = result.tree
        return tree.priors[tree.index["R"]], tree.priors[tree.index["A"]]

    plain_root, plain_a = priors(0, 0.0)
    noisy_root, noisy_a = priors(0, 0.25)
    assert plain_root == pytest.approx([1 / 3] * 3) and noisy_root != plain_root
    assert math.isclose(sum(noisy_root), 1.0) and noisy_a == plain_a
    assert priors(0, 0.25) == (noisy_root, noisy_a) and priors(1, 0.25)[0] != noisy_root


def test_action_probabilities_temperature() -> None:
    assert action_probabilities([1, 3, 0], 1.0) == [0.25, 0.75, 0.0]
    assert action_probabilities([2, 2, 1], 0.0) == [1.0, 0.0, 0.0]
    assert action_probabilities([1, 2], 0.5) == pytest.approx([0.2, 0.8])
    assert action_probabilities([0, 0], 1.0) == [0.5, 0.5]
    assert normalized([0.0, -1.0]) == [0.5, 0.5] and normalized([2.0, 6.0]) == [0.25, 0.75]


def test_first_play_value_setting() -> None:
    # With a pessimistic first-play value, a visited decent tactic is revisited before the
    # others are tried; with the default (the goal's value) the untried ones come first.
    rules = {"R": {"a": ["A"], "b": ["B"], "c": ["C"]}, **chain_rules(10, "A"), "A": {"go": ["A0"]}}
    evaluator = constant_evaluator(0.5)
    _, greedy = search(rules, evaluator=evaluator, first_play_value=0.0, num_simulations=4, leaves_per_round=1)
    _, wide = search(rules, evaluator=evaluator, num_simulations=4, leaves_per_round=1)
    assert [t for _, t in greedy.calls][:2] == ["a", "go"]
    assert [t for _, t in wide.calls][:3] == ["a", "b", "c"]


# --------------------------------------------------------------------------- targets


def test_training_records() -> None:
    rules = {"R": {"split": ["A", "B"], "e": "error"}, "A": {"a": []}, "B": {"b1": ["C"], "b2": "error"}, "C": {}}
    result, _ = search(rules, leaves_per_round=1)
    records = {r.goal: r for r in training_records(result.tree)}
    # B failed (b1 left C, which has no candidate; b2 errs) before any backup through it:
    # no visit distribution, no record. C was never evaluated.
    assert set(records) == {"R", "A"}
    root = records["R"]
    assert root.tactics == ("split", "e") and root.visits == (1.0, 0.0)
    assert records["A"].value == 1.0 and records["A"].status == "proved"
    assert root.value == 0.0 and root.status == "failed"
    assert all(math.isclose(sum(r.visits), 1.0) for r in records.values())
    assert training_records(result.tree, min_visits=100) == []

    open_result, _ = search(chain_rules(50), root="G0", num_simulations=6)
    open_records = training_records(open_result.tree)
    g0 = next(r for r in open_records if r.goal == "G0")
    assert g0.status == "open" and 0.0 < g0.value < 1.0 and g0.visits == (1.0, 0.0)


# --------------------------------------------------------------------------- driver


def independent_problem(j: int) -> tuple[FakeEnv, dict]:
    """A ternary tree of unprovable goals, with names of its own."""
    rules: dict[str, dict[str, list[str] | str]] = {}

    def grow(goal: str, depth: int) -> None:
        rules[goal] = {f"t{i}": [goal + str(i)] for i in range(3)}
        if depth:
            for i in range(3):
                grow(goal + str(i), depth - 1)

    grow(f"P{j}:", 4)
    return FakeEnv(f"P{j}:", rules), rules


def test_driver_batches_many_searches() -> None:
    calls: list[int] = []

    def evaluator(requests):
        calls.append(len(requests))
        return uniform_evaluator(requests)

    searches = []
    for j in range(8):
        env, rules = independent_problem(j)
        config = MCTSConfig(leaves_per_round=3, num_simulations=60)
        searches.append(MCTSSearch(env, "thm", tactics_from(rules), config=config))
    report = run_searches(searches, evaluator)
    assert list(report.batch_sizes) == calls  # ONE evaluator call per round
    assert report.batch_sizes[0] == 8  # the roots
    assert report.mean_batch_size >= 16
    assert all(r.simulations == 60 and r.reason is StopReason.MAX_SIMULATIONS for r in report.results)


def test_driver_sends_a_goal_asked_by_several_searches_once() -> None:
    rules = {"R": {"a": ["A"]}, "A": {"x": []}}
    searches = [MCTSSearch(FakeEnv("R", rules), "thm", tactics_from(rules)) for _ in range(3)]
    report = run_searches(searches, uniform_evaluator)
    assert all(r.proved for r in report.results) and report.batch_sizes == (1, 1)


def test_select_and_expand_protocol() -> None:
    search_ = MCTSSearch(FakeEnv("R", {"R": {"a": []}}), "thm", all_of("a"))
    with pytest.raises(RuntimeError):
        search_.select()  # not started
    search_.start()
    with pytest.raises(RuntimeError):
        search_.start()
    with pytest.raises(RuntimeError):
        search_.expand([])
    requests = search_.select()
    assert [r.goal for r in requests] == ["R"]
    with pytest.raises(RuntimeError):
        search_.select()
    with pytest.raises(ValueError):
        search_.expand([])
    search_.expand(uniform_evaluator(requests))
    with pytest.raises(RuntimeError):
        search_.result()
    assert search_.select() == [] and search_.done
    with pytest.raises(RuntimeError):
        search_.result()  # the proof is not verified yet
    search_.finish()
    assert search_.result().proof == "a"
