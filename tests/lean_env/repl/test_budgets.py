"""Issue 16 on the `repl` backend, over the stand-in REPL: heartbeat budgets Lean enforces,
kills and restarts counted, the warm standby, planned restarts (proof states, requests, address
space), bounded replay, goal bookkeeping checked on every step and on replay, and `verify`
refusing a theorem whose elaborated type is not the statement's."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytest.importorskip("lean_interact")
import psutil

from lean_env.contract import TacticError, TacticSuccess, TacticTimeout
from lean_env.repl.backend import address_space_mb
from lean_env.repl.protocol import declaration

from .fakes import logged
from .test_backend import EX, LEFT, PROOF, RIGHT, ROOT, T, alive, gone, open_fake, sent


def test_a_tactic_out_of_heartbeats_is_a_timeout_and_the_process_lives_on(tmp_path: Path) -> None:
    heavy = {"goals": {ROOT: {"nlinarith": "heartbeats", "constructor": [LEFT, RIGHT]}}}
    with open_fake(tmp_path, heartbeats=5000, script=heavy) as env:
        root = env.start(T)
        pid = env.pid
        stopped = env.apply(root, "nlinarith", timeout=30)
        assert isinstance(stopped, TacticTimeout) and stopped.elapsed < 5
        assert env.pid == pid and alive(pid)  # Lean stopped it: no kill, no restart
        assert isinstance(env.apply(root, "constructor"), TacticSuccess)
        c = env.counters()
        assert (c.heartbeat_stops, c.kills, c.restarts) == (1, 0, 0) and c.requests >= 4
    assert any("leanzero_budget 5000 in (nlinarith)" in r.get("tactic", "") for r in logged(tmp_path))


def test_without_the_budget_tactic_tactics_go_bare(tmp_path: Path) -> None:
    with open_fake(tmp_path, script={"no_budget": True}) as env:
        root = env.start(T)
        assert isinstance(env.apply(root, "constructor"), TacticSuccess)
    assert sent(tmp_path)[-1] == "[constructor]"  # the wrapper without `leanzero_budget`
    off = tmp_path / "off"
    off.mkdir()
    with open_fake(off, heartbeats=None) as env:
        assert isinstance(env.apply(env.start(T), "constructor"), TacticSuccess)
    assert not any("leanzero_budget" in str(r) for r in logged(off))
    with pytest.raises(ValueError, match="heartbeats"):
        open_fake(tmp_path, heartbeats=0)


def test_kills_crashes_and_replays_are_counted(tmp_path: Path) -> None:
    with open_fake(tmp_path) as env:
        root = env.start(T)
        split = env.apply(root, "constructor")
        assert isinstance(env.apply(split.state, "simp", goal=1, timeout=0.3), TacticTimeout)
        assert isinstance(env.apply(split.state, "exact hp", goal=0), TacticSuccess)  # rebuilt by replay
        assert isinstance(env.apply(root, "omega"), TacticError)  # crashes twice
        c = env.counters()
        # the second crash is not replaced until the next call needs a process
        assert (c.kills, c.crashes, c.replayed_steps, c.restarts) == (1, 2, 1, 2)


def test_the_warm_standby_takes_over_after_a_kill(tmp_path: Path) -> None:
    with open_fake(tmp_path, standby=True) as env:
        root = env.start(T, header="import Foo")
        spare = env.standby_pid
        assert spare is not None and spare != env.pid and alive(spare)
        deadline = time.monotonic() + 10  # the standby elaborates the header in the background
        while sent(tmp_path).count("import Foo") < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sent(tmp_path).count("import Foo") == 2  # before any kill: warm, not cold
        first = env.pid
        assert isinstance(env.apply(root, "simp", timeout=0.3), TacticTimeout)
        assert gone(first)
        assert isinstance(env.apply(root, "constructor"), TacticSuccess)  # on the former standby
        assert env.pid == spare and env.counters().standby_swaps == 1
        assert env.standby_pid not in (None, spare)  # a new standby warms up
        both = (env.pid, env.standby_pid)
    assert all(gone(p) for p in both if p is not None)  # `close` kills the standby too
    # the swap needed no header elaboration: the new standby warms the third copy
    assert sent(tmp_path).count("import Foo") >= 2


def test_planned_restarts_after_proof_states_and_requests(tmp_path: Path) -> None:
    with open_fake(tmp_path, restart_states=2) as env:
        root = env.start(T)
        split = env.apply(root, "constructor")  # the second proof state of this process
        assert isinstance(env.apply(split.state, "exact hq", goal=1), TacticSuccess)  # replaced first, then replayed
        c = env.counters()
        assert c.scheduled_restarts >= 1 and c.replayed_steps >= 1
    again = tmp_path / "requests"
    again.mkdir()
    with open_fake(again, restart_requests=3) as env:
        root = env.start(T)
        for _ in range(3):
            assert isinstance(env.apply(root, "constructor"), TacticSuccess)
        assert env.counters().scheduled_restarts >= 1


def test_memory_is_compared_as_address_space() -> None:
    """The soft restart reads what RLIMIT_AS caps (virtual size), never less than the RSS."""
    me = psutil.Process(os.getpid()).memory_info()
    assert address_space_mb(os.getpid()) >= me.rss / 2**20 and address_space_mb(None) == 0.0


def test_replay_is_bounded(tmp_path: Path) -> None:
    with open_fake(tmp_path, max_replay=0) as env:
        root = env.start(T)
        split = env.apply(root, "constructor")
        env.apply(split.state, "simp", goal=1, timeout=0.3)  # kills the process
        lost = env.apply(split.state, "exact hp", goal=0)
        assert isinstance(lost, TacticError) and "max_replay" in lost.message


def test_a_replay_that_gives_other_goals_fails_clearly(tmp_path: Path) -> None:
    flaky = {ROOT: {"constructor": {"first": [LEFT, RIGHT], "then": [RIGHT, LEFT]}, "simp": "sleep"}}
    with open_fake(tmp_path, script={"goals": flaky}) as env:
        root = env.start(T)
        split = env.apply(root, "constructor")
        env.apply(root, "simp", timeout=0.3)  # kills the process
        lost = env.apply(split.state, "exact hp", goal=0)
        assert isinstance(lost, TacticError) and "other than the recorded" in lost.message


def test_a_tactic_that_changes_a_goal_it_was_not_applied_to_fails(tmp_path: Path) -> None:
    with open_fake(tmp_path) as env:
        split = env.apply(env.start(EX), "refine ⟨?w, ?_⟩")
        assert isinstance(split, TacticSuccess)
        # `exact 3` on `?w` assigns it in the other goal: without with_goals that is a mismatch
        alone = env.apply(split.state, "exact 3", goal=0)
        assert isinstance(alone, TacticError) and "not applied to" in alone.message
        together = env.apply(split.state, "exact 3", goal=0, with_goals=(1,))
        assert isinstance(together, TacticSuccess) and [g.text for g in together.goals] == ["case h\n⊢ 3 + 2 = 5"]


def test_verify_refuses_a_theorem_that_is_not_the_statement(tmp_path: Path) -> None:
    two = declaration(T)
    changed = {"checks": {two.proof_command(PROOF): "two (p q : Prop) : False"}}
    with open_fake(tmp_path, script=changed) as env:
        verdict = env.verify(T, PROOF)
        assert not verdict.ok and "not the one asked" in verdict.messages[0]
    with open_fake(tmp_path) as env:
        assert env.verify(T, PROOF).ok
        env.verify(T, PROOF)
    # the statement's own type is asked once per statement, not once per proof
    assert sent(tmp_path).count(two.start_command()) == 2  # once for each env above
