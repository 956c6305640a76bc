"""`ReplEnv` end to end over a stand-in REPL process (issue 5, items 2, 4, 5): starting theorems,
addressing one goal of many, coupled goals, errors, timeouts, crashes, restart-and-replay,
memory restarts, verification, and a process tree that dies with its owner.

The stand-in (`fake_repl.py`) answers in the REPL's recorded forms and models the Lean semantics
the backend relies on (`rotate_left`, `focus`, `all_goals skip`); its log shows what was sent.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("lean_interact")
import psutil

from lean_env.contract import ProofEnv, StatementError, TacticError, TacticSuccess, TacticTimeout
from lean_env.repl.backend import ReplEnv
from lean_env.repl.protocol import declaration

from .fakes import FAKE_REPL, fake_spec, logged

T = "theorem two (p q : Prop) (hp : p) (hq : q) : p ∧ q"
ROOT = "p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q"
LEFT, RIGHT = "case left\n" + ROOT.replace("p ∧ q", "p"), "case right\n" + ROOT.replace("⊢ p ∧ q", "⊢ q")
EX = "theorem ex : ∃ x : Nat, x + 2 = 5"
W, H = "case w\n⊢ Nat", "case h\n⊢ ?w + 2 = 5"
PROOF = "constructor\n· exact hp\n· exact hq"


def info(data: str) -> dict:
    return {"severity": "info", "pos": {"line": 1, "column": 0}, "endPos": {"line": 1, "column": 6}, "data": data}


def error(data: str, line: int = 1, column: int = 0) -> dict:
    return {
        "severity": "error", "pos": {"line": line, "column": column},
        "endPos": {"line": line, "column": column + 1}, "data": data,
    }


def script(tmp_path: Path, **extra: object) -> dict:
    two = declaration(T)
    return {
        "log": str(tmp_path / "log"), "pids": str(tmp_path / "pids"),
        "commands": {
            two.start_command(): {
                "sorries": [{"pos": {"line": 1, "column": 56}, "goal": ROOT, "endPos": {"line": 1, "column": 61}}]
            },
            declaration(EX).start_command(): {"sorries": [{"goal": "⊢ ∃ x, x + 2 = 5"}]},
            "theorem bad : Nat.foo = 1 := by sorry": {"messages": [error("Unknown constant `Nat.foo`", 1, 14)]},
            "import Foo": {},
            two.proof_command(PROOF): {},
            two.proof_command("exact ⟨hp, hq⟩"): {
                "messages": [{**info("x"), "severity": "warning", "data": "declaration uses `sorry`"}]
            },
            two.proof_command("simp"): "sleep",
            two.axioms_command(): {"messages": [info("'two' depends on axioms: [propext]")]},
            declaration(EX).proof_command("exact ⟨3, rfl⟩"): {},
            declaration(EX).axioms_command(): {
                "messages": [info("'ex' depends on axioms: [propext, Lean.ofReduceBool]")]
            },
        },
        "goals": {
            ROOT: {
                "constructor": [LEFT, RIGHT], "exact ⟨hp, hq⟩": [], "simp": "sleep", "omega": "crash",
                "decide": "crash once", "exact hp": "error: type mismatch\n  hp\nhas type\n  p : Prop",
                "exact foo": {"messages": [error("Unknown identifier `foo`")]},
            },
            LEFT.split("\n", 1)[1]: {"exact hp": []},
            RIGHT.split("\n", 1)[1]: {"exact hq": [], "simp": "sleep"},
            "⊢ ∃ x, x + 2 = 5": {"refine ⟨?w, ?_⟩": [W, H]},
            "⊢ Nat": {"exact 3": ["?w := 3"]},
            "⊢ 3 + 2 = 5": {"rfl": []},
        },
        "after_crash": {"decide": [LEFT, RIGHT]},
        **extra,
    }


def open_fake(tmp_path: Path, memory_mb: int | None = None, **options) -> ReplEnv:
    """A `ReplEnv` on the stand-in; no warm standby unless asked (tests count processes)."""
    extra = options.pop("script", {})
    options.setdefault("standby", False)
    return ReplEnv(fake_spec(tmp_path, script(tmp_path, **extra), memory_mb=memory_mb), **options)


WRAPPED = re.compile(
    r"^\((rotate_left \d+; )?\(focus \((?:leanzero_budget 100000 in \((.*)\)|(.*))\)\); all_goals skip\)$"
)


def sent(tmp_path: Path) -> list[str]:
    """What was sent, the budget tactic's definition left out and a tactic shown without the
    wrapper every step gets (`rotate_left k; t` for goal k > 0, `[t]` when it had no budget):
    `test_protocol` checks the wrapper itself."""
    out = []
    for r in logged(tmp_path):
        text = r.get("tactic") or r["cmd"]
        if "leanzero_budget" in text and "cmd" in r:
            continue
        if m := WRAPPED.match(text):
            text = (m.group(1) or "") + (m.group(2) if m.group(2) is not None else f"[{m.group(3)}]")
        out.append(text)
    return out


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def pids(tmp_path: Path, kind: str) -> list[int]:
    return [int(line.split()[1]) for line in (tmp_path / "pids").read_text().splitlines() if line.startswith(kind)]


def gone(pid: int, within: float = 3.0) -> bool:
    deadline = time.monotonic() + within
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not alive(pid)


def test_each_goal_is_addressed_on_its_own(tmp_path: Path) -> None:
    with open_fake(tmp_path) as env:
        assert isinstance(env, ProofEnv) and env.name == "repl"
        root = env.start(T + " := by sorry")
        assert [g.text for g in root.goals] == [ROOT]
        split = env.apply(root, "constructor")
        assert isinstance(split, TacticSuccess)
        left, right = split.goals
        assert (left.case, right.case, left.canonical) == ("left", "right", LEFT.split("\n", 1)[1])
        # the second goal first: the first stays in Lean's state, outside the contract's
        second = env.apply(split.state, "exact hq", goal=1)
        assert isinstance(second, TacticSuccess) and second.state.solved
        first = env.apply(split.state, "exact hp", goal=0)
        assert isinstance(first, TacticSuccess) and first.state.solved
        # a goal's tactic cannot reach the other goal: `focus` hides it
        assert isinstance(env.apply(split.state, "exact hp", goal=1), TacticError)
    assert sent(tmp_path)[1:] == ["constructor", "rotate_left 1; exact hq", "exact hp", "rotate_left 1; exact hp"]


def test_coupled_goals_travel_together(tmp_path: Path) -> None:
    with open_fake(tmp_path) as env:
        root = env.start(EX)
        split = env.apply(root, "refine ⟨?w, ?_⟩")
        assert isinstance(split, TacticSuccess)
        w, h = split.goals
        assert w.mvars == h.mvars == frozenset({"?w"})  # `w` is `?w`, which `h` mentions
        witness = env.apply(split.state, "exact 3", goal=0, with_goals=(1,))
        assert isinstance(witness, TacticSuccess) and [g.canonical for g in witness.goals] == ["⊢ 3 + 2 = 5"]
        assert witness.goals[0].mvars == frozenset()
        assert isinstance(done := env.apply(witness.state, "rfl"), TacticSuccess) and done.state.solved
        assert "contiguously" in env.apply(split.state, "exact 3", goal=1, with_goals=(0,)).message
        assert isinstance(env.apply(split.state, "exact 3", goal=0, with_goals=(5,)), TacticError)


def test_errors_refusals_and_statement_errors(tmp_path: Path) -> None:
    with open_fake(tmp_path) as env:
        root = env.start(T)
        mismatch = env.apply(root, "exact hp")
        assert isinstance(mismatch, TacticError) and mismatch.message.startswith("type mismatch")
        recovered = env.apply(root, "exact foo")  # Lean logged an error and closed the goal with sorry
        assert isinstance(recovered, TacticError) and recovered.message == "Unknown identifier `foo`"
        before = len(logged(tmp_path))
        for tactic in ("sorry", "native_decide", "exact two", "simp\nrfl", "stop", "bv_decide", "apply?"):
            result = env.apply(root, tactic)
            assert isinstance(result, TacticError) and result.message.startswith("refused"), tactic
        assert len(logged(tmp_path)) == before  # refused tactics never reach Lean
        assert env.apply(root, "exact hp", goal=3).message.startswith("no goal number 3")
        with pytest.raises(StatementError) as e:
            env.start("theorem bad : Nat.foo = 1")
        assert (e.value.message, e.value.line, e.value.col) == ("Unknown constant `Nat.foo`", 1, 15)
        with pytest.raises(StatementError):
            env.start("def f : Nat := 3")


def test_a_timeout_kills_the_process_and_lost_states_are_replayed(tmp_path: Path) -> None:
    with open_fake(tmp_path) as env:
        root = env.start(T)
        split = env.apply(root, "constructor")
        first_pid = env.pid
        t0 = time.perf_counter()
        result = env.apply(split.state, "simp", goal=1, timeout=0.3)
        assert isinstance(result, TacticTimeout) and result.timeout == 0.3 and time.perf_counter() - t0 < 2.5
        assert not alive(first_pid)
        # the search goes on with a state of the dead process: it is rebuilt from the root
        after = env.apply(split.state, "exact hp", goal=0)
        assert isinstance(after, TacticSuccess) and after.state.solved
        assert env.restarts == 1 and env.pid != first_pid
    log = sent(tmp_path)
    assert log.count(declaration(T).start_command()) == 2 and log.count("constructor") == 2


def test_a_crash_is_retried_once_on_a_fresh_process(tmp_path: Path) -> None:
    with open_fake(tmp_path) as env:
        root = env.start(T)
        retried = env.apply(root, "decide")
        assert isinstance(retried, TacticSuccess) and len(retried.goals) == 2 and env.restarts == 1
        crashed = env.apply(root, "omega")
        assert isinstance(crashed, TacticError) and "crashed" in crashed.message
        assert isinstance(env.apply(retried.state, "exact hq", goal=1), TacticSuccess)  # replayed


def test_memory_restarts_are_invisible_to_the_search(tmp_path: Path) -> None:
    with open_fake(tmp_path, memory_mb=4096, soft_memory=1e-9, memory_check_every=1) as env:
        root = env.start(T)
        split = env.apply(root, "constructor")
        done = env.apply(split.state, "exact hq", goal=1)
        assert isinstance(done, TacticSuccess) and done.state.solved
        assert env.restarts >= 2


def test_the_header_is_elaborated_once_per_process(tmp_path: Path) -> None:
    with open_fake(tmp_path) as env:
        env.start(T, header="import Foo")
        root = env.start(T, header="import Foo")
        env.apply(root, "simp", timeout=0.2)  # times out: a new process
        assert isinstance(env.apply(root, "constructor"), TacticSuccess)
    assert sent(tmp_path).count("import Foo") == 2
    # per process: the header is env 0, the budget tactic is defined in it (env 1), theorems start there
    assert [r.get("env") for r in logged(tmp_path) if "leanzero_budget" in r.get("cmd", "")] == [0, 0]
    assert [r.get("env") for r in logged(tmp_path) if r.get("cmd", "").startswith("theorem")] == [1, 1, 1]


def test_verify_judges_the_whole_theorem(tmp_path: Path) -> None:
    with open_fake(tmp_path) as env:
        ok = env.verify(T, PROOF)
        assert ok.ok and ok.backend == "repl", ok
        two = declaration(T)
        assert sent(tmp_path)[-5:] == [
            two.proof_command(PROOF), "#print axioms two", two.start_command(), "#check @two", "#check @two"
        ]
        sorry = env.verify(T, "exact ⟨hp, hq⟩")
        assert not sorry.ok and "sorry" in sorry.messages[0]
        native = env.verify(EX, "exact ⟨3, rfl⟩")
        assert not native.ok and "Lean.ofReduceBool" in native.messages[0]
        before = len(logged(tmp_path))
        refused = env.verify(T, "constructor\n· native_decide\n· exact hq")
        assert not refused.ok and "native_decide" in refused.messages[0] and len(logged(tmp_path)) == before
        leaves = env.verify(T, "  constructor\nexact hp")  # the second line would end the `by` block
        assert not leaves.ok and "`by` block" in leaves.messages[0] and len(logged(tmp_path)) == before
        slow = env.verify(T, "simp", timeout=0.3)
        assert not slow.ok and "timed out" in slow.messages[0]
        assert env.verify(T, PROOF).ok  # on a fresh process
        assert not env.verify("def f : Nat := 3", "rfl").ok


def test_close_and_timeouts_kill_the_whole_process_group(tmp_path: Path) -> None:
    env = open_fake(tmp_path, script={"child": True})
    root = env.start(T)
    repl, child = pids(tmp_path, "repl")[0], pids(tmp_path, "child")[0]
    assert alive(repl) and alive(child)
    env.apply(root, "simp", timeout=0.2)
    assert gone(repl) and gone(child)
    env.start(T)
    repl, child = pids(tmp_path, "repl")[1], pids(tmp_path, "child")[1]
    env.close()
    assert gone(repl) and gone(child)


WORKER = """
import sys, time, importlib.util
spec = importlib.util.spec_from_file_location("fakes", {fakes!r})
fakes = importlib.util.module_from_spec(spec); spec.loader.exec_module(fakes)
from pathlib import Path
from lean_env.repl.server import ReplServer
server = ReplServer(fakes.fake_spec(Path({tmp!r}), {{"commands": {{}}}}))
print(server.pid, flush=True)
time.sleep(600)
"""


def test_the_repl_dies_with_its_worker(tmp_path: Path) -> None:
    code = WORKER.format(fakes=str(FAKE_REPL.with_name("fakes.py")), tmp=str(tmp_path))
    worker = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        repl = int(worker.stdout.readline())
        assert alive(repl)
        os.kill(worker.pid, signal.SIGKILL)  # no clean-up runs: the parent-death signal must do it
        worker.wait()
        assert gone(repl)
    finally:
        worker.kill()
