"""The `dojo` backend on a fake `lean_dojo` module: goal parsing, focusing, result mapping,
recovery after timeouts and crashes, and verification. The real LeanDojo is never imported.

The fake Lean keeps a goal list per state as LeanDojo does and understands the two commands
`DojoEnv` sends: `focus (TAC)` and `(rotate_left P; focus (TAC))`; verification sends plain
tactics and `· TAC` blocks. `RULES[tactic]` says what a tactic does to the goal it runs on:
new goal texts, `"?w := t"` assignments (the goal tagged `w` disappears and `?w` becomes `t`
everywhere), an error, or an exception to raise.

Command mode (`Dojo((repo, file, line), additional_imports=...)`, `run_cmd`) is faked as
LeanDojo 4.20 runs it: `#lean_dojo_repl` goes at `line` of the traced file, after `import
Lean4Repl` and the additional imports, so at line 1 the environment is those imports alone.
A command may hold several Lean commands; the answer is `LeanError` with the error messages
joined, or `CommandState` whose `message` is every other message's text, each line stripped
(what LeanDojo reads before its `REPL>` line). `AXIOMS[tactic]` says what a tactic's proof
term rests on; `#print axioms` answers as Lean does, wrapping a long list over lines.
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
class CommandState:
    id: int = field(compare=False)
    message: str | None = field(default=None, compare=False)


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
    "sorry": ProofGivenUp(),  # the safety filter refuses it before LeanDojo sees it
    "sorry_like": ProofGivenUp(),
    "slow": DojoTacticTimeoutError(),
    "boom": DojoCrashError("OOM"),
    # a real proof through a library lemma that was itself proved by `native_decide` (or
    # `bv_decide`): the filter sees a harmless name, the lemma's axioms come with it
    "exact compiled_and": {"⊢ p ∧ q": []},
}
AXIOMS = {"exact compiled_and": ("propext", "Classical.choice", "Lean.ofReduceBool"), "exact p_three": ("propext",)}
# The traced files: the statements as they write them (the tactic Dojo opens them by name)
EXAMPLE_LEAN = """import Mathlib
import Aesop

-- the fake's environment has `Real` only when Mathlib is imported
open Real

/-- The first. -/
theorem and_intro (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  sorry

theorem three : A ∧ B ∧ C := by
  sorry

theorem exists : ∃ n, P n := by
  sorry
"""
NAMESPACED_LEAN = """import Mathlib

namespace Ex

theorem twin (p q : Prop) (hp : p) (hq : q) : p ∧ q := by
  sorry

end Ex
"""
THEOREMS["Ex.twin"] = THEOREMS["and_intro"]
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
        outcome = step(self.states[state.id], tactic)
        return self._state(outcome) if isinstance(outcome, list) else outcome


def step(before: list[str], tactic: str) -> list[str] | object:
    """The goals after `tactic` (a focused command, a plain tactic or a `· TAC` block) on the
    goal list `before`, or what LeanDojo answers instead (an exception is raised)."""
    goals = list(before)
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
    return new + rest


class FakeCommandDojo:
    """LeanDojo's command mode on a traced file: `#lean_dojo_repl` at `line`, after the imports."""

    def __init__(self, lean: FakeLean, entry: tuple, timeout: int, additional_imports: list[str]) -> None:
        self.lean, self.timeout = lean, timeout
        self.repo, self.file_path, self.line = entry
        self.additional_imports = list(additional_imports)
        self.proc = types.SimpleNamespace(timeout=timeout)
        self.closed = False

    def __enter__(self):
        self.lean.events.append(("enter command mode", str(self.file_path)))
        if self.lean.command_mode_fails:
            raise DojoInitError("Unexpected EOF")
        text = (self.lean.root / self.file_path).read_text(encoding="utf-8")
        before = "\n".join(text.splitlines()[: self.line - 1])
        self.modules = {"Lean4Repl", *self.additional_imports, *re.findall(r"^import (\S+)", before, re.M)}
        return self, CommandState(0)

    def __exit__(self, *exc) -> None:
        self.closed = True
        self.lean.events.append(("exit command mode", str(self.file_path)))

    def run_cmd(self, state: CommandState, command: str):
        assert not self.closed and isinstance(state, CommandState), "run_cmd on a closed Dojo or a tactic state"
        self.lean.command_texts.append(command)
        if self.lean.commands_time_out:
            raise DojoTacticTimeoutError()
        errors, printed = self.lean.elaborate(command, self.modules)
        if errors:
            return LeanError("\n".join(errors))
        return CommandState(state.id + 1, "\n".join(line.strip() for text in printed for line in text.splitlines()))
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
    """The `lean_dojo` module, with a record of what was asked of it, and its traced repository
    in `root` (`get_traced_repo_path`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "Example.lean").write_text(EXAMPLE_LEAN, encoding="utf-8")
        (root / "Ns.lean").write_text(NAMESPACED_LEAN, encoding="utf-8")
        self.commands: list[str] = []  # tactic mode
        self.command_texts: list[str] = []  # command mode
        self.events: list[tuple[str, str]] = []
        self.dojos: list[FakeDojo] = []
        self.command_dojos: list[FakeCommandDojo] = []
        self.command_mode_fails = self.commands_time_out = False
        self.prints_axioms = True  # False: a Lean that answers `#print axioms` with nothing
        self.module = types.ModuleType("lean_dojo")
        self.module.__spec__ = importlib.machinery.ModuleSpec("lean_dojo", None)
        for kind in (TacticState, ProofFinished, ProofGivenUp, LeanError, CommandState, DojoCrashError,
                     DojoTacticTimeoutError, DojoInitError, Theorem, LeanGitRepo):
            setattr(self.module, kind.__name__, kind)
        self.module.Dojo = self.make_dojo
        self.module.get_traced_repo_path = lambda repo, build_deps=True: self.root

    def make_dojo(self, entry, timeout: int = 600, additional_imports: list[str] = [], build_deps: bool = True):  # noqa: B006
        if isinstance(entry, tuple):
            command_dojo = FakeCommandDojo(self, entry, timeout, additional_imports)
            self.command_dojos.append(command_dojo)
            return command_dojo
        dojo = FakeDojo(self, entry, timeout)
        self.dojos.append(dojo)
        return dojo

    def elaborate(self, text: str, modules: set[str]) -> tuple[list[str], list[str]]:
        """Lean's error messages and other messages' texts for the commands in `text`: `open`,
        `namespace`/`end`, a `theorem` whose statement a traced file writes, with a `by`
        proof, and `#print axioms`; anything else is an error."""
        errors: list[str] = []
        printed: list[str] = []
        namespace: list[str] = []
        declared: dict[str, tuple[str, ...]] = {}  # full name -> axioms
        statements = {m[2]: m[1] for f in (EXAMPLE_LEAN, NAMESPACED_LEAN)
                      for m in re.finditer(r"^(theorem (\S+) .*?) := by$", f, re.M)}
        code = re.sub(r"^--[^\n]*|/-.*?-/", "", text, flags=re.M | re.S)  # Lean skips comments
        for command in (c.rstrip() for c in re.split(r"\n(?=\S)", code.strip())):
            head = command.split("\n")[0]
            if not command:
                continue
            if head.startswith("open "):
                errors += [f"unknown namespace '{n}'" for n in head.split()[1:] if "Mathlib" not in modules]
            elif head.startswith("namespace "):
                namespace.append(head.split()[1])
            elif head.startswith("end "):
                namespace.pop()
            elif head.startswith("theorem "):
                statement, _, proof = command.partition(" := by\n")
                name = statement.split()[1]
                if statements.get(name) != statement:
                    errors.append(f"fake Lean: no traced file states {statement!r}")
                    continue
                full = ".".join([*namespace, name])
                goals: list[str] | object = split_pp(THEOREMS[full])
                used: set[str] = set()
                for block in re.split(r"\n(?=\S)", "\n".join(line[2:] for line in proof.split("\n"))):
                    if not isinstance(goals, list):
                        break
                    if not goals:
                        errors.append(f"no goals to be proved (at {block})")
                        break
                    goals = step(goals, block)
                    used.update(AXIOMS.get(block.removeprefix("· "), ()))
                if isinstance(goals, ProofGivenUp):  # Lean closes the goal with `sorryAx`, and warns
                    printed.append("declaration uses 'sorry'")
                    declared[full] = tuple(sorted({*used, "sorryAx"}))
                elif isinstance(goals, LeanError):
                    errors.append(goals.error)
                elif isinstance(goals, list) and goals:
                    errors.append("unsolved goals\n" + "\n\n".join(goals))
                elif not errors:
                    declared[full] = tuple(sorted(used))
            elif head.startswith("#print axioms "):
                asked = head.removeprefix("#print axioms ")
                full = next((n for n in (".".join([*namespace, asked]), asked) if n in declared), None)
                if full is None:
                    errors.append(f"unknown constant '{asked}'")
                elif self.prints_axioms and declared[full]:
                    listed = f"'{full}' depends on axioms: [{', '.join(declared[full])}]"
                    printed.append(listed.replace(", ", ",\n ") if len(listed) > 60 else listed)
                elif self.prints_axioms:
                    printed.append(f"'{full}' does not depend on any axioms")
            else:
                errors.append(f"fake Lean: unexpected command {head!r}")
        return errors, printed


@pytest.fixture
def lean(tmp_path: Path) -> FakeLean:
    return FakeLean(tmp_path)


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
    # then `#print axioms`, in command mode: the file's imports, its context and the theorem as
    # the traced file writes it, with the script as its proof
    (axioms,) = lean.command_dojos
    assert (axioms.repo, axioms.file_path, axioms.line) == (dojo.theorem.repo, Path("Example.lean"), 1)
    assert axioms.additional_imports == ["Mathlib", "Aesop"] and axioms.closed
    assert lean.command_texts == [
        "-- the fake's environment has `Real` only when Mathlib is imported\nopen Real\n\n"
        "theorem and_intro (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  constructor\n  · exact hp\n  · exact hq"
        "\n\n#print axioms and_intro"
    ]
    assert lean.events[-2:] == [("enter command mode", "Example.lean"), ("exit command mode", "Example.lean")]


def test_verify_refuses_axioms_beyond_the_standard_three(env: DojoEnv, lean: FakeLean) -> None:
    statement = "theorem and_intro (p q : Prop) (hp : p) (hq : q) : p ∧ q"
    verdict = env.verify(statement, "exact compiled_and")
    # the filter and LeanDojo's own checks pass it (a kernel-checked term, no sorry): only the
    # axioms refuse it
    assert lean.commands == ["exact compiled_and"] and lean.command_texts[-1].endswith("#print axioms and_intro")
    assert not verdict.ok and verdict.messages == (
        "the proof uses axioms beyond Classical.choice, Quot.sound, propext: Lean.ofReduceBool",
    )
    # the file's earlier theorems are left unproved (`sorry`): no concern of this proof's
    exists = env.verify("theorem exists : ∃ n, P n", "refine ⟨?_, ?_⟩\nexact 3\nexact p_three")
    assert exists.ok and "theorem and_intro (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  sorry" in (
        lean.command_texts[-1]
    )


def test_verify_fails_when_the_axioms_are_not_reported(env: DojoEnv, lean: FakeLean) -> None:
    statement, proof = "theorem and_intro (p q : Prop) (hp : p) (hq : q) : p ∧ q", "constructor\n· exact hp\n· exact hq"
    assert env.verify(statement, proof).ok
    lean.prints_axioms = False  # Lean answered, but no report among what it printed
    verdict = env.verify(statement, proof)
    assert not verdict.ok and verdict.messages == ("expected one `#print axioms` report, got 0",)
    lean.prints_axioms, lean.command_mode_fails = True, True
    verdict = env.verify(statement, proof)
    assert not verdict.ok and "cannot start Lean's command REPL on Example.lean" in verdict.messages[0]
    lean.command_mode_fails, lean.commands_time_out = False, True
    verdict = env.verify(statement, proof, timeout=3.0)
    assert not verdict.ok and verdict.messages == ("`#print axioms` timed out after 600 s",)
    assert all(d.closed for d in lean.command_dojos)
    lean.commands_time_out = False
    (lean.root / "Example.lean").write_text("import Mathlib\n\ntheorem other : True := by\n  sorry\n")
    verdict = env.verify(statement, proof)  # LeanDojo opened it, but its text is not in the file
    assert not verdict.ok and "cannot read and_intro from the traced Example.lean" in verdict.messages[0]
    (lean.root / "Example.lean").write_text(EXAMPLE_LEAN.replace("import Mathlib\n", ""))
    verdict = env.verify(statement, proof)  # the context needs the imports: they come from the file
    assert not verdict.ok and verdict.messages[0].startswith("unknown namespace 'Real'")


def test_verify_in_a_namespace(lean: FakeLean) -> None:
    env = DojoEnv("https://github.com/example/repo", "abc123", "Ns.lean", namespace="Ex", lean_dojo=lean.module)
    verdict = env.verify("theorem twin (p q : Prop) (hp : p) (hq : q) : p ∧ q", "constructor\n· exact hp\n· exact hq")
    assert verdict.ok, verdict.messages
    assert lean.dojos[-1].theorem.full_name == "Ex.twin"
    assert lean.command_texts[-1].startswith("namespace Ex\n\ntheorem twin ")
    assert lean.command_texts[-1].endswith("#print axioms Ex.twin")


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
