"""The curriculum: reasons over a scripted run, retirement and parking, shares over many picks,
variants of solved statements, the capacity bound, and a JSON state round trip."""

from __future__ import annotations

import collections
import json

import pytest

from lean_env.problem import Problem
from selfplay.curriculum import Curriculum, CurriculumConfig, Outcome, Pick, Reason, Status
from selfplay.statements import from_generator
from selfplay.variants import variant_maker

P, D, N = Outcome.PROVED, Outcome.DISPROVED, Outcome.NEITHER
ONLY_MAIN = CurriculumConfig(window=3, replay_share=0.0, retry_share=0.0, variant_share=0.0, new_share=1.0)


def prob(i: int) -> Problem:
    return Problem(f"p{i}", f"theorem p{i} (x : ℕ) (h₀ : x = {i}) : x + 1 = {i + 1}")


def run(cur: Curriculum, outcome: Outcome) -> Pick:
    pick = cur.pick()
    cur.record(pick.problem.name, outcome)
    return pick


def test_scripted_reasons_and_buckets():
    cur = Curriculum([prob(0), prob(1), prob(2)], config=ONLY_MAIN)
    # NEW first come first served; parallel picks get different statements
    a, b = cur.pick(), cur.pick()
    assert (a.problem.name, a.reason, b.problem.name, b.reason) == ("p0", Reason.NEW, "p1", Reason.NEW)
    assert cur.status("p0") is Status.BUSY
    cur.record("p0", P)
    cur.record("p1", N)
    assert (cur.status("p0"), cur.status("p1")) == (Status.CONFIRM, Status.CONFIRM)
    assert run(cur, D).problem.name == "p2"  # still one NEW: new_share 1 prefers it
    # no NEW left: CONFIRM ones are retried to settle them
    seen = collections.Counter()
    for _ in range(4):
        pick = cur.pick()
        seen[pick.reason] += 1
        cur.record(pick.problem.name, {"p0": P, "p1": N, "p2": N}[pick.problem.name])
    assert Reason.CONFIRM in seen and set(seen) <= {Reason.CONFIRM, Reason.FRONTIER}
    # drive to the end states: p0 solved over the window, p1 failed over it, p2 mixed
    for name, outcomes in {"p0": [P, D, P], "p1": [N, N, N], "p2": [P, N, D]}.items():
        for o in outcomes:
            cur.record(name, o)
    assert cur.outcomes("p0") == (P, D, P) and cur.status("p0") is Status.RETIRED
    assert cur.status("p1") is Status.PARKED and cur.status("p2") is Status.FRONTIER
    assert cur.counts() == {"new": 0, "confirm": 0, "frontier": 1, "retired": 1, "parked": 1, "busy": 0}
    # only the frontier one is picked while it stays there ...
    assert [run(cur, P if i % 2 else N).reason for i in range(4)] == [Reason.FRONTIER] * 4
    # ... and once it is retired, the rest come by replay / retry only
    for o in (P, P, P):
        cur.record("p2", o)
    reasons = {cur.pick().reason for _ in range(20)}
    assert reasons == {Reason.REPLAY, Reason.UNSOLVED_RETRY}


def test_replay_fails_back_to_the_frontier_and_retry_success_too():
    cur = Curriculum([prob(0), prob(1)], config=CurriculumConfig(window=2))
    for o in (P, P):
        cur.record("p0", o)
    for o in (N, N):
        cur.record("p1", o)
    assert (cur.status("p0"), cur.status("p1")) == (Status.RETIRED, Status.PARKED)
    cur.record("p0", N)
    cur.record("p1", D)
    assert (cur.status("p0"), cur.status("p1")) == (Status.FRONTIER, Status.FRONTIER)


def test_shares_over_many_picks():
    """10 % replay and 5 % retry of the picks, with a frontier that never runs dry."""
    config = CurriculumConfig(window=2, replay_share=0.1, retry_share=0.05, variant_share=0.0)
    problems = [prob(i) for i in range(60)]
    cur = Curriculum(problems, config=config, seed=3)
    for i, p in enumerate(problems):  # 20 retired, 20 parked, 20 on the frontier
        for o in [(P, P), (N, N), (P, N)][i % 3]:
            cur.record(p.name, o)
    reasons = collections.Counter()
    for _ in range(3000):
        pick = cur.pick()
        reasons[pick.reason] += 1
        last = cur.outcomes(pick.problem.name)[-1]
        # keep every statement where it is: retired stay solved, parked stay failed, frontier alternates
        keep = {Reason.REPLAY: P, Reason.UNSOLVED_RETRY: N, Reason.FRONTIER: N if last.solved else P}
        cur.record(pick.problem.name, keep[pick.reason])
    assert set(reasons) == {Reason.REPLAY, Reason.UNSOLVED_RETRY, Reason.FRONTIER}
    assert abs(reasons[Reason.REPLAY] / 3000 - 0.1) < 0.02
    assert abs(reasons[Reason.UNSOLVED_RETRY] / 3000 - 0.05) < 0.015


def test_variant_picks_come_from_solved_statements():
    base = [prob(i) for i in range(6)]
    config = CurriculumConfig(window=2, variant_share=0.5, replay_share=0.0, retry_share=0.0)
    cur = Curriculum(base, config=config, seed=1, make_variant=variant_maker(readable=None))
    for o in (P, D):
        cur.record(base[0].name, o)  # the only solved statement
    picks = [run(cur, N) for _ in range(30)]
    variants = [p for p in picks if p.reason is Reason.VARIANT]
    assert len(variants) >= 5
    for v in variants:
        assert v.problem.parent == base[0].name and v.problem.source.startswith("variant:")
        assert v.problem.name in cur
    assert Curriculum(base, config=config).pick().reason is Reason.NEW  # no maker, no variants


def test_capacity_evicts_retired_then_parked_then_refuses():
    cur = Curriculum([prob(i) for i in range(3)], config=CurriculumConfig(window=1, capacity=3))
    cur.record("p0", N)
    cur.record("p1", P)
    assert cur.add(prob(3)) and "p1" not in cur  # the retired one made room
    assert cur.add(prob(4)) and "p0" not in cur  # then the parked one
    assert not cur.add(prob(5)) and len(cur) == 3  # NEW ones are never evicted
    assert cur.record("p1", P) is False  # evicted: its late outcome is ignored


def test_duplicates_by_name_or_text_are_refused():
    cur = Curriculum([prob(0)])
    assert not cur.add(prob(0))
    assert not cur.add(Problem("other", "theorem other (x : ℕ)\n  (h₀ : x = 0) : x + 1 = 1"))
    assert cur.extend([prob(0), prob(1), prob(2)]) == 2


def test_empty_and_bad_config():
    with pytest.raises(LookupError):
        Curriculum().pick()
    with pytest.raises(ValueError):
        CurriculumConfig(replay_share=0.7, retry_share=0.5)
    with pytest.raises(ValueError):
        CurriculumConfig(window=0)
    cur = Curriculum([prob(0)])
    assert run(cur, N).reason is Reason.NEW
    assert cur.pick().reason is Reason.CONFIRM  # a lone statement is retried even when busy
    assert cur.pick().problem.name == "p0"


def test_state_round_trip_continues_identically():
    make = variant_maker(readable=None)
    config = CurriculumConfig(window=3, variant_share=0.2)
    problems = from_generator(2, 40, "easy")
    cur = Curriculum(problems, config=config, seed=5, make_variant=make)

    def outcome(name: str, i: int) -> Outcome:
        return [P, N, D][(len(name) + i) % 3]

    for i in range(120):
        pick = cur.pick()
        cur.record(pick.problem.name, outcome(pick.problem.name, i))
    state = json.loads(json.dumps(cur.state_dict()))
    back = Curriculum.from_state(state, make_variant=make)
    assert back.counts() == cur.counts() and back.reasons == cur.reasons and len(back) == len(cur)
    assert {Reason.NEW, Reason.VARIANT, Reason.FRONTIER} <= set(cur.reasons)
    for i in range(120, 200):
        a, b = cur.pick(), back.pick()
        assert a == b
        cur.record(a.problem.name, outcome(a.problem.name, i))
        back.record(b.problem.name, outcome(b.problem.name, i))
    assert back.state_dict() == cur.state_dict()
    with pytest.raises(ValueError):
        Curriculum.from_state({**state, "version": 99})


# ------------------------------------------------------------------ real statements (from files)


def real(i: int) -> Problem:
    return Problem(f"r{i}", f"theorem r{i} (x : ℕ) (h₀ : x = {i}) : x * 2 = {2 * i}", source="file:valid.jsonl")


def test_parked_real_statements_are_retried_at_their_own_share():
    """15 % real retries and 5 % generated retries, with a frontier that never runs dry."""
    config = CurriculumConfig(window=2, replay_share=0.0, retry_share=0.05, variant_share=0.0, real_retry_share=0.15)
    generated = [prob(i) for i in range(40)]
    reals = [real(i) for i in range(20)]
    cur = Curriculum([*generated, *reals], config=config, seed=7)
    for i, p in enumerate(generated):  # 20 parked, 20 on the frontier
        for o in [(N, N), (P, N)][i % 2]:
            cur.record(p.name, o)
    for p in reals:
        for o in (N, N):
            cur.record(p.name, o)
    assert cur.status("r0") is Status.PARKED and cur.counts()["parked"] == 40 and len(cur.real_parked()) == 20
    reasons = collections.Counter()
    picked: dict[Reason, set[str]] = collections.defaultdict(set)
    for _ in range(4000):
        pick = cur.pick()
        reasons[pick.reason] += 1
        picked[pick.reason].add(pick.problem.name)
        last = cur.outcomes(pick.problem.name)[-1]
        keep = {Reason.UNSOLVED_RETRY: N, Reason.REAL_RETRY: N, Reason.FRONTIER: N if last.solved else P}
        cur.record(pick.problem.name, keep[pick.reason])
    assert set(reasons) == {Reason.UNSOLVED_RETRY, Reason.REAL_RETRY, Reason.FRONTIER}
    assert abs(reasons[Reason.REAL_RETRY] / 4000 - 0.15) < 0.02
    assert abs(reasons[Reason.UNSOLVED_RETRY] / 4000 - 0.05) < 0.015
    assert picked[Reason.REAL_RETRY] == {p.name for p in reals}, "every parked real statement stays in rotation"
    assert not picked[Reason.UNSOLVED_RETRY] & picked[Reason.REAL_RETRY]


def test_without_real_statements_the_picks_are_as_before():
    """The real-retry share falls through to the other picks: a generator-only run picks what it did."""
    problems = [prob(i) for i in range(30)]
    with_share = Curriculum(problems, config=CurriculumConfig(window=2, real_retry_share=0.15), seed=2)
    without = Curriculum(problems, config=CurriculumConfig(window=2, real_retry_share=0.0), seed=2)
    for i in range(300):
        a, b = with_share.pick(), without.pick()
        assert a == b, i
        for cur in (with_share, without):
            cur.record(a.problem.name, [P, N, N, D][i % 4])
    assert Reason.REAL_RETRY not in with_share.reasons


def test_parked_real_statements_are_evicted_after_every_generated_one():
    config = CurriculumConfig(window=1, capacity=5)
    cur = Curriculum([real(0), prob(0), real(1), prob(1), prob(2)], config=config)
    for name, o in {"r0": N, "p0": N, "r1": N, "p1": N, "p2": P}.items():
        cur.record(name, o)
    evicted = []
    for i in range(10, 15):
        before = set(cur.names())
        assert cur.add(prob(i))
        evicted += sorted(before - set(cur.names()))
    assert evicted == ["p2", "p0", "p1", "r0", "r1"], "retired, then parked generated, then parked real"
    assert not cur.add(prob(20)), "only NEW ones left: none is evicted"


def test_real_parked_state_round_trips_and_old_states_load():
    config = CurriculumConfig(window=2, real_retry_share=0.3)
    cur = Curriculum([*(prob(i) for i in range(6)), *(real(i) for i in range(6))], config=config, seed=4)
    for _ in range(60):
        pick = cur.pick()
        cur.record(pick.problem.name, P if pick.problem.name in ("p0", "r0") else N)
    state = json.loads(json.dumps(cur.state_dict()))
    back = Curriculum.from_state(state)
    assert back.real_parked() == cur.real_parked() and len(cur.real_parked()) == 5
    assert Reason.REAL_RETRY in cur.reasons and back.reasons == cur.reasons
    for i in range(60):
        a, b = cur.pick(), back.pick()
        assert a == b, i
        cur.record(a.problem.name, N)
        back.record(b.problem.name, N)
    # a state written before real retries existed: no real_retry_share, the parked ones in one list
    old = json.loads(json.dumps(cur.state_dict()))
    del old["config"]["real_retry_share"]
    loaded = Curriculum.from_state(old)
    assert loaded.config.real_retry_share == CurriculumConfig().real_retry_share
    assert loaded.real_parked() == cur.real_parked() and loaded.counts() == cur.counts()
