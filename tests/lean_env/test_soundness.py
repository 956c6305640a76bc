"""Soundness of `mini`: no tactic sequence closes a statement that has a counterexample.

Hypothesis generates random statements of the fragment (`fragment_gen`, which shares no
code with `mini`); an independent brute-force oracle finds certain counterexamples over small
values. For each refutable statement a bounded AND-OR search applies tactics drawn from the
goal text to every open goal, up to depth 3 within a per-statement call budget; closing all
goals would be a soundness bug, and so would `verify` accepting an explored script.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lean_env.contract import ProofEnv, ProofState, StatementError, TacticSuccess, TacticTimeout

try:
    from . import fragment_gen as fg
except ImportError:
    import fragment_gen as fg

try:
    from lean_env.mini import MiniEnv
except ModuleNotFoundError as e:  # the backend is not there yet: nothing to check
    if e.name != "lean_env.mini":
        raise
    MiniEnv = None

EXAMPLES = 5000  # statements generated (the acceptance line asks for at least 5,000)
CALL_BUDGET = 40  # tactic calls per refutable statement
TACTIC_TIMEOUT = 2.0  # seconds per call
MAX_DEPTH = 3
UNSUPPORTED: tuple[str, ...] = ()  # StatementError messages accepted as legitimately out of scope

# ---------------------------------------------------------------- tactic vocabulary from goal text

_SORTS = {"ℕ", "ℤ", "ℚ", "ℝ", "Prop"}


def parse_goal(text: str) -> tuple[list[tuple[str, str]], str]:
    """Locals `(name, type)` and target of a goal as Lean prints it (case tag skipped)."""
    locals_: list[tuple[list[str], str]] = []
    target: list[str] | None = None
    for line in text.split("\n"):
        if line.startswith("case "):
            continue
        if line.startswith("⊢"):
            target = [line[1:].strip()]
        elif line[:1].isspace() or not line:  # continuation of a wrapped line
            if target is not None:
                target.append(line.strip())
            elif locals_:
                locals_[-1] = (locals_[-1][0], locals_[-1][1] + " " + line.strip())
        elif " : " in line:
            names, ty = line.split(" : ", 1)
            locals_.append((names.split(), ty))
    flat = [(n, ty) for names, ty in locals_ for n in names]
    return flat, " ".join(target or [])


def vocabulary(text: str) -> tuple[list[str], list[str]]:
    """Tactics worth trying on a goal: (those matching its shape, all the others)."""
    locals_, target = parse_goal(text)
    usable = [(n, ty) for n, ty in locals_ if "✝" not in n]
    hyps = [(n, ty) for n, ty in usable if ty not in _SORTS]
    nats = [n for n, ty in usable if ty == "ℕ"]
    numbers = [n for n, ty in usable if ty in ("ℕ", "ℤ", "ℚ", "ℝ")]
    props = [n for n, ty in usable if ty == "Prop"]
    likely: list[str] = []
    other: list[str] = []

    def add(tac: str, relevant: bool) -> None:
        (likely if relevant else other).append(tac)

    for tac in ("assumption", "contradiction", "trivial", "decide", "simp", "norm_num", "omega",
                "linarith", "nlinarith"):
        add(tac, True)
    rel = bool(re.search(r"[=<>≤≥≠]", target))
    add("rfl", "=" in target or "↔" in target)
    add("positivity", rel)
    add("ring", "=" in target)
    add("ring_nf", rel)
    arrow = target.startswith(("∀", "¬")) or "→" in target
    add("intro", arrow)
    add("intro a b", arrow)
    add("constructor", any(c in target for c in "∧↔∃"))
    add("left", "∨" in target)
    add("right", "∨" in target)
    framing = target != "False"  # exfalso / by_contra on `⊢ False` only rename the goal
    add("exfalso", framing)
    add("by_contra h'", framing)
    for k in (0, 1, 2):
        add(f"use {k}", target.startswith("∃"))
    decided = {ty.removeprefix("¬") for _, ty in hyps}
    for p in props:
        add(f"by_cases h' : {p}", p not in decided)
    add("field_simp", "/" in target or "⁻¹" in target)
    add("push_cast", "↑" in target)
    add("norm_cast", "↑" in target)
    for x in [n for n, ty in usable if ty in ("ℕ", "ℤ")][:2]:
        add(f"interval_cases {x}", True)
    for x in numbers[:2]:  # hint terms, as the action space proposes them
        add(f"nlinarith [sq_nonneg {x}]", rel)
        for y in numbers[:3]:
            if y != x and dict(usable)[x] == dict(usable)[y]:
                add(f"nlinarith [sq_nonneg ({x} - {y}), sq_nonneg ({x} + {y})]", rel)
    for x in nats[:1]:
        add(f"induction' {x} with {x} ih", True)
        for y in nats[1:2]:
            add(f"rcases le_or_lt {y} {x} with a | b", "-" in target)
    for x in nats:
        add(f"induction {x} with | zero => simp | succ n ih => simp", True)
        for y in nats:  # the successor named like another local: it must shadow, not capture
            if y != x:
                add(f"induction {x} with | zero => omega | succ {y} ih => omega", False)
    for h, ty in hyps:
        add(f"exact {h}", True)
        add(f"simp [{h}]", True)
        add(f"simp at {h}", True)
        add(f"norm_num at {h}", True)
        add(f"field_simp at {h}", "/" in ty or "⁻¹" in ty)
        add(f"exact_mod_cast {h}", "↑" in ty)
        add(f"norm_cast at {h}", "↑" in ty)
        add(f"cases {h}", any(c in ty for c in "∧∨∃↔"))
        add(f"rcases {h} with ⟨a, b⟩", any(c in ty for c in "∧∃↔"))
        for x in nats[:2]:  # a pattern named like an existing local: a new variable
            add(f"obtain ⟨{x}, {h}⟩ := {h}", ty.startswith("∃"))
        add(f"rcases {h} with a | b", "∨" in ty)
        add(f"specialize {h} 0", ty.startswith("∀"))
        eq = "=" in ty or "↔" in ty
        add(f"rw [{h}]", eq)
        add(f"rw [← {h}]", eq)
        add(f"subst {h}", "=" in ty)
    return likely, other


# ---------------------------------------------------------------- bounded AND-OR search


def render(tactic: str, subscripts: list[list[str]]) -> list[str]:
    """Script lines: `tactic`, then each subgoal's script under a `·` bullet when several."""
    if len(subscripts) == 1:
        return [tactic, *subscripts[0]]
    lines = [tactic]
    for sub in subscripts:
        lines.append("· " + sub[0])
        lines += ["  " + line for line in sub[1:]]
    return lines


@dataclass
class Search:
    """Tries to close a goal; any success on a false statement is a soundness bug."""

    env: ProofEnv
    rng: random.Random
    calls: int = 0
    timeouts: int = 0
    internal_errors: list[str] = field(default_factory=list)
    deepest: list[str] = field(default_factory=list)  # longest chain along first goals
    seen: dict[str, int] = field(default_factory=dict)  # goal -> depth it was searched at

    def ordered(self, text: str) -> list[str]:
        likely, other = vocabulary(text)
        self.rng.shuffle(likely)
        self.rng.shuffle(other)
        return likely + other

    def solve(self, state: ProofState, idx: int, depth: int, allowance: int,
              chain: list[str] | None) -> tuple[list[str] | None, int]:
        """A script closing goal `idx` of `state`, or None; and the number of calls used."""
        used = 0
        goal = state.goals[idx]
        if self.seen.get(goal.canonical, 0) >= depth:  # searched already, as deep: prune
            return None, 0
        self.seen[goal.canonical] = depth
        for tac in self.ordered(goal.text):
            if used >= allowance:
                break
            used += 1
            self.calls += 1
            r = self.env.apply(state, tac, goal=idx, timeout=TACTIC_TIMEOUT)
            if isinstance(r, TacticTimeout):
                self.timeouts += 1
            if not isinstance(r, TacticSuccess):
                if "internal error" in getattr(r, "message", ""):
                    self.internal_errors.append(f"{tac!r} on\n{goal.text}\n{r.message}")
                continue
            here = None if chain is None else [*chain, tac]
            if here is not None and len(here) > len(self.deepest):
                self.deepest = here
            if r.state.solved:
                return [tac], used
            if depth <= 1 or all(g.canonical == goal.canonical for g in r.state.goals):
                continue
            scripts: list[list[str]] = []
            share = (allowance - used) // 2
            for j in range(len(r.state.goals)):
                sub, spent = self.solve(r.state, j, depth - 1, share, here if j == 0 else None)
                used += spent
                share -= spent
                if sub is None:
                    break
                scripts.append(sub)
            else:
                return render(tac, scripts), used
        return None, used


def test_goal_text_gives_the_vocabulary() -> None:
    text = "case inl\nx y : ℕ\np : Prop\nh₀ : x < y ∧\n  y < 3\nh✝ : p ∨ x = y\n⊢ ∃ n, n + x = y"
    locals_, target = parse_goal(text)
    assert locals_ == [("x", "ℕ"), ("y", "ℕ"), ("p", "Prop"), ("h₀", "x < y ∧ y < 3"), ("h✝", "p ∨ x = y")]
    assert target == "∃ n, n + x = y"
    likely, other = vocabulary(text)
    assert {"use 0", "constructor", "rcases h₀ with ⟨a, b⟩", "by_cases h' : p", "omega"} <= set(likely)
    assert "left" in other and "rw [h₀]" in other
    assert not any("h✝" in t for t in likely + other)  # inaccessible names cannot be referred to
    assert "induction x with | zero => simp | succ n ih => simp" in likely


def test_render_bullets_subgoals() -> None:
    assert render("constructor", [["omega"], ["intro a b", "simp"]]) == [
        "constructor", "· omega", "· intro a b", "  simp"]
    assert render("intro", [["simp"]]) == ["intro", "simp"]


# ---------------------------------------------------------------- the property


@dataclass
class Tally:
    generated: int = 0
    refutable: int = 0
    started: int = 0
    calls: int = 0
    timeouts: int = 0
    verified: int = 0
    internal_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        return (f"soundness: {self.generated} statements generated, {self.refutable} with a "
                f"counterexample, {self.calls} tactic calls ({self.timeouts} timeouts), "
                f"{self.verified} verify calls, {len(self.internal_errors)} internal errors, "
                f"{self.seconds:.0f} s")


def check_statement(stmt: fg.Statement, seed: int, tally: Tally) -> None:
    """Assert that nothing `mini` offers closes `stmt` if the oracle refutes it."""
    tally.generated += 1
    cex = fg.counterexample(stmt)
    if cex is None:
        return
    tally.refutable += 1
    text = stmt.text
    env = MiniEnv()
    try:
        state = env.start(text)
    except StatementError as e:
        if any(u in e.message for u in UNSUPPORTED):
            return
        raise AssertionError(f"mini cannot read a well-formed statement:\n{text}\n{e}") from None
    tally.started += 1
    search = Search(env, random.Random(seed))
    script, _ = search.solve(state, 0, MAX_DEPTH, CALL_BUDGET, [])
    tally.calls += search.calls
    tally.timeouts += search.timeouts
    tally.internal_errors += search.internal_errors
    assert script is None, (
        f"SOUNDNESS BUG: mini closed a false statement\n{text}\ncounterexample: {cex}\n"
        f"script:\n" + "\n".join(script)
    )
    if len(search.deepest) >= 2:
        tally.verified += 1
        proof = "\n".join(search.deepest)
        v = env.verify(text, proof, timeout=TACTIC_TIMEOUT * len(search.deepest))
        assert not v.ok, f"SOUNDNESS BUG: verify accepted\n{text}\ncounterexample: {cex}\nproof:\n{proof}"


@pytest.mark.skipif(MiniEnv is None, reason="lean_env.mini backend not available")
def test_mini_never_closes_a_refutable_statement(capsys: pytest.CaptureFixture[str]) -> None:
    tally = Tally()
    t0 = time.perf_counter()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.filter_too_much, HealthCheck.large_base_example])
    @given(fg.statements(), st.integers(0, 2**16))
    def check(stmt: fg.Statement, seed: int) -> None:
        check_statement(stmt, seed, tally)

    check()
    tally.seconds = time.perf_counter() - t0
    with capsys.disabled():
        print("\n" + tally.line())
    assert tally.generated >= EXAMPLES, tally.line()
    assert tally.refutable >= EXAMPLES // 5, tally.line()
