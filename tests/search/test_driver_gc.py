"""The driver relaxes the garbage collector only while searches run."""

from __future__ import annotations

import gc

from search.driver import GC_GEN0_THRESHOLD, fewer_collections, run_searches
from search.evaluator import EvalRequest, EvalResult, uniform_evaluator
from search.mcts import MCTSConfig, MCTSSearch

from .fake_env import FakeEnv, tactics_from

RULES = {"A": {"split": ["B", "C"]}, "B": {"b": []}, "C": {"c": []}}


def test_threshold_raised_during_the_run_and_restored_after() -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []

    def evaluator(requests: list[EvalRequest]) -> list[EvalResult]:
        seen.append(gc.get_threshold())
        return list(uniform_evaluator(requests))

    search = MCTSSearch(FakeEnv("A", RULES), "thm", tactics_from(RULES), config=MCTSConfig(num_simulations=20))
    report = run_searches([search], evaluator)
    assert report.results[0].proved
    assert seen and all(t[0] >= GC_GEN0_THRESHOLD and t[1] >= before[1] and t[2] >= before[2] for t in seen)
    assert gc.get_threshold() == before


def test_threshold_restored_when_the_run_raises() -> None:
    before = gc.get_threshold()
    try:
        with fewer_collections():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
