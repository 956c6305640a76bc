"""`DojoEnv`: the `ProofEnv` contract on LeanDojo (`lean_dojo`), for theorems of a traced repo.

LeanDojo names a theorem by repository (git URL or local path, and commit), file and full
name; it replaces the theorem's proof with its own REPL tactic and runs that file in Lean, so
a statement's text serves only to name the theorem (`theorem NAME ...`). Every `run_tac` makes
a new LeanDojo state from an old one, and states persist, so search can branch freely.

Goals: LeanDojo keeps one Lean goal list per state; a `ProofState` here is a view on it (the
positions of its goals). A tactic for one goal runs focused (see `goals.focus_command`), and
the goals Lean returns are matched back to the view (`goals.split_result`). Goals left out of
a view stay in Lean's list, unseen.

Failures: LeanDojo raises on a tactic timeout (`DojoTacticTimeoutError`) and on a dead Lean
process (`DojoCrashError`); either leaves its process unusable, so the session is dropped and
the next call starts a new one and replays the tactics that led to the state it is given.
A proof is verified by replaying the script, one top-level tactic at a time, in a fresh Dojo,
after the safety filter, to `ProofFinished` (LeanDojo's own check of the finished proof term
for `sorry`, metavariables and the kernel); then by `#print axioms`, which tactic mode cannot
ask: in LeanDojo's command mode, a fresh Lean process on the file's imports, the theorem as the
traced file writes it, with the file's context before it, is sent as commands with the script
as its proof, then `#print axioms NAME`; the answer must clear `lean_env.axioms` (the allowlist
the `repl` backend uses) and be about the theorem LeanDojo opened.

`lean_dojo` is imported on first use only: it builds a GitHub client at import.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import math
import os
import re
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from lean_env.axioms import axiom_problems, axiom_reports
from lean_env.contract import (
    DEFAULT_TIMEOUT,
    EnvCounters,
    GoalView,
    ProofState,
    StatementError,
    TacticError,
    TacticResult,
    TacticSuccess,
    TacticTimeout,
    Verification,
    capabilities,
)
from lean_env.dojo.goals import (
    coupled_with,
    focus_command,
    parse_goals,
    rotated,
    same_goals,
    script_blocks,
    script_refusal,
    split_result,
    state_views,
)
from lean_env.problem import Problem
from lean_env.safety import request_error
from lean_env.text.files import split_imports, theorem_in_file
from lean_env.text.statement import with_proof

log = logging.getLogger(__name__)
NAME = "dojo"
INIT_TIMEOUT = 600  # seconds for LeanDojo to start Lean on the file (LeanDojo's own default)
REPO_VAR, COMMIT_VAR, FILE_VAR = "LEANZERO_DOJO_REPO", "LEANZERO_DOJO_COMMIT", "LEANZERO_DOJO_FILE"


@dataclass(frozen=True, slots=True)
class DojoTarget:
    """Where the theorems live: a LeanDojo-traced repo at one commit, and one file of it, or
    one file per theorem: `{name}` in `file` stands for the theorem's name (miniF2F keeps each
    problem in `MiniF2F/Valid/{name}.lean`)."""

    repo: str  # git URL (GitHub or other) or local path of the repo
    commit: str  # commit hash or tag
    file: str  # the .lean file, relative to the repo root; may hold `{name}`
    namespace: str = ""  # prefixed to theorem names: `theorem foo` is `NAMESPACE.foo`

    def file_of(self, name: str) -> str:
        """The file of theorem `name` (as the statement writes it, without the namespace)."""
        return self.file.replace("{name}", name)

    @classmethod
    def from_options(
        cls, repo: str | None = None, commit: str | None = None, file: str | None = None, namespace: str = "",
        env: dict[str, str] | None = None,
    ) -> DojoTarget:
        """Options first, then $LEANZERO_DOJO_REPO / _COMMIT / _FILE; ValueError names what is missing."""
        env = dict(os.environ) if env is None else env
        repo = repo or env.get(REPO_VAR)
        commit = commit or env.get(COMMIT_VAR)
        file = file or env.get(FILE_VAR)
        missing = [f"{what} (${var})" for what, var, value in (
            ("a repository", REPO_VAR, repo), ("a commit", COMMIT_VAR, commit), ("a file", FILE_VAR, file)
        ) if not value]
        if missing:
            raise ValueError(
                f"backend 'dojo' needs {', '.join(missing)}: the theorem must live in a LeanDojo-traced "
                "repository (see docs/dojo.md)"
            )
        assert repo and commit and file
        return cls(repo, commit, repo_relative(file, repo), namespace)


def repo_relative(file: str, repo: str) -> str:
    """`file` relative to the repo root. A path that exists here (a checkout) is made relative
    to the nearest folder above it holding a lakefile, or to `repo` when that is a local path."""
    path = Path(file)
    if not path.exists():
        return file
    path = path.resolve()
    local = Path(repo).expanduser()
    if local.is_dir() and path.is_relative_to(local.resolve()):
        return str(path.relative_to(local.resolve()))
    for folder in path.parents:
        if (folder / "lakefile.lean").is_file() or (folder / "lakefile.toml").is_file():
            return str(path.relative_to(folder))
    return file


@dataclass(frozen=True, slots=True)
class _Node:
    """A proof state: how it was reached (for replays) and which Lean goals it shows."""

    theorem: str  # full name: the session it belongs to
    parent: int | None  # None for a root
    command: str  # what was sent to LeanDojo from the parent's state
    lean_goals: tuple[GoalView, ...]  # Lean's whole goal list (full metavariable sets)
    view: tuple[int, ...]  # positions in `lean_goals` of the goals this state shows


class _Session:
    """One live Dojo (one Lean process) for one theorem, and the LeanDojo states it made."""

    def __init__(self, dojo: Any, root: int, init_state: Any) -> None:
        self.dojo = dojo
        self.states: dict[int, Any] = {root: init_state}


class DojoEnv:
    """LeanDojo behind the contract. Options (or the environment variables in `DojoTarget`)
    name the repo, commit and file; `start` takes the theorem's name from its statement."""

    name = NAME
    capabilities = capabilities(NAME)

    def __init__(
        self,
        repo: str | None = None,
        commit: str | None = None,
        file: str | None = None,
        *,
        namespace: str = "",
        init_timeout: float = INIT_TIMEOUT,
        max_sessions: int = 1,
        lean_dojo: ModuleType | None = None,  # the `lean_dojo` module (tests pass a fake); imported on first use
    ) -> None:
        self.target = DojoTarget.from_options(repo, commit, file, namespace)
        if lean_dojo is None and importlib.util.find_spec("lean_dojo") is None:
            raise ValueError("backend 'dojo' needs the lean-dojo package: pip install lean-dojo (see docs/dojo.md)")
        self._ld = lean_dojo
        self._repo: Any = None
        self.init_timeout = init_timeout
        self.max_sessions = max(1, max_sessions)
        self._nodes: dict[int, _Node] = {}
        self._roots: dict[str, int] = {}
        self._sessions: OrderedDict[str, _Session] = OrderedDict()  # least recently used first
        self._next = 0
        self._counters = EnvCounters()

    # ------------------------------------------------------------ contract

    def start(self, statement: str, *, header: str = "", timeout: float = DEFAULT_TIMEOUT) -> ProofState:
        """The root state of the repo's theorem named by `statement`."""
        theorem = self._full_name(statement)
        if theorem not in self._roots:
            handle = self._new_handle()
            session, init = self._open(theorem, handle, timeout)
            goals = parse_goals(init.pp)
            self._nodes[handle] = _Node(theorem, None, "", goals, tuple(range(len(goals))))
            self._roots[theorem] = handle
            self._sessions[theorem] = session
            self._trim_sessions(keep=theorem)
        return self._state(self._roots[theorem])

    def apply(
        self,
        state: ProofState,
        tactic: str,
        *,
        goal: int = 0,
        timeout: float = DEFAULT_TIMEOUT,
        with_goals: Sequence[int] = (),
    ) -> TacticResult:
        t0 = time.perf_counter()
        node = self._nodes.get(state.handle)
        why = request_error(tactic, None if node is None else len(node.view), goal, with_goals)
        if why is not None:
            return TacticError(f"{why}: {state.handle}" if node is None else why, 0.0)
        assert node is not None
        position = node.view[goal]
        command = focus_command(tactic, position)
        ld = self._module()
        try:
            lean_state = self._lean_state(state.handle, timeout)
            self._set_timeout(node.theorem, timeout)
            result = self._sessions[node.theorem].dojo.run_tac(lean_state, command)
        except _ReplayError as e:
            return TacticError(str(e), time.perf_counter() - t0)
        except Exception as e:  # LeanDojo raises for timeouts and dead processes: the session is spent
            self._drop(node.theorem)
            elapsed = time.perf_counter() - t0
            if _is(e, ld, "DojoTacticTimeoutError"):
                self._count(kills=1)
                return TacticTimeout(timeout, elapsed)
            if _is(e, ld, "DojoCrashError"):
                self._count(crashes=1)
                oom = " (out of memory)" if getattr(e, "is_out_of_memory", False) else ""
                return TacticError(f"Lean crashed{oom}: {e}; the next call starts a new Lean process", elapsed)
            log.exception("dojo: unexpected error on tactic %r", tactic)
            return TacticError(f"dojo internal error: {type(e).__name__}: {e}", elapsed)
        elapsed = time.perf_counter() - t0
        if _is(result, ld, "LeanError"):
            return TacticError(str(getattr(result, "error", result)), elapsed)
        if _is(result, ld, "ProofGivenUp"):
            return TacticError("the proof contains `sorry` (LeanDojo: ProofGivenUp)", elapsed)
        if _is(result, ld, "ProofFinished"):
            after: tuple[GoalView, ...] = ()
            kept: tuple[int, ...] = ()
        elif _is(result, ld, "TacticState"):
            after = parse_goals(result.pp)
            kept_or_error = self._match(node, goal, with_goals, after)
            if isinstance(kept_or_error, str):
                return TacticError(kept_or_error, elapsed)
            kept = kept_or_error
        else:
            return TacticError(f"dojo: unexpected LeanDojo result {type(result).__name__}", elapsed)
        if elapsed > timeout:
            return TacticTimeout(timeout, elapsed)
        handle = self._new_handle()
        self._nodes[handle] = _Node(node.theorem, state.handle, command, after, kept)
        if not _is(result, ld, "ProofFinished"):
            self._sessions[node.theorem].states[handle] = result
        return TacticSuccess(self._state(handle), elapsed)

    def outside_fragment(self, state: ProofState) -> str:
        return ""  # Lean judges every goal

    def verify(self, statement: str, proof: str, *, header: str = "", timeout: float = DEFAULT_TIMEOUT) -> Verification:
        """Replay `proof` in a fresh Dojo, one top-level tactic at a time, to ProofFinished, then
        ask `#print axioms` in command mode (`_axioms`). The replay has `timeout` seconds;
        starting Lean on the file, and the command, have `init_timeout`."""
        refused = script_refusal(proof)
        if refused is not None:
            return Verification(False, (refused,), NAME)
        blocks = script_blocks(proof)
        if not blocks:
            return Verification(False, ("empty proof",), NAME)
        try:
            theorem = self._full_name(statement)
        except StatementError as e:
            return Verification(False, (str(e),), NAME)
        failed = self._replay(theorem, blocks, timeout)
        return failed if failed is not None else self._axioms(theorem, proof, timeout)

    def _replay(self, theorem: str, blocks: Sequence[str], timeout: float) -> Verification | None:
        """The failed verdict of replaying `blocks` in a fresh Dojo, or None at ProofFinished."""
        ld = self._module()
        try:
            dojo = ld.Dojo(self._theorem(theorem), timeout=_seconds(max(timeout, self.init_timeout)))
            state = _enter(dojo)
        except Exception as e:
            return Verification(False, (f"dojo: cannot start {theorem}: {type(e).__name__}: {e}",), NAME)
        deadline = time.monotonic() + timeout  # for the replay; starting Lean has `init_timeout`
        try:
            for block in blocks:
                if _is(state, ld, "ProofFinished"):
                    return Verification(False, (f"no goals to be proved (before: {block.splitlines()[0]})",), NAME)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ld.DojoTacticTimeoutError()
                _set_proc_timeout(dojo, remaining)
                result = dojo.run_tac(state, block)
                if _is(result, ld, "LeanError"):
                    return Verification(False, (f"{getattr(result, 'error', result)} (in: {block})",), NAME)
                if _is(result, ld, "ProofGivenUp"):
                    return Verification(False, ("the proof contains `sorry`",), NAME)
                state = result
            if _is(state, ld, "ProofFinished"):
                return None
            return Verification(False, ("unsolved goals\n" + getattr(state, "pp", str(state)),), NAME)
        except Exception as e:
            if _is(e, ld, "DojoTacticTimeoutError"):
                return Verification(False, (f"verification timed out after {timeout} s",), NAME)
            return Verification(False, (f"dojo: {type(e).__name__}: {e}",), NAME)
        finally:
            _exit(dojo)

    def _axioms(self, theorem: str, proof: str, timeout: float) -> Verification:
        """The verdict of `#print axioms` on the theorem proved by `proof`. Tactic mode cannot
        ask it, so a command-mode Dojo (a fresh Lean process) starts at line 1 of the file,
        where its environment is the file's imports (`additional_imports`), and is sent the
        file's context before the theorem, the theorem as the file writes it with `proof`,
        and `#print axioms THEOREM`, as one command (with `init_timeout`, as elaborating that
        context is part of starting a Dojo). LeanDojo prints the messages that are not errors
        line by line (errors make a `LeanError`); no report, or one about another name, fails
        the proof as axioms beyond the allowlist do. A `sorry` shows there as `sorryAx`; the
        context's own `sorry` warnings (earlier theorems left unproved) are no concern."""
        ld = self._module()
        file = self.target.file_of(self._short(theorem))
        try:
            source = self._source(theorem)
        except Exception as e:  # not traced, no such file or theorem in it, ...
            return Verification(False, (
                f"dojo: cannot read {theorem} from the traced {file} to ask `#print axioms`: {type(e).__name__}: {e}",
            ), NAME)
        modules, context = split_imports(source.header)
        command = "\n\n".join(part for part in (
            context.strip(), with_proof(source.statement, proof), f"#print axioms {theorem}"
        ) if part)
        try:
            dojo = ld.Dojo((self._git_repo(), Path(file), 1), timeout=_seconds(max(timeout, self.init_timeout)),
                           additional_imports=list(modules))
            state = _enter(dojo)
        except Exception as e:
            return Verification(False, (
                f"dojo: cannot start Lean's command REPL on {file} to ask `#print axioms`: {type(e).__name__}: {e}",
            ), NAME)
        budget = max(timeout, self.init_timeout)  # it elaborates the file's context again, as a start does
        try:
            _set_proc_timeout(dojo, budget)
            result = dojo.run_cmd(state, command)
        except Exception as e:
            if _is(e, ld, "DojoTacticTimeoutError"):
                return Verification(False, (f"`#print axioms` timed out after {budget} s",), NAME)
            return Verification(False, (f"dojo: `#print axioms`: {type(e).__name__}: {e}",), NAME)
        finally:
            _exit(dojo)
        if _is(result, ld, "LeanError"):
            error = getattr(result, "error", result)
            return Verification(False, (f"{error} (in the theorem sent for `#print axioms`)",), NAME)
        if not _is(result, ld, "CommandState"):
            return Verification(False, (f"dojo: unexpected LeanDojo result {type(result).__name__}",), NAME)
        # a `sorry` shows as `sorryAx`; the context's own `sorry` warnings are no concern here
        problems = axiom_problems(axiom_reports(getattr(result, "message", None) or ""), name=theorem)
        return Verification(not problems, tuple(problems), NAME)

    def counters(self) -> EnvCounters:
        """Sessions lost to timeouts (`kills`) or crashes, sessions reopened (`restarts`), replays."""
        return self._counters

    def _count(self, **delta: int) -> None:
        self._counters = replace(self._counters, **{k: getattr(self._counters, k) + v for k, v in delta.items()})

    def close(self) -> None:
        for theorem in list(self._sessions):
            self._drop(theorem)
        self._nodes.clear()
        self._roots.clear()

    def __enter__(self) -> DojoEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ helpers

    def _module(self) -> Any:
        if self._ld is None:
            self._ld = importlib.import_module("lean_dojo")
        return self._ld

    def _full_name(self, statement: str) -> str:
        m = re.search(r"\b(?:theorem|lemma)\s+([^\s(\[{:]+)", statement)
        if m is None:
            raise StatementError(
                "the dojo backend names theorems by `theorem NAME`; no name found", 1, 1, statement
            )
        name = m.group(1)
        return f"{self.target.namespace}.{name}" if self.target.namespace else name

    def _git_repo(self) -> Any:
        if self._repo is None:
            self._repo = self._module().LeanGitRepo(self.target.repo, self.target.commit)
        return self._repo

    def _theorem(self, full_name: str) -> Any:
        return self._module().Theorem(self._git_repo(), Path(self.target.file_of(self._short(full_name))), full_name)

    def _source(self, full_name: str) -> Problem:
        """The theorem as its traced file writes it, with the file's context before it as its
        header (`lean_env.text.files`, as `leanzero prove --file` reads it)."""
        short = self._short(full_name)
        root = Path(self._module().get_traced_repo_path(self._git_repo()))
        return theorem_in_file(str(root / self.target.file_of(short)), short)

    def _short(self, full_name: str) -> str:
        return full_name.removeprefix(f"{self.target.namespace}.") if self.target.namespace else full_name

    def _open(self, theorem: str, root: int, timeout: float) -> tuple[_Session, Any]:
        """Start a Dojo on `theorem`; StatementError when LeanDojo cannot."""
        try:
            dojo = self._module().Dojo(self._theorem(theorem), timeout=_seconds(max(timeout, self.init_timeout)))
            init = _enter(dojo)
        except Exception as e:  # DojoInitError, an untraced repo, a bad URL, no network...
            where = f"{self.target.repo}@{self.target.commit}:{self.target.file_of(self._short(theorem))}"
            raise StatementError(f"dojo: cannot start {theorem} in {where}: {type(e).__name__}: {e}", 0, 0) from None
        return _Session(dojo, root, init), init

    def _lean_state(self, handle: int, timeout: float) -> Any:
        """LeanDojo's state for `handle`, replaying from the root in a new session if needed."""
        node = self._nodes[handle]
        session = self._sessions.get(node.theorem)
        if session is None:
            root = self._roots[node.theorem]
            self._count(restarts=1)
            try:
                session, init = self._open(node.theorem, root, timeout)
            except StatementError as e:
                raise _ReplayError(e.message) from None
            if not same_goals(parse_goals(init.pp), self._nodes[root].lean_goals):
                _exit(session.dojo)
                raise _ReplayError("dojo: the theorem's goals changed since the search began")
            self._nodes[root] = replace(self._nodes[root], lean_goals=parse_goals(init.pp))
            self._sessions[node.theorem] = session
            self._trim_sessions(keep=node.theorem)
        self._sessions.move_to_end(node.theorem)
        path = []
        h: int | None = handle
        while h is not None and h not in session.states:
            path.append(h)
            h = self._nodes[h].parent
        ld = self._module()
        for h in reversed(path):
            step = self._nodes[h]
            assert step.parent is not None
            self._set_timeout(node.theorem, timeout)
            self._count(replayed_steps=1)
            result = session.dojo.run_tac(session.states[step.parent], step.command)
            if not _is(result, ld, "TacticState") or not same_goals(parse_goals(result.pp), step.lean_goals):
                raise _ReplayError("dojo: replaying the tactics to this state after a restart gave another state")
            session.states[h] = result
            # the new process may number anonymous metavariables differently: match against its text
            self._nodes[h] = replace(step, lean_goals=parse_goals(result.pp))
        return session.states[handle]

    def _match(
        self, node: _Node, goal: int, with_goals: Sequence[int], after: tuple[GoalView, ...]
    ) -> tuple[int, ...] | str:
        """The view of the state after a tactic: its new goals, then `with_goals` still open."""
        position = node.view[goal]
        order = rotated(len(node.lean_goals), position)
        before = [node.lean_goals[q] for q in order]
        tracked = [node.view[j] for j in with_goals]
        changeable = coupled_with(node.lean_goals, [position, *tracked])
        result = split_result(before, after, {k for k, q in enumerate(order) if q in changeable})
        if result is None:
            return "dojo: cannot match the goals Lean returned to the goals before the tactic"
        new, where = result
        at = {q: where[k] for k, q in enumerate(order)}
        return (*range(new), *(at[q] for q in tracked if at[q] is not None))

    def _state(self, handle: int) -> ProofState:
        node = self._nodes[handle]
        return ProofState(handle, state_views([node.lean_goals[p] for p in node.view]))

    def _set_timeout(self, theorem: str, timeout: float) -> None:
        _set_proc_timeout(self._sessions[theorem].dojo, timeout)

    def _drop(self, theorem: str) -> None:
        session = self._sessions.pop(theorem, None)
        if session is not None:
            _exit(session.dojo)

    def _trim_sessions(self, keep: str) -> None:
        while len(self._sessions) > self.max_sessions:
            oldest = next(t for t in self._sessions if t != keep)
            self._drop(oldest)

    def _new_handle(self) -> int:
        handle = self._next
        self._next += 1
        return handle


class _ReplayError(Exception):
    """A state could not be brought back after its session ended."""


def _is(value: object, ld: Any, name: str) -> bool:
    kind = getattr(ld, name, None)
    return isinstance(kind, type) and isinstance(value, kind)


def _seconds(timeout: float) -> int:
    return max(1, math.ceil(timeout))


def _set_proc_timeout(dojo: Any, timeout: float) -> None:
    """LeanDojo fixes one timeout per Dojo (its pexpect process's); set it per call."""
    proc = getattr(dojo, "proc", None)
    if proc is not None and hasattr(proc, "timeout"):
        proc.timeout = _seconds(timeout)


def _enter(dojo: Any) -> Any:
    """The initial state of a Dojo; one that fails to start is closed (its Lean may be up)."""
    try:
        return dojo.__enter__()[1]
    except Exception:
        _exit(dojo)
        raise


def _exit(dojo: Any) -> None:
    try:
        dojo.__exit__(None, None, None)
    except Exception:  # a dead process or a half-started Dojo: nothing left to release
        log.debug("dojo: error while closing a Dojo", exc_info=True)
