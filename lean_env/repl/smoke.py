"""The smoke set: a fixed run of the `repl` backend over what it assumes of Lean, checked, and
recorded as transcripts (`leanzero doctor --record DIR`) or timed (`bench/lean_smoke.py`).

Each item runs in its own REPL process from its header on, so each transcript is one whole
session that a stand-in (or a real REPL) can replay request by request:

- `minif2f`: a few miniF2F statements with their header (../shared/minif2f/valid.jsonl, else
  the same statements built in), started, then cheap tactics whose outcome is recorded, not judged;
- `exists`: `constructor` and `refine ⟨?_, ?_⟩` on `∃`: two goals sharing `?w`; closing the
  claim with its witness goal in `with_goals` assigns that sibling goal;
- `le_trans`: `apply le_trans`: three goals sharing `?b`; `exact h₁` with the other two as
  `with_goals` fixes `?b`; without them the backend refuses the step (it changed a goal outside
  the one it addressed);
- `axioms`: `verify` of a clean proof, and of proofs through a theorem proved by `sorry` and one
  by `native_decide`, both declared in the header where the safety filter does not look: only
  `#print axioms` can catch them;
- `heartbeats`: a heavy `nlinarith` under a small heartbeat budget (the backend's
  `leanzero_budget`, docs/lean.md): Lean stops it with its own error (a `TacticTimeout` counted
  as a heartbeat stop, not a kill), the process answers on.

An expectation is what the backend relies on; a disagreement is a `Finding`, never an exception.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from lean_env.contract import (
    ProofEnv,
    ProofState,
    StatementError,
    TacticError,
    TacticResult,
    TacticSuccess,
    TacticTimeout,
)
from lean_env.problem import MINIF2F_HEADER, Problem, read_problems
from lean_env.repl.backend import DEFAULT_MEMORY_MB, ReplEnv
from lean_env.repl.server import ProcessSpec, spec_for
from lean_env.repl.setup import REPO_ROOT, find_setup, not_set_up
from lean_env.text.statement import theorem_name

RECORDINGS_ENV = "LEANZERO_LEAN_RECORDINGS"  # folders (os.pathsep-separated) the test suite replays
SHARED_RECORDINGS = REPO_ROOT.parent / "shared" / "lean-recordings"  # ... and this one
MINIF2F = REPO_ROOT.parent / "shared" / "minif2f" / "valid.jsonl"
MATHLIB = "import Mathlib"
# from miniF2F's valid split: a closed ℕ fact, an ℝ linear equation, an ℝ polynomial inequality
BUILTIN_MINIF2F = (
    Problem("mathd_numbertheory_81", "theorem mathd_numbertheory_81 : 71 % 3 = 2", MINIF2F_HEADER),
    Problem(
        "mathd_algebra_104", "theorem mathd_algebra_104 (x : ℝ) (h₀ : 125 / 8 = x / 12) : x = 375 / 2", MINIF2F_HEADER
    ),
    Problem("amc12a_2021_p7", "theorem amc12a_2021_p7 (x y : ℝ) : 1 ≤ (x * y - 1) ^ 2 + (x + y) ^ 2", MINIF2F_HEADER),
)
MINIF2F_TACTICS = ("norm_num", "simp", "linarith")
HEAVY_BUDGET = 200  # maxHeartbeats (thousands): far below what the heavy `nlinarith` needs
STEP_TIMEOUT = 60.0  # seconds: generous, so that only a hang hits it, never a slow machine


@dataclass(frozen=True, slots=True)
class Step:
    """A tactic on goal `goal` (with `with_goals`) of state `parent` (0: the root, k: the state
    step k reached). Expected: `goals` goals, one of them containing `shows`; or, with
    `fails_with`, a failure whose message contains that text; with neither, any outcome."""

    tactic: str
    parent: int = 0
    goal: int = 0
    with_goals: tuple[int, ...] = ()
    goals: int | None = None
    shows: str = ""
    fails_with: str | None = None
    timeout: float = STEP_TIMEOUT


@dataclass(frozen=True, slots=True)
class Theorem:
    """A statement to start (it must give a root), then its steps."""

    statement: str
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Proof:
    """`verify(statement, script)` must come out `ok`; a failure must mention `mentions`."""

    statement: str
    script: str
    ok: bool
    mentions: str = ""


@dataclass(frozen=True, slots=True)
class Smoke:
    """One item: one REPL process, one transcript `name`."""

    name: str
    header: str
    theorems: tuple[Theorem, ...] = ()
    proofs: tuple[Proof, ...] = ()
    heartbeats: int | None = None  # per-tactic heartbeat budget, `ReplEnv`'s `heartbeats` option
    one_process: bool = True  # a restart is a finding (no step is meant to kill the process)

    def options(self) -> dict[str, object]:
        """The `ReplEnv` options it runs with: no warm standby, so that a transcript is the one
        session that served the item (a standby would record a second, idle one)."""
        heartbeats = {} if self.heartbeats is None else {"heartbeats": self.heartbeats}
        return {"default_header": self.header, "standby": False, **heartbeats}


@dataclass(frozen=True, slots=True)
class Finding:
    what: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SmokeRun:
    name: str
    findings: tuple[Finding, ...]
    step_seconds: tuple[float, ...]  # wall time of every tactic step
    counters: Mapping[str, int]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)


# ------------------------------------------------------------------ the set


def minif2f_problems(path: Path = MINIF2F) -> tuple[Problem, ...]:
    """The built-in statements as `path` has them (with its header); the built-in copies without it."""
    if not path.is_file():
        return BUILTIN_MINIF2F
    rows = {p.name: p for p in read_problems(path)}
    return tuple(rows.get(p.name, p) for p in BUILTIN_MINIF2F)


def smoke_set(problems: Sequence[Problem] = BUILTIN_MINIF2F) -> tuple[Smoke, ...]:
    """The items, in the order they run (see the module docstring)."""
    steps = tuple(Step(tactic) for tactic in MINIF2F_TACTICS)
    minif2f = Smoke(
        "minif2f", problems[0].header if problems else MINIF2F_HEADER,
        tuple(Theorem(p.statement, steps) for p in problems), one_process=False,
    )
    exists = Theorem("theorem smoke_exists : ∃ n : ℕ, n + 2 = 5", (
        Step("constructor", goals=2, shows="?w"),
        Step("exact (rfl : 3 + 2 = 5)", parent=1, with_goals=(1,), goals=0),  # assigns its sibling ?w
        Step("refine ⟨?_, ?_⟩", goals=2, shows="?w"),
        Step("exact 3", parent=3, with_goals=(1,), goals=1, shows="3 + 2 = 5"),
        Step("rfl", parent=4, goals=0),
    ))
    le_trans = Theorem("theorem smoke_le_trans (a b c : ℕ) (h₁ : a ≤ b) (h₂ : b ≤ c) : a ≤ c", (
        Step("apply le_trans", goals=3, shows="?b"),
        Step("exact h₁", parent=1, with_goals=(1, 2), goals=1, shows="b ≤ c"),
        Step("exact h₂", parent=2, goals=0),
        Step("exact h₁", parent=1, fails_with="not applied to"),  # ?b assigned in a goal it did not address
    ))
    helpers = (
        f"{MATHLIB}\n\ntheorem smoke_assumed : (2 : ℕ) + 2 = 5 := sorry\n\n"
        "theorem smoke_compiled : (2 : ℕ) ^ 10 = 1024 := by native_decide\n"
    )
    axioms = (
        Proof("theorem smoke_clean (a b : ℕ) : a + b = b + a", "omega", ok=True),
        Proof("theorem smoke_through_sorry : (2 : ℕ) + 2 = 5", "exact smoke_assumed", ok=False, mentions="sorryAx"),
        Proof("theorem smoke_through_native : (2 : ℕ) ^ 10 = 1024", "exact smoke_compiled", ok=False,
              mentions="ofReduceBool"),
    )
    heavy = Theorem(
        "theorem smoke_heavy (x y z : ℝ) (h : 0 < x ∧ 0 < y ∧ 0 < z) : 3 * x * y * z ≤ x ^ 3 + y ^ 3 + z ^ 3", (
            Step("nlinarith [sq_nonneg (x - y), sq_nonneg (y - z), sq_nonneg (z - x), mul_pos h.1 h.2.1, "
                 "mul_pos h.2.1 h.2.2, mul_pos h.1 h.2.2]", fails_with="heartbeats", timeout=120.0),
            Step("obtain ⟨hx, hy, hz⟩ := h", goals=1),
        ),
    )
    return (
        minif2f,
        Smoke("exists", MATHLIB, (exists,)),
        Smoke("le_trans", MATHLIB, (le_trans,)),
        Smoke("axioms", helpers, proofs=axioms),
        Smoke("heartbeats", MATHLIB, (heavy,), heartbeats=HEAVY_BUDGET),
    )


# ------------------------------------------------------------------ running


def counters(env: ProofEnv) -> dict[str, int]:
    """The backend's process counters (`EnvCounters`: kills, restarts, heartbeat stops, ...)."""
    return env.counters().as_dict()


def counts_text(counts: Mapping[str, int]) -> str:
    """Kills and restarts always, the other counters when nonzero: `kills 0, restarts 1, requests 9`."""
    shown = {"kills": counts.get("kills", 0), "restarts": counts.get("restarts", 0)}
    shown |= {k: v for k, v in counts.items() if v and k not in shown}
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in shown.items())


def run_smoke(env: ProofEnv, smoke: Smoke) -> SmokeRun:
    """Run one item on `env` (opened with `smoke.options()`) and judge every result."""
    findings: list[Finding] = []
    seconds: list[float] = []
    for theorem in smoke.theorems:
        name = theorem_name(theorem.statement) or theorem.statement[:40]
        try:
            root = env.start(theorem.statement, timeout=STEP_TIMEOUT)
        except StatementError as e:
            findings.append(Finding(f"start {name}", False, _first_line(e.message)))
            continue
        findings.append(Finding(f"start {name}", len(root.goals) == 1, f"{len(root.goals)} goal(s)"))
        states: list[ProofState | None] = [root]
        for k, step in enumerate(theorem.steps, 1):
            what = f"{name} #{k}: {step.tactic}" + _addressing(step)
            parent = states[step.parent]
            if parent is None:
                findings.append(Finding(what, False, f"not run: step {step.parent} gave no state"))
                states.append(None)
                continue
            t0 = time.perf_counter()
            stops = env.counters().heartbeat_stops
            result = env.apply(parent, step.tactic, goal=step.goal, with_goals=step.with_goals, timeout=step.timeout)
            seconds.append(time.perf_counter() - t0)
            findings.append(judge_step(what, step, result, stopped=env.counters().heartbeat_stops > stops))
            states.append(result.state if isinstance(result, TacticSuccess) else None)
    for proof in smoke.proofs:
        name = theorem_name(proof.statement) or proof.statement[:40]
        verdict = env.verify(proof.statement, proof.script, timeout=STEP_TIMEOUT)
        mentioned = verdict.ok or not proof.mentions or any(proof.mentions in m for m in verdict.messages)
        said = "a proof" if verdict.ok else "not a proof: " + _first_line(" | ".join(verdict.messages))
        findings.append(Finding(f"verify {name}: {proof.script}", verdict.ok == proof.ok and mentioned, said))
    counts = counters(env)
    if smoke.one_process:
        restarts = counts.get("restarts", 0)
        findings.append(Finding("one REPL process throughout", restarts == 0, f"{restarts} restart(s)"))
    return SmokeRun(smoke.name, tuple(findings), tuple(seconds), counts)


def judge_step(what: str, step: Step, result: TacticResult, *, stopped: bool = False) -> Finding:
    """Whether `result` is what `step` expects; the detail says what Lean gave. `stopped`: the
    backend counted a heartbeat stop on this step (Lean's own timeout, no kill)."""
    if isinstance(result, TacticSuccess):
        goals = [g.text for g in result.goals]
        cases = [g.case for g in result.goals if g.case]
        said = (f"{len(goals)} goal(s)" + (f" (case {', '.join(cases)})" if cases else "")) if goals else "solved"
        if step.fails_with is not None:
            return Finding(what, False, f"{said}, expected a failure mentioning '{step.fails_with}'")
        if step.goals is not None and len(goals) != step.goals:
            return Finding(what, False, f"{said}, expected {step.goals}")
        if step.shows and not any(step.shows in g for g in goals):
            return Finding(what, False, f"{said}, none showing '{step.shows}': {_first_line(' | '.join(goals))}")
        return Finding(what, True, said)
    if isinstance(result, TacticTimeout) and stopped:
        expected = step.fails_with == "heartbeats" or (step.goals is None and step.fails_with is None)
        return Finding(what, expected, f"stopped by Lean at its heartbeat budget after {result.elapsed:.1f} s")
    if isinstance(result, TacticTimeout):
        expected = step.goals is None and step.fails_with is None
        return Finding(what, expected, f"no answer within {result.timeout:g} s (the process was killed)")
    assert isinstance(result, TacticError)
    said = "failed: " + _first_line(result.message)
    if step.fails_with is not None:
        expected = step.fails_with in result.message
        return Finding(what, expected, said if expected else f"{said}; expected a mention of '{step.fails_with}'")
    if step.goals is not None:
        return Finding(what, False, f"{said}; expected {step.goals} goal(s)")
    return Finding(what, True, said)


def _addressing(step: Step) -> str:
    on = f" (state {step.parent})" if step.parent else ""
    if step.goal or step.with_goals:
        on += f" on goal {step.goal}" + (f" with {list(step.with_goals)}" if step.with_goals else "")
    return on


def _first_line(text: str, limit: int = 160) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ------------------------------------------------------------------ recording

OpenEnv = Callable[[ProcessSpec, Mapping[str, object]], ProofEnv]


def open_repl(spec: ProcessSpec, options: Mapping[str, object]) -> ProofEnv:
    return ReplEnv(spec, **options)  # type: ignore[arg-type]


def machine_spec(project_dir: Path | None = None, memory_mb: int | None = DEFAULT_MEMORY_MB) -> ProcessSpec:
    """How to start this machine's REPL (`find_setup`, `spec_for`); a ValueError that names
    `leanzero setup-lean` when Lean is not set up or the REPL's environment cannot be read."""
    setup = find_setup(project_dir=project_dir)
    try:
        return spec_for(setup, memory_mb=memory_mb)
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as e:  # `lake env` failed
        raise not_set_up(f"the Lean REPL does not start ({e})") from None


def record(
    smokes: Sequence[Smoke], folder: Path, spec: ProcessSpec, open_env: OpenEnv = open_repl
) -> Iterator[SmokeRun]:
    """Run every item on a REPL started from `spec`, recording its transcript `folder/NAME`
    (`ProcessSpec.record`); one run per item as it finishes. `folder` is made once the first
    REPL has started (the first request writes); an item's earlier transcripts there are replaced."""
    for smoke in smokes:
        env = open_env(replace(spec, record=folder / smoke.name), smoke.options())
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for old in transcripts(folder, smoke.name):
                old.unlink()
                old.with_name(old.name.removesuffix(".in") + ".expected.out").unlink(missing_ok=True)
            yield run_smoke(env, smoke)
        finally:
            env.close()


def recording_dirs() -> list[Path]:
    """The folders of recorded transcripts the test suite replays: those named in
    `$LEANZERO_LEAN_RECORDINGS`, then ../shared/lean-recordings; the ones that exist."""
    given = [Path(p) for p in os.environ.get(RECORDINGS_ENV, "").split(os.pathsep) if p.strip()]
    found: list[Path] = []
    for folder in (*given, SHARED_RECORDINGS):
        if folder.is_dir() and folder.resolve() not in {f.resolve() for f in found}:
            found.append(folder)
    return found


def transcripts(folder: Path, name: str) -> list[Path]:
    """The `.in` files item `name` left in `folder` (its own, then one per restart)."""
    own = (f"{name}.in", f"{name}.restart")
    return sorted(p for p in folder.glob(f"{name}*.in") if p.name == own[0] or p.name.startswith(own[1]))
