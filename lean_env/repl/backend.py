"""`ReplEnv`: the `ProofEnv` contract on real Lean 4, through the Lean REPL and lean-interact.

One REPL process per instance (`server.ReplServer`). A header (`import Mathlib`, `open ...`) is
elaborated once per process and reused through its environment id; a theorem starts from the
proof state of `theorem ... := by sorry`; tactics run on proof states, one goal at a time
(`protocol.focused`). Every request has a timeout; the process has a memory cap and is
restarted (before a request) when its resident memory passes `soft_memory` of the cap.

After a crash, a timeout or a memory restart the REPL's proof states are gone. Every contract
state keeps the way it was reached (its parent and the exact tactic text sent), so a lost state
is rebuilt on demand by replaying that path from the root in the new process: the search never
sees the restart. A request that crashed the process is tried once more on a fresh one.

`verify` sends the whole theorem as a fresh command in the header's environment and judges it
by `verify.judge`, after the safety filter has passed every tactic of the script.
"""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass

from lean_interact.interface import (
    Command,
    CommandResponse,
    LeanError,
    Message,
    ProofStep,
)

from lean_env.contract import (
    DEFAULT_TIMEOUT,
    ProofState,
    StatementError,
    TacticError,
    TacticResult,
    TacticSuccess,
    TacticTimeout,
    Verification,
    capabilities,
)
from lean_env.repl.protocol import (
    StepFailed,
    addressed,
    declaration,
    focused,
    goal_views,
    mentions_name,
    read_root,
    read_step,
)
from lean_env.repl.server import ProcessSpec, ReplServer, spec_for
from lean_env.repl.setup import find_setup, not_set_up
from lean_env.repl.verify import BACKEND, judge, proof_problems, script_refusals
from lean_env.safety import request_error

log = logging.getLogger(__name__)
DEFAULT_MEMORY_MB = 16384  # RLIMIT_AS of the REPL: Mathlib's mapped .olean files count against it
REPLAY_SLACK = 2.0  # a replayed step may take this many times its original timeout


class _Timeout(Exception):
    pass


class _Crash(Exception):
    pass


class _Lost(Exception):
    """A state that cannot be rebuilt after a restart (its replay failed)."""


@dataclass(slots=True)
class _Node:
    """A contract state: how it was reached, and where the current REPL process holds it."""

    parent: int | None  # the handle it came from; None for a root
    command: str  # root: the start command; else the exact tactic text sent to the parent
    header: str
    timeout: float
    total: int  # goals in the REPL state
    visible: int  # the first `visible` of them are the contract state's goals
    name: str  # the theorem's name
    repl_id: int  # proof state id in the process of `generation`
    generation: int


class ReplEnv:
    """Real Lean 4. Expensive to create (a Lean process, and the header's imports on first use)."""

    name = BACKEND
    capabilities = capabilities(BACKEND)

    def __init__(
        self,
        spec: ProcessSpec,
        *,
        default_header: str = "",
        header_timeout: float = 600.0,
        soft_memory: float = 0.8,
        memory_check_every: int = 16,
        max_states: int = 1_000_000,
    ) -> None:
        self.spec = spec
        self.default_header = default_header
        self.header_timeout = header_timeout
        self.soft_memory = soft_memory
        self.memory_check_every = memory_check_every
        self.max_states = max_states
        self.restarts = 0
        self._server = ReplServer(spec)
        self._generation = 0
        self._headers: dict[str, int] = {}
        self._nodes: dict[int, _Node] = {}
        self._next = 0
        self._calls = 0

    @classmethod
    def open(
        cls, *, project_dir: str | None = None, repl_dir: str | None = None, lake: str | None = None,
        memory_mb: int | None = DEFAULT_MEMORY_MB, direct: bool = True, **options: object,
    ) -> ReplEnv:
        """The REPL of this machine's Lean setup (`setup.find_setup`); ValueError when there is none."""
        setup = find_setup(project_dir=project_dir, repl_dir=repl_dir, lake=lake)
        try:
            spec = spec_for(setup, memory_mb=memory_mb, direct=direct)
            return cls(spec, **options)  # type: ignore[arg-type]
        except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as e:  # `lake env` or the REPL failed
            raise not_set_up(f"the Lean REPL does not start ({e})") from None

    # ------------------------------------------------------------ contract

    def start(self, statement: str, *, header: str = "", timeout: float = DEFAULT_TIMEOUT) -> ProofState:
        decl = declaration(statement)
        header = header or self.default_header
        command = decl.start_command()
        self._check_memory()
        try:
            response = self._retrying(lambda: self._send(Command(cmd=command, env=self._header_env(header)), timeout))
        except _Timeout:
            raise StatementError(f"Lean did not elaborate the statement within {timeout} s", source=statement) from None
        except (_Crash, _Lost) as e:
            raise StatementError(str(e), source=statement) from None
        proof_state, goal = read_root(response, statement)
        node = _Node(None, command, header, timeout, 1, 1, decl.name, proof_state, self._generation)
        return ProofState(self._register(node), goal_views((goal,)))

    def apply(
        self,
        state: ProofState,
        tactic: str,
        *,
        goal: int = 0,
        timeout: float = DEFAULT_TIMEOUT,
        with_goals: Sequence[int] = (),
    ) -> TacticResult:
        node = self._nodes.get(state.handle)
        why = request_error(tactic, None if node is None else node.visible, goal, with_goals)
        if why is not None:
            return TacticError(f"{why}: {state.handle}" if node is None else why)
        assert node is not None
        try:
            text = focused(tactic.strip(), goal, with_goals, node.total)
        except ValueError as e:
            return TacticError(str(e))
        if mentions_name(tactic, node.name):
            return TacticError(f"refused: the tactic names the theorem being proved ('{node.name}')")
        self._check_memory()
        for attempt in range(2):
            try:
                parent = self._live(state.handle)
            except _Lost as e:
                return TacticError(f"lost proof state could not be rebuilt: {e}")
            except _Timeout:
                return TacticError("lost proof state could not be rebuilt: the replay timed out")
            except _Crash as e:
                if attempt:
                    return TacticError(f"the Lean REPL crashed while rebuilding the state: {e}")
                continue
            t0 = time.perf_counter()
            try:
                response = self._send(ProofStep(proof_state=parent, tactic=text), timeout)
            except _Timeout:
                return TacticTimeout(timeout, time.perf_counter() - t0)
            except _Crash as e:
                if attempt:
                    return TacticError(f"the Lean REPL crashed on this tactic: {e}", time.perf_counter() - t0)
                log.warning("%s; restarting it and trying once more", e)
                continue
            elapsed = time.perf_counter() - t0
            outcome = read_step(response)
            if isinstance(outcome, StepFailed):
                if outcome.lost and not attempt:
                    node.generation = -1  # rebuild it from its parent and try again
                    continue
                return TacticError(outcome.message, elapsed)
            visible = addressed(len(outcome.goals), node.total, len(with_goals))
            if visible < 0:
                return TacticError("the tactic changed goals outside the one it was applied to", elapsed)
            child = _Node(
                state.handle, text, node.header, timeout, len(outcome.goals), visible, node.name,
                outcome.proof_state, self._generation,
            )
            return TacticSuccess(ProofState(self._register(child), goal_views(outcome.goals[:visible])), elapsed)
        return TacticError("the Lean REPL failed twice")

    def outside_fragment(self, state: ProofState) -> str:
        return ""  # Lean judges every goal

    def verify(self, statement: str, proof: str, *, header: str = "", timeout: float = DEFAULT_TIMEOUT) -> Verification:
        """The complete theorem as a fresh command in the header's environment (`verify.judge`)."""
        refused = script_refusals(proof)
        if refused:
            return Verification(False, tuple(refused), BACKEND)
        try:
            decl = declaration(statement)
        except StatementError as e:
            return Verification(False, (str(e),), BACKEND)
        header = header or self.default_header
        self._check_memory()

        def check() -> Verification:
            response = self._send(Command(cmd=decl.proof_command(proof), env=self._header_env(header)), timeout)
            if isinstance(response, LeanError):
                return Verification(False, (response.message,), BACKEND)
            if proof_problems(response.messages, response.sorries):
                return judge(response.messages, response.sorries, None)  # no need to ask for the axioms
            axioms = self._send(Command(cmd=decl.axioms_command(), env=response.env), timeout)
            return judge(response.messages, response.sorries, _messages(axioms))

        try:
            return self._retrying(check)
        except _Timeout:
            return Verification(False, (f"verification timed out after {timeout} s",), BACKEND)
        except (_Crash, _Lost) as e:
            return Verification(False, (str(e),), BACKEND)

    def close(self) -> None:
        self._server.kill()
        self._nodes.clear()
        self._headers.clear()

    def __enter__(self) -> ReplEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ the process

    @property
    def pid(self) -> int | None:
        """The REPL process (for tests and tools)."""
        return self._server.pid

    def _send(self, request: Command | ProofStep, timeout: float):  # -> CommandResponse | ProofStepResponse | LeanError
        self._ensure_server()
        try:
            return self._server.run(request, timeout=timeout)
        except TimeoutError:  # lean-interact has killed the process
            self._server.kill()
            raise _Timeout from None
        except (OSError, ValueError, AssertionError) as e:  # closed pipes, dead process, bad JSON
            tail = self._server.stderr_tail()
            self._server.kill()
            first = (str(e).strip().splitlines() or [""])[0]
            raise _Crash(
                f"the Lean REPL crashed ({type(e).__name__}: {first})" + (f"\n{tail}" if tail else "")
            ) from None

    def _retrying(self, call):
        """`call()`, once more on a fresh process if the first try crashed it."""
        try:
            return call()
        except _Crash as e:
            log.warning("%s; restarting it and trying once more", e)
            return call()

    def _ensure_server(self) -> None:
        if not self._server.is_alive():
            self._restart()

    def _check_memory(self) -> None:
        """Restart the REPL when its resident memory nears the cap (before a contract call, never
        in the middle of a replay); lost states come back by replay."""
        self._calls += 1
        if not self.spec.memory_mb or self._calls % self.memory_check_every or not self._server.is_alive():
            return
        used = self._server.get_memory_usage()
        if used > self.soft_memory * self.spec.memory_mb:
            log.info("Lean REPL uses %.0f MB (cap %d MB): restarting it", used, self.spec.memory_mb)
            self._restart()

    def _restart(self) -> None:
        self._server.kill()
        self._server.start()
        self._generation += 1
        self._headers.clear()
        self.restarts += 1

    def _header_env(self, header: str) -> int | None:
        self._ensure_server()  # a restart forgets the header environments
        if not header.strip():
            return None  # a fresh environment with Lean's prelude
        env = self._headers.get(header)
        if env is None:
            try:
                response = self._send(Command(cmd=header), self.header_timeout)
            except _Timeout:
                raise _Lost(f"the header did not elaborate within {self.header_timeout} s") from None
            if isinstance(response, LeanError):
                raise _Lost(f"the header does not elaborate: {response.message}")
            errors = [m.data for m in response.messages if m.severity == "error"]
            if errors:
                raise _Lost("the header does not elaborate: " + "\n".join(errors))
            env = self._headers[header] = response.env
        return env

    # ------------------------------------------------------------ states and replay

    def _register(self, node: _Node) -> int:
        if len(self._nodes) >= self.max_states:
            self._nodes.clear()  # memory bound: stale handles then answer "Unknown proof state"
        handle = self._next
        self._next += 1
        self._nodes[handle] = node
        return handle

    def _live(self, handle: int) -> int:
        """The REPL id of a state in the current process, replaying its path if it was lost."""
        self._ensure_server()
        chain, h = [], handle
        while True:
            node = self._nodes.get(h)
            if node is None:  # dropped by the `max_states` bound
                raise _Lost("its path from the root was forgotten")
            if node.generation == self._generation:
                break
            chain.append(node)
            if node.parent is None:
                break
            h = node.parent
        for node in reversed(chain):
            self._rebuild(node)
        return self._nodes[handle].repl_id

    def _rebuild(self, node: _Node) -> None:
        timeout = node.timeout * REPLAY_SLACK
        if node.parent is None:
            response = self._send(Command(cmd=node.command, env=self._header_env(node.header)), timeout)
            try:
                repl_id, _ = read_root(response)
            except StatementError as e:
                raise _Lost(f"the statement no longer elaborates: {e}") from None
        else:
            parent = self._nodes[node.parent]
            outcome = read_step(self._send(ProofStep(proof_state=parent.repl_id, tactic=node.command), timeout))
            if isinstance(outcome, StepFailed):
                raise _Lost(f"replaying `{node.command}` failed: {outcome.message}")
            if len(outcome.goals) != node.total:
                raise _Lost(f"replaying `{node.command}` gave {len(outcome.goals)} goals, not {node.total}")
            repl_id = outcome.proof_state
        node.repl_id, node.generation = repl_id, self._generation
        log.debug("rebuilt proof state %d in REPL generation %d", repl_id, self._generation)


def _messages(response: CommandResponse | LeanError) -> list[Message]:
    if isinstance(response, LeanError):
        return [
            Message.model_validate({"pos": {"line": 0, "column": 0}, "severity": "error", "data": response.message})
        ]
    return list(response.messages)
