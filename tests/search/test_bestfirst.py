"""Best-first search on a tiny dict-driven environment: no backend involved."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from lean_env.contract import StatementError
from search.bestfirst import SearchConfig, StopReason, best_first_search, uniform_scorer

from .fake_env import FakeEnv as SharedFakeEnv
from .fake_env import all_of

TIMEOUT = "timeout"


def FakeEnv(root: list[str], rules: dict[tuple[str, str], list[str] | str] | Callable) -> SharedFakeEnv:
    """The shared fake environment, with rules keyed by (goal text, tactic) pairs."""
    return SharedFakeEnv(root, (lambda g, t: rules.get((g, t))) if isinstance(rules, dict) else rules)


def test_proof_script_puts_new_goals_first_and_replays() -> None:
    rules = {("A", "split"): ["B", "C"], ("B", "b1"): ["D"], ("D", "d"): [], ("C", "c"): []}
    env = FakeEnv(["A"], rules)
    result = best_first_search(env, "thm", all_of("split", "b1", "d", "c"))
    assert result.proved and result.reason is StopReason.PROVED
    assert result.proof == "split\nb1\nd\nc"
    assert env.verified == [result.proof]
    assert result.verification is not None and result.verification.ok
    assert result.env_calls == len(env.calls)


def test_root_with_several_goals() -> None:
    env = FakeEnv(["A", "B"], {("A", "a"): [], ("B", "b"): []})
    result = best_first_search(env, "thm", all_of("b", "a"))
    assert result.proof == "a\nb"


def test_higher_log_probability_expands_first() -> None:
    rules = {("A", "x"): ["X"], ("A", "y"): ["Y"]}
    env = FakeEnv(["A"], rules)

    def scorer(goal_text: str, tactics: list[str]) -> list[float]:
        return [math.log({"x": 0.1, "y": 0.9, "fin": 1.0}[t]) for t in tactics]

    result = best_first_search(env, "thm", all_of("x", "y", "fin"), scorer=scorer)
    assert result.reason is StopReason.EXHAUSTED and not result.proved
    # Within a node: by score. Across nodes: Y (log .9) before X (log .1).
    assert env.calls == [
        ("A", "fin"), ("A", "y"), ("A", "x"),
        ("Y", "fin"), ("Y", "y"), ("Y", "x"),
        ("X", "fin"), ("X", "y"), ("X", "x"),
    ]  # fmt: skip


def test_ties_go_to_the_node_queued_first() -> None:
    rules = {("A", "p"): ["P"], ("A", "q"): ["Q"], ("A", "r"): ["R"]}
    env = FakeEnv(["A"], rules)
    best_first_search(env, "thm", lambda g: ["p", "q", "r"] if g.text == "A" else ["z"])
    assert [goal for goal, tactic in env.calls if tactic == "z"] == ["P", "Q", "R"]


def test_cumulative_log_probability_prefers_shallow_nodes() -> None:
    # A -a-> B -a-> C ... a deep chain, and A -b-> E: E (one step) must come before C (two).
    rules = {("A", "a"): ["B"], ("B", "a"): ["C"], ("A", "b"): ["E"]}
    env = FakeEnv(["A"], rules)
    best_first_search(env, "thm", all_of("a", "b"))
    expanded = list(dict.fromkeys(goal for goal, _ in env.calls))
    assert expanded == ["A", "B", "E", "C"]
    assert uniform_scorer("g", ["a", "b"]) == [-math.log(2)] * 2


def test_duplicate_goal_lists_are_searched_once() -> None:
    # Same canonical goal, different case tags: one node.
    rules = {("A", "p"): ["case left\nB"], ("A", "q"): ["case other\nB"], ("A", "r"): ["A"]}
    env = FakeEnv(["A"], rules)
    result = best_first_search(env, "thm", lambda g: ["p", "q", "r"] if g.text == "A" else ["z"])
    assert result.reason is StopReason.EXHAUSTED
    assert [call for call in env.calls if call[1] == "z"] == [("case left\nB", "z")]
    assert result.expansions == 2  # A, then B once; the A returned by `r` is not re-queued


def chain(goal: str, tactic: str) -> list[str] | None:
    """An endless chain G0 -> G1 -> ...; nothing ever closes."""
    return [f"G{int(goal[1:]) + 1}"] if tactic == "next" else None


def test_env_call_budget_stops_the_search() -> None:
    env = FakeEnv(["G0"], chain)
    result = best_first_search(env, "thm", all_of("next", "nope"), config=SearchConfig(max_env_calls=7))
    assert (result.proved, result.proof, result.reason) == (False, None, StopReason.MAX_ENV_CALLS)
    assert result.env_calls == len(env.calls) == 7
    assert env.verified == []


def test_expansion_budget_stops_the_search() -> None:
    env = FakeEnv(["G0"], chain)
    result = best_first_search(env, "thm", all_of("next"), config=SearchConfig(max_expansions=5))
    assert result.reason is StopReason.MAX_EXPANSIONS
    assert result.expansions == 5 and result.env_calls == 5


def test_time_limit_stops_the_search_and_caps_tactic_timeouts() -> None:
    env = FakeEnv(["G0"], chain)
    result = best_first_search(env, "thm", all_of("next"), config=SearchConfig(time_limit=1e-9))
    assert result.reason is StopReason.TIME_LIMIT and env.calls == []
    env = FakeEnv(["G0"], chain)
    config = SearchConfig(max_env_calls=3, time_limit=30.0, tactic_timeout=0.25)
    best_first_search(env, "thm", all_of("next"), config=config)
    assert env.timeouts and all(0 < t <= 0.25 for t in env.timeouts)


def test_errors_and_timeouts_are_dead_ends() -> None:
    rules = {("A", "slow"): TIMEOUT, ("A", "ok"): ["B"], ("B", "done"): []}
    env = FakeEnv(["A"], rules)
    result = best_first_search(env, "thm", all_of("slow", "bad", "ok", "done"))
    assert result.proof == "ok\ndone"


def test_unverified_proof_is_not_reported_as_proved() -> None:
    env = FakeEnv(["A"], {("A", "a"): []})
    env.accept = False
    result = best_first_search(env, "thm", all_of("a"))
    assert not result.proved and result.proof is None
    assert result.reason is StopReason.VERIFY_FAILED
    assert result.unverified_proof == "a" and env.verified == ["a"]
    assert result.verification is not None and not result.verification.ok


def test_statement_errors_propagate() -> None:
    with pytest.raises(StatementError) as info:
        best_first_search(FakeEnv(["A"], {}), "bad", all_of("a"))
    assert (info.value.line, info.value.col) == (1, 5)


def test_scorer_must_score_every_tactic() -> None:
    with pytest.raises(ValueError, match="scores"):
        best_first_search(FakeEnv(["A"], {}), "thm", all_of("a", "b"), scorer=lambda g, ts: [0.0])
