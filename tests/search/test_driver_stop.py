"""The driver reports each search as it ends, and a caller may stop a search it no longer
needs (self-play stops a negation's search once the statement is proved)."""

from __future__ import annotations

import time

from search.bestfirst import StopReason
from search.driver import run_searches
from search.evaluator import uniform_evaluator
from search.mcts import MCTSConfig, MCTSSearch

from .fake_env import FakeEnv, all_of


def endless(goal: str, tactic: str) -> list[str]:
    """Every tactic leaves one new goal: nothing ever closes."""
    return [f"{goal}.{tactic}"]


def quick() -> FakeEnv:
    return FakeEnv("R", {"R": {"a": ["A"]}, "A": {"x": []}})


def test_on_done_reports_every_search_once_as_it_ends_and_may_stop_others() -> None:
    config = MCTSConfig(num_simulations=200, max_env_calls=150)
    slow_env = FakeEnv("S", endless)
    searches = [
        MCTSSearch(quick(), "thm", all_of("a", "x"), config=config),
        MCTSSearch(slow_env, "thm", all_of("p", "q"), config=config),
        MCTSSearch(FakeEnv("T", endless), "thm", all_of("p"), config=MCTSConfig(num_simulations=10)),
    ]
    seen: list[tuple[int, bool, int]] = []

    def on_done(i: int) -> None:
        seen.append((i, searches[i].result().proved, slow_env.env_calls))
        if i == 0:
            searches[1].stop("the other side was proved")

    report = run_searches(searches, uniform_evaluator, on_done=on_done)
    assert sorted(i for i, _, _ in seen) == [0, 1, 2]  # each once
    assert seen[0][:2] == (0, True)
    calls_at_stop = seen[0][2]
    assert seen[1][0] == 1  # reported in the same pass that stopped it
    proved, stopped, budget = report.results
    assert proved.proved and proved.reason is StopReason.PROVED
    assert stopped.reason is StopReason.STOPPED and stopped.detail == "the other side was proved"
    assert stopped.env_calls == slow_env.env_calls == calls_at_stop < 150  # no env call after the stop
    assert budget.reason is StopReason.MAX_SIMULATIONS
    assert not any(s._pending or s._requested for s in searches)


def test_stop_before_the_first_round_and_twice() -> None:
    search = MCTSSearch(quick(), "thm", all_of("a", "x"))
    search.start()
    search.stop()
    search.stop("ignored: already done")
    assert search.done and search.select() == []
    search.finish()
    result = search.result()
    assert result.reason is StopReason.STOPPED and result.env_calls == 0 and not result.proved


def test_stop_between_select_and_expand_ends_the_search_after_expand() -> None:
    search = MCTSSearch(FakeEnv("S", endless), "thm", all_of("p", "q"))
    search.start()
    search.expand(uniform_evaluator(search.select()))  # the root
    requests = search.select()
    assert requests
    search.stop("later")
    assert not search.done
    search.expand(uniform_evaluator(requests))
    assert search.done and search.select() == []
    search.finish()
    result = search.result()
    assert result.reason is StopReason.STOPPED and result.detail == "later"
    tree = search.tree
    assert not any(tree.in_flight) and not any(map(any, tree.edge_in_flight))  # virtual loss taken back


def test_time_spent_in_on_done_is_not_charged_to_the_searches_still_running() -> None:
    searches = [
        MCTSSearch(quick(), "thm", all_of("a", "x")),
        MCTSSearch(
            FakeEnv("S", endless), "thm", all_of("p", "q"), config=MCTSConfig(num_simulations=40, time_limit=0.5)
        ),
    ]

    def slow(i: int) -> None:
        if i == 0:
            time.sleep(0.8)  # say, verifying the proof on a slow backend

    report = run_searches(searches, uniform_evaluator, on_done=slow)
    assert report.results[0].proved
    assert report.results[1].reason is StopReason.MAX_SIMULATIONS and report.results[1].elapsed < 0.5
