"""A false variant is disproved by a self-play attempt and its records enter the buffer as a
disproof, with their provenance (issue 6's acceptance)."""

from __future__ import annotations

import random

from lean_env import open_env
from lean_env.problem import negation
from prover.actions import ActionSpace
from search.evaluator import uniform_evaluator
from selfplay.attempt import attempt_batch
from selfplay.buffer import ReplayBuffer
from selfplay.curriculum import Outcome
from selfplay.generator import EASY
from selfplay.statements import from_generator
from selfplay.variants import mini_readable, variants


def test_a_false_variant_is_disproved_and_its_records_enter_the_buffer_as_a_disproof() -> None:
    env = open_env("mini")
    parents = [p for p in from_generator(4, 40, EASY) if p.family.endswith("/true")]
    candidates = [v for p in parents[:12] for v in variants(p, random.Random(p.name), 3, readable=mini_readable)]
    proved_parents = attempt_batch(
        env, parents[:12], uniform_evaluator, ActionSpace(), run="test", search_prefix="p", model_version=0
    )
    assert sum(r.outcome is Outcome.PROVED for r in proved_parents) >= 6  # true parents: proved, never disproved
    assert not any(r.outcome is Outcome.DISPROVED for r in proved_parents)

    written = []
    results = attempt_batch(
        env, candidates, uniform_evaluator, ActionSpace(), run="test", search_prefix="w0-1", model_version=3,
        on_verified=written.append,
    )
    disproved = [(v, r) for v, r in zip(candidates, results) if r.outcome is Outcome.DISPROVED]
    assert disproved, "some variants of true statements are false, and self-play disproves them"
    variant, result = disproved[0]
    # the disproof was verified: a proof of the negation, re-checked here from scratch
    assert result.verified is not None and result.verified.kind == "disproof"
    assert result.verified.statement == negation(variant).statement
    assert env.verify(result.verified.statement, result.verified.proof).ok
    assert result.verified in written  # handed to the store before anything else

    buffer = ReplayBuffer(1000, seed=0)
    buffer.add(result.records)
    disproof_records = [r for r in buffer if r.kind == "disproof"]
    assert buffer.counts()["disproof"] == len(disproof_records) > 0
    for r in disproof_records:
        assert r.statement == negation(variant).name and r.run == "test" and r.model_version == 3
        assert r.search.startswith("w0-1-") and r.search.endswith("-neg")
    assert any(r.value == 1.0 for r in disproof_records)  # the negation's root was proved


def test_a_proof_through_a_generated_tactic_is_marked_novel() -> None:
    """The rules propose no witness here; an evaluator proposing `use 7` (as the network's
    decoder does) lets the statement be proved, and the verified proof says which step was novel."""
    from lean_env.problem import Problem
    from search.evaluator import EvalResult

    env = open_env("mini")
    problem = Problem("sq49", "theorem sq49 : ∃ n : ℕ, n * n = 49")

    def writer(requests):
        out = []
        for r in requests:
            extra = ("use 7",) if "∃" in r.goal and "use 7" not in r.tactics else ()
            k = len(r.tactics) + len(extra)
            out.append(EvalResult((1.0 / k,) * k, 0.5, extra))
        return out

    def rules(goal):
        return ["norm_num", "simp", "decide"]

    (result,) = attempt_batch(env, [problem], writer, rules, run="r", search_prefix="t", model_version=1)
    assert result.outcome is Outcome.PROVED and result.verified is not None
    assert result.verified.novel == ("use 7",)
    (plain,) = attempt_batch(env, [problem], uniform_evaluator, rules, run="r", search_prefix="u", model_version=0)
    assert plain.verified is None or plain.verified.novel == ()
