"""The `dojo` backend on a fake `lean_dojo` module: goal parsing, focusing, result mapping,
recovery after timeouts and crashes, and verification. The real LeanDojo is never imported.

The fake Lean keeps a goal list per state as LeanDojo does and understands the two commands
`DojoEnv` sends: `focus (TAC)` and `(rotate_left P; focus (TAC))`; verification sends plain
tactics and `· TAC` blocks. `RULES[tactic]` says what a tactic does to the goal it runs on:
new goal texts, `"?w := t"` assignments (the goal tagged `w` disappears and `?w` becomes `t`
everywhere), an error, or an exception to raise.
"""

from __future__ import annotations

import importlib.machinery
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lean_env.contract import ProofEnv, StatementError, TacticError, TacticSuccess, TacticTimeout
from lean_env.dojo import DojoEnv, DojoTarget
from lean_env.dojo.backend import repo_relative
from lean_env.dojo.goals import (
    focus_command,
    parse_goals,
    same_goals,
    script_blocks,
    script_refusal,
    split_pp,
    split_result,
    state_views,
)

# ------------------------------------------------------------------ a fake lean_dojo


@dataclass(frozen=True)
class TacticState:
    pp: str
    id: int = field(compare=False)
    message: str | None = field(default=None, compare=False)

    @property
    def num_goals(self) -> int:
        return self.pp.count("⊢")


@dataclass(frozen=True)
class ProofFinished:
    tactic_state_id: int
    message: str | None = None


@dataclass(frozen=True)
class ProofGivenUp:
    pass


@dataclass(frozen=True)
class LeanError:
    error: str


class DojoCrashError(Exception):
    @property
    def is_out_of_memory(self) -> bool:
        return str(self) == "OOM"


class DojoTacticTimeoutError(Exception):
    pass


class DojoInitError(Exception):
    pass


THEOREMS = {
    "and_intro": "p q : Prop\nhp : p\nhq : q\n⊢ p ∧ q",
    "three": "case a\n⊢ A\n\ncase b\n⊢ B\n\ncase c\n⊢ C",
    "exists": "⊢ ∃ n, P n",
}
RULES: dict[str, object] = {  # a dict value maps the goal's `⊢` line to the outcome
    "constructor": {"⊢ p ∧ q": ["case left\np q : Prop\nhp : p\nhq : q\n⊢ p",
                               "case right\np q : Prop\nhp : p\nhq : q\n⊢ q"]},
    "exact hp": {"⊢ p": []},
    "exact hq": {"⊢ q": []},
    "close": [],
    "split_a": ["case a1\n⊢ A1", "case a2\n⊢ A2"],
    "refine ⟨?_, ?_⟩": {"⊢ ∃ n, P n": ["case w\n⊢ ℕ", "case h\n⊢ P ?w"]},
    "exact 3": {"⊢ ℕ": ["?w := 3"]},
    "exact p_three": {"⊢ P ?w": ["?w := 3"], "⊢ P 3": []},
    "bad": LeanError("unknown identifier 'bad'"),
    "sorry_like": ProofGivenUp(),
    "slow": DojoTacticTimeoutError(),
    "boom": DojoCrashError("OOM"),
}
_FOCUS = re.compile(r"^\(rotate_left (\d+); focus \((.*)\)\)$|^focus \((.*)\)$", re.S)


class FakeDojo:
    def __init__(self, lean: FakeLean, theorem: Theorem, timeout: int) -> None:
        self.lean, self.theorem, self.timeout = lean, theorem, timeout
        self.proc = types.SimpleNamespace(timeout=timeout)
        self.states: dict[int, list[str]] = {}
        self.closed = False

    def __enter__(self):
        self.lean.events.append(("enter", self.theorem.full_name))
        if self.theorem.full_name not in THEOREMS:
            raise DojoInitError(f"Failed to locate the theorem with `{self.theorem.full_name}`")
        return self, self._state(split_pp(THEOREMS[self.theorem.full_name]))

    def __exit__(self, *exc) -> None:
        self.closed = True
        self.lean.events.append(("exit", self.theorem.full_name))

    def _state(self, goals: list[str]):
        sid = len(self.states)
        self.states[sid] = goals
        return TacticState("\n\n".join(goals), sid) if goals else ProofFinished(sid)

    def run_tac(self, state: TacticState, tactic: str):
        assert not self.closed, "run_tac on a closed Dojo"
        self.lean.commands.append(tactic)
        goals = list(self.states[state.id])
        m = _FOCUS.match(tactic)
        if m:
            position, tactic, block = int(m.group(1) or 0), m.group(2) or m.group(3), False
        else:
            position, block = 0, tactic.startswith("· ")
            tactic = tactic.removeprefix("· ")
        goals = goals[position:] + goals[:position]
        outcome = RULES.get(tactic, LeanError(f"unknown tactic '{tactic}'"))
        if isinstance(outcome, dict):
            target = goals[0].rsplit("\n", 1)[-1]
            outcome = outcome.get(target, LeanError(f"type mismatch: {tactic} does not prove {target}"))
        if isinstance(outcome, Exception):
            raise outcome
        if not isinstance(outcome, list):
            return outcome
        new = [g for g in outcome if ":=" not in g]
        rest = goals[1:]
        for assignment in (g for g in outcome if ":=" in g):
            mvar, value = (s.strip() for s in assignment.split(":="))
            rest = [g for g in rest if not g.startswith(f"case {mvar[1:]}\n")]
            rest = [g.replace(mvar, value) for g in rest]
        if block and new:
            return LeanError("unsolved goals")
        return self._state(new + rest)


@dataclass
class Theorem:
    repo: object
    file_path: Path
    full_name: str


@dataclass
class LeanGitRepo:
    url: str
    commit: str


class FakeLean:
    """The `lean_dojo` module, with a record of what was asked of it."""

    def __init__(self) -> None:
        self.commands: list[str] = []
        self.events: list[tuple[str, str]] = []
        self.dojos: list[FakeDojo] = []
        self.module = types.ModuleType("lean_dojo")
        self.module.__spec__ = importlib.machinery.ModuleSpec("lean_dojo", None)
        for kind in (TacticState, ProofFinished, ProofGivenUp, LeanError, DojoCrashError,
                     DojoTacticTimeoutError, DojoInitError, Theorem, LeanGitRepo):
            setattr(self.module, kind.__name__, kind)
        self.module.Dojo = self.make_dojo

    def make_dojo(self, theorem: Theorem, timeout: int = 600) -> FakeDojo:
        dojo = FakeDojo(self, theorem, timeout)
        self.dojos.append(dojo)
        return dojo


@pytest.fixture
def lean() -> FakeLean:
    return FakeLean()


@pytest.fixture
def env(lean: FakeLean) -> DojoEnv:
    return DojoEnv("https://github.com/example/repo", "abc123", "Example.lean", lean_dojo=lean.module)


def texts(state) -> list[str]:
    return [g.text for g in state.goals]


# ------------------------------------------------------------------ configuration and laziness


def test_needs_repo_commit_and_file(monkeypatch: pytest.MonkeyPatch, lean: FakeLean) -> None:
    for var in ("LEANZERO_DOJO_REPO", "LEANZERO_DOJO_COMMIT", "LEANZERO_DOJO_FILE"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ValueError, match=r"a repository \(\$LEANZERO_DOJO_REPO\), a commit .* a file"):
        DojoEnv(lean_dojo=lean.module)
    monkeypatch.setenv("LEANZERO_DOJO_REPO", "https://github.com/x/y")
    monkeypatch.setenv("LEANZERO_DOJO_COMMIT", "v1")
    monkeypatch.setenv("LEANZERO_DOJO_FILE", "A/B.lean")
    assert DojoEnv(lean_dojo=lean.module).target == DojoTarget("https://github.com/x/y", "v1", "A/B.lean")


def test_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(ValueError, match="pip install lean-dojo"):
        DojoEnv("https://github.com/x/y", "v1", "A.lean")


def test_imports_lean_dojo_only_on_first_use(monkeypatch: pytest.MonkeyPatch, lean: FakeLean) -> None:
    monkeypatch.setitem(sys.modules, "lean_dojo", lean.module)
    env = DojoEnv("https://github.com/x/y", "v1", "A.lean")
    assert env._ld is None and lean.dojos == []
    root = env.start("theorem and_intro (p q : Prop) (hp : p) (hq : q) : p ∧ q")
    assert env._ld is lean.module and isinstance(env, ProofEnv)
    assert texts(root) == [THEOREMS["and_intro"]]


def test_importing_the_package_does_not_import_lean_dojo() -> None:
    import subprocess

    code = "import lean_env.dojo, lean_env, sys; print('lean_dojo' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_file_relative_to_the_checkout(tmp_path: Path) -> None:
    (tmp_path / "lakefile.toml").write_text("")
    (tmp_path / "Sub").mkdir()
    lean_file = tmp_path / "Sub" / "T.lean"
    lean_file.write_text("")
    assert repo_relative(str(lean_file), "https://github.com/x/y") == "Sub/T.lean"
    assert repo_relative(str(lean_file), str(tmp_path / "Sub")) == "T.lean"
    assert repo_relative("Not/Here.lean", "https://github.com/x/y") == "Not/Here.lean"


# ------------------------------------------------------------------ start


def test_start_names_the_theorem_and_parses_goals(env: DojoEnv, lean: FakeLean) -> None:
    root = env.start("theorem three : A ∧ B ∧ C := by sorry")
    assert [g.case for g in root.goals] == ["a", "b", "c"]
    assert [g.canonical for g in root.goals] == ["⊢ A", "⊢ B", "⊢ C"]
    assert all(g.mvars == frozenset() for g in root.goals)  # tags no other goal mentions
    dojo = lean.dojos[0]
    assert dojo.theorem.full_name == "three" and dojo.theorem.file_path == Path("Example.lean")
    assert dojo.theorem.repo == LeanGitRepo("https://github.com/example/repo", "abc123")
    assert dojo.timeout == 600  # Lean with Mathlib takes a while to start: the init timeout
    assert env.start("theorem three : A ∧ B ∧ C").handle == root.handle  # one session per theorem


def test_one_file_per_theorem_with_name_in_the_file(lean: FakeLean) -> None:
    env = DojoEnv("r", "c", "MiniF2F/Valid/{name}.lean", lean_dojo=lean.module)
    env.start("theorem three : A ∧ B ∧ C := by sorry")
    assert lean.dojos[-1].theorem.file_path == Path("MiniF2F/Valid/three.lean")
    env = DojoEnv("r", "c", "Probs/{name}.lean", namespace="Foo", lean_dojo=lean.module)
    with pytest.raises(StatementError, match=r"cannot start Foo\.and_intro in r@c:Probs/and_intro\.lean"):
        env.start("theorem and_intro : True")  # the file is named by the statement's name


def test_namespace_prefixes_the_name(lean: FakeLean) -> None:
    env = DojoEnv("r", "c", "F.lean", namespace="Foo", lean_dojo=lean.module)
    with pytest.raises(StatementError, match="cannot start Foo.and_intro"):
        env.start("theorem and_intro : True")


def test_start_errors_are_statement_errors(env: DojoEnv) -> None:
    with pytest.raises(StatementError, match="no name found"):
        env.start("example : True")
    with pytest.raises(StatementError, match="DojoInitError: Failed to locate the theorem with `nope`"):
        env.start("theorem nope : True")


# ------------------------------------------------------------------ apply


def test_apply_maps_results(env: DojoEnv, lean: FakeLean) -> None:
    root = env.start("theorem and_intro (p q : Prop) (hp : p) (hq : q) : p ∧ q")
    split = env.apply(root, "constructor")
    assert isinstance(split, TacticSuccess)
    assert [g.case for g in split.goals] == ["left", "right"]
    assert lean.commands == ["focus (constructor)"]
    error = env.apply(root, "bad")
    assert isinstance(error, TacticError) and error.message == "unknown identifier 'bad'"
    given_up = env.apply(root, "sorry_like")
    assert isinstance(given_up, TacticError) and "sorry" in given_up.message
    done = env.apply(split.state, "exact hq", goal=1)
    assert isinstance(done, TacticSuccess) and done.state.solved
    assert lean.commands[-1] == "(rotate_left 1; focus (exact hq))"


def test_refused_tactics_never_reach_lean(env: DojoEnv, lean: FakeLean) -> None:
    root = env.start("theorem and_intro : p ∧ q")
    for tactic in ("sorry", "native_decide", "exact h; sorry", "set_option maxHeartbeats 0 in simp"):
        assert isinstance(env.apply(root, tactic), TacticError)
    assert lean.commands == []


def test_bad_goal_numbers_and_handles(env: DojoEnv) -> None:
    root = env.start("theorem three : A")
    assert "no goal number 3" in env.apply(root, "close", goal=3).message
    assert "with_goals" in env.apply(root, "close", goal=0, with_goals=(0,)).message
    assert "Unknown proof state" in env.apply(type(root)(999, root.goals), "close").message


def test_focused_goal_hides_the_others(env: DojoEnv, lean: FakeLean) -> None:
    root = env.start("theorem three : A ∧ B ∧ C")
    middle = env.apply(root, "close", goal=1)
    assert isinstance(middle, TacticSuccess) and middle.state.solved  # b closed; a and c are not its goals
    a = env.apply(root, "split_a", goal=0)
    assert texts(a.state) == ["case a1\n⊢ A1", "case a2\n⊢ A2"]  # b, c stay in Lean, unseen
    a2 = env.apply(a.state, "close", goal=1)
    assert a2.state.solved
    assert lean.commands == ["(rotate_left 1; focus (close))", "focus (split_a)", "(rotate_left 1; focus (close))"]
    # Lean's list behind a2 still holds b, c and a1 (rotated), none of them a2's goals
    assert [g.case for g in env._nodes[a2.state.handle].lean_goals] == ["b", "c", "a1"]


def test_coupled_goals_come_along(env: DojoEnv) -> None:
    root = env.start("theorem exists : ∃ n, P n")
    split = env.apply(root, "refine ⟨?_, ?_⟩")
    w, h = split.goals
    assert (w.case, h.case) == ("w", "h")
    assert w.mvars == frozenset({"?w"}) and h.mvars == frozenset({"?w"})  # h mentions ?w
    witness = env.apply(split.state, "exact 3", goal=0, with_goals=(1,))
    assert texts(witness.state) == ["case h\n⊢ P 3"]
    assert witness.goals[0].mvars == frozenset()
    # a tactic on the dependent goal that assigns ?w closes the witness goal too
    both = env.apply(split.state, "exact p_three", goal=1, with_goals=(0,))
    assert isinstance(both, TacticSuccess) and both.state.solved
    # without with_goals the coupled goal is left out of the result
    alone = env.apply(split.state, "exact 3", goal=0)
    assert alone.state.solved


def test_timeout_drops_the_session_and_replays(env: DojoEnv, lean: FakeLean) -> None:
    root = env.start("theorem three : A ∧ B ∧ C")
    a = env.apply(root, "split_a")
    slow = env.apply(a.state, "slow", goal=1, timeout=2.0)
    assert isinstance(slow, TacticTimeout) and slow.timeout == 2.0
    assert lean.dojos[0].closed and lean.dojos[0].proc.timeout == 2
    lean.commands.clear()
    after = env.apply(a.state, "close", goal=1)  # a new Lean process, brought back to `a`
    assert isinstance(after, TacticSuccess) and after.state.solved
    assert len(lean.dojos) == 2 and lean.commands == ["focus (split_a)", "(rotate_left 1; focus (close))"]


def test_crash_is_an_error_and_recovers(env: DojoEnv, lean: FakeLean) -> None:
    root = env.start("theorem and_intro : p ∧ q")
    crash = env.apply(root, "boom")
    assert isinstance(crash, TacticError) and "Lean crashed (out of memory)" in crash.message
    assert isinstance(env.apply(root, "constructor"), TacticSuccess)
    assert [e for e in lean.events if e[0] == "enter"] == [("enter", "and_intro")] * 2


def test_one_live_session_at_a_time(env: DojoEnv, lean: FakeLean) -> None:
    first = env.start("theorem and_intro : p ∧ q")
    env.start("theorem three : A")
    assert lean.dojos[0].closed and not lean.dojos[1].closed
    assert isinstance(env.apply(first, "constructor"), TacticSuccess)  # reopened on demand
    assert lean.dojos[1].closed and not lean.dojos[2].closed
    env.close()
    assert all(d.closed for d in lean.dojos)


# ------------------------------------------------------------------ verify


def test_verify_replays_in_a_fresh_dojo(env: DojoEnv, lean: FakeLean) -> None:
    proof = "constructor\n· exact hp\n· exact hq"
    verdict = env.verify("theorem and_intro (p q : Prop) (hp : p) (hq : q) : p ∧ q", proof, timeout=7.0)
    assert verdict.ok and verdict.backend == "dojo"
    assert lean.commands == ["constructor", "· exact hp", "· exact hq"]
    dojo = lean.dojos[-1]
    assert dojo.closed and dojo.timeout == 600 and dojo.proc.timeout <= 7  # start-up vs replay budget


def test_verify_failures(env: DojoEnv, lean: FakeLean) -> None:
    statement = "theorem and_intro : p ∧ q"
    unsolved = env.verify(statement, "constructor\n· exact hp")
    assert not unsolved.ok and unsolved.messages[0].startswith("unsolved goals\ncase right")
    wrong = env.verify(statement, "constructor\n· bad")
    assert not wrong.ok and wrong.messages[0] == "unknown identifier 'bad' (in: · bad)"
    extra = env.verify(statement, "constructor\n· exact hp\n· exact hq\nexact hp")
    assert not extra.ok and "no goals" in extra.messages[0]
    slow = env.verify(statement, "slow")
    assert not slow.ok and "timed out" in slow.messages[0]
    assert all(d.closed for d in lean.dojos)
    lean.commands.clear()
    refused = env.verify(statement, "constructor\n· exact hp\n· exact hq; sorry")
    assert not refused.ok and "sorry" in refused.messages[0]
    assert lean.commands == []  # refused before any Lean
    missing = env.verify("theorem nope : True", "trivial")
    assert not missing.ok and "cannot start nope" in missing.messages[0]


def test_searches_prove_and_verify_through_dojo(env: DojoEnv) -> None:
    from search.bestfirst import best_first_search
    from search.driver import run_searches
    from search.evaluator import uniform_evaluator
    from search.mcts import MCTSConfig, MCTSSearch

    tactics = ["bad", "exact hq", "exact 3", "refine ⟨?_, ?_⟩", "exact hp", "constructor"]
    for statement, script in (
        ("theorem and_intro (p q : Prop) (hp : p) (hq : q) : p ∧ q", "constructor\n· exact hp\n· exact hq"),
        ("theorem exists : ∃ n, P n", "refine ⟨?_, ?_⟩\nexact 3\nexact p_three"),
    ):
        candidates = (lambda goal: [*tactics, "exact p_three"])
        found = best_first_search(env, statement, candidates)  # writes its scripts without `·`
        assert found.proved and found.verification.ok and found.proof == script.replace("· ", "")
        search = MCTSSearch(env, statement, candidates, config=MCTSConfig(num_simulations=60))
        result = run_searches([search], uniform_evaluator).results[0]
        assert result.proved and result.verification.ok and result.proof == script


# ------------------------------------------------------------------ text helpers


def test_parse_goals() -> None:
    pp = "case inl\nx : ℕ\nh : x = 1\n⊢ x ≠ 0\n\nx : ℕ\n⊢ ?m.12 = x ∧ l.get? 0 = none ∧ Sort ?u.3 = Prop"
    first, second = parse_goals(pp)
    assert first.case == "inl" and first.canonical == "x : ℕ\nh : x = 1\n⊢ x ≠ 0"
    assert first.text.startswith("case inl\n")
    assert second.case is None and second.mvars == frozenset({"?m.12"})
    assert parse_goals("no goals") == () and parse_goals("") == ()
    # a blank line inside a long hypothesis stays with its goal
    assert split_pp("h :\n  a\n\n  b\n⊢ c\n\n⊢ d") == ["h :\n  a\n\n  b\n⊢ c", "⊢ d"]


def test_state_views_couple_only_through_mentions() -> None:
    goals = parse_goals("case h\n⊢ A\n\ncase h\n⊢ B\n\ncase w\n⊢ ℕ\n\ncase h'\n⊢ P ?w")
    views = state_views(goals)
    assert [v.mvars for v in views] == [frozenset(), frozenset(), frozenset({"?w"}), frozenset({"?w"})]


def test_focus_command() -> None:
    assert focus_command("simp <;> ring", 0) == "focus (simp <;> ring)"
    assert focus_command(" exact h ", 2) == "(rotate_left 2; focus (exact h))"


def test_split_result() -> None:
    before = parse_goals("case b\n⊢ B\n\ncase w\n⊢ ℕ\n\ncase c\n⊢ C ?w")
    coupled = {1, 2}
    # two new goals, w assigned (gone), c changed
    new, where = split_result(before, parse_goals("⊢ X\n\n⊢ Y\n\ncase b\n⊢ B\n\ncase c\n⊢ C 3"), coupled)
    assert (new, where) == (2, [2, None, 3])
    # an unrelated goal that changed: no consistent match
    assert split_result(before, parse_goals("case b\n⊢ B'\n\ncase c\n⊢ C 3"), coupled) is None
    # numbering of anonymous metavariables does not matter
    assert same_goals(parse_goals("⊢ ?m.5 = 1"), parse_goals("⊢ ?m.17 = 1"))
    assert split_result(parse_goals("⊢ ?m.5 = 1"), parse_goals("⊢ ?m.9 = 1"), set()) == (0, [0])


def test_script_blocks_and_refusal() -> None:
    script = "  constructor\n  · intro x\n    exact x\n\n  · simp"
    assert script_blocks(script) == ["constructor", "· intro x\n  exact x", "· simp"]
    assert script_refusal("constructor\n· exact hp\ncase h => simp <;> ring") is None
    assert "sorry" in script_refusal("· exact h; sorry")
    assert "sorry" in script_refusal("case h => sorry")
    assert "native_decide" in script_refusal("induction n with\n| zero => native_decide\n| succ n ih => simp")
    assert script_refusal(script) is None
    assert "`by` block" in script_refusal("  constructor\nexact hp")  # a dedented line leaves the block
