"""A statement and its negation are searched as a race: the first verified proof is handed to
`on_verified` at once, and the other side's search stops there (no env call after it)."""

from __future__ import annotations

from lean_env import open_env
from prover.actions import ActionSpace
from search.evaluator import uniform_evaluator
from selfplay.attempt import attempt_batch
from selfplay.curriculum import Outcome
from selfplay.generator import EASY
from selfplay.statements import from_generator


class LabellingEnv:
    """`mini`, logging which theorem each `apply` works on (states inherit it) and when each
    proof was handed to the store."""

    def __init__(self) -> None:
        self.inner = open_env("mini")
        self.name = self.inner.name
        self.theorem: dict[int, str] = {}  # state handle -> the statement it descends from
        self.log: list[str] = []

    def start(self, statement: str, **kwargs):
        state = self.inner.start(statement, **kwargs)
        self.theorem[state.handle] = statement
        return state

    def apply(self, state, tactic, **kwargs):
        theorem = self.theorem[state.handle]
        self.log.append(theorem)
        result = self.inner.apply(state, tactic, **kwargs)
        if hasattr(result, "state"):
            self.theorem[result.state.handle] = theorem
        return result

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def test_the_other_side_stops_when_one_side_is_verified() -> None:
    problems = [p for p in from_generator(4, 40, EASY) if p.family.endswith("/true")][:8]
    decided = 0
    for problem in problems:
        env = LabellingEnv()
        [result] = attempt_batch(
            env, [problem], uniform_evaluator, ActionSpace(), run="t", search_prefix="s", model_version=0,
            on_verified=lambda v, log=env.log: log.append(f"verified {v.statement}"),
        )
        applies = [entry for entry in env.log if not entry.startswith("verified ")]
        assert result.env_calls == len(applies)
        if result.outcome is Outcome.NEITHER:
            continue
        decided += 1
        assert result.outcome is Outcome.PROVED  # a true statement is never disproved
        # the proof was handed over as soon as it was found: the negation's search, which
        # would have run on to its budget, made no env call after the statement's last one
        last = max(i for i, theorem in enumerate(env.log) if theorem == problem.statement)
        assert env.log[last + 1:] == [f"verified {problem.statement}"]
        # the stopped search's records are kept, as those of an unproved search
        assert {r.kind for r in result.records} <= {"proof", "unproved"}
    assert decided >= 4


class FaultyVerifierEnv(LabellingEnv):
    """`mini` whose `verify` reports every found script as a soundness fault (as mini's
    cross-check does when a tactic let a false statement through)."""

    def verify(self, statement, proof, **kwargs):
        from lean_env.contract import Verification

        return Verification(False, ("fault",), "mini", fault=f"counterexample to {statement}")


def test_a_soundness_fault_is_counted_and_nothing_is_verified() -> None:
    problems = [p for p in from_generator(4, 40, EASY) if p.family.endswith("/true")][:4]
    results = attempt_batch(
        FaultyVerifierEnv(), problems, uniform_evaluator, ActionSpace(), run="t", search_prefix="s",
        model_version=0, on_verified=lambda v: (_ for _ in ()).throw(AssertionError("a fault was stored")),
    )
    assert all(r.outcome is Outcome.NEITHER and r.verified is None for r in results)
    faults = [f for r in results for f in r.faults]
    assert faults and all(f.startswith("counterexample to ") for f in faults)
