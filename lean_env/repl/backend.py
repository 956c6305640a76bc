"""`ReplEnv`: the `ProofEnv` contract on real Lean 4, through the Lean REPL and lean-interact.

One REPL process per instance (`server.ReplServer`). A header (`import Mathlib`, `open ...`) is
elaborated once per process and reused through its environment id; a theorem starts from the
proof state of `theorem ... := by sorry`; tactics run on proof states, one goal at a time
(`protocol.focused`), each inside a heartbeat budget Lean enforces (`heartbeats`, through
`protocol.BUDGET_COMMAND`); a tactic Lean stops there is a `TacticTimeout` and the process lives on.

Budgets and restarts, cheapest first:
- Lean's heartbeat budget per tactic (deterministic; no kill);
- the wall-clock timeout of every request, the last resort: lean-interact gives up on the answer
  and the process group is killed;
- planned replacements before a contract call: when the process's address space (what
  `RLIMIT_AS`, the hard cap, limits: Mathlib's mapped `.olean` files count there, not in RSS)
  passes `soft_memory` of the cap, or after `restart_states` proof states (the REPL never frees
  one) or `restart_requests` requests;
- a warm standby process (`standby`, on by default) whose headers are already elaborated, so a
  kill or a restart does not stall the search on a Mathlib import (it costs a second process's
  memory). `counters()` counts all of it.

After a crash, a timeout or a restart the REPL's proof states are gone. Every contract state
keeps the way it was reached (its parent, the exact tactic text sent, and every goal text the
REPL listed), so a lost state is rebuilt on demand by replaying that path from the root in the
new process, checking each replayed step's goals against the recorded texts; a path longer than
`max_replay` steps is not replayed (the search gets a clear error). A request that crashed the
process is tried once more on a fresh one. Goal bookkeeping is checked on every step: the goals a
tactic was not applied to must come back unchanged (`protocol.untouched_mismatch`).

`verify` sends the whole theorem as a fresh command in the header's environment and judges it
by `verify.judge`, after the safety filter has passed every tactic of the script; it also checks
that the theorem it elaborated has the type the statement alone gives (`#check @NAME` in both
environments), so a script cannot have changed what was proved.
"""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import psutil  # type: ignore[import-untyped]
from lean_interact.interface import (
    Command,
    CommandResponse,
    LeanError,
    Message,
    ProofStep,
)

from lean_env.contract import (
    DEFAULT_TIMEOUT,
    EnvCounters,
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
    BUDGET_COMMAND,
    Declaration,
    StepFailed,
    addressed,
    declaration,
    focused,
    goal_views,
    mentions_name,
    read_root,
    read_step,
    same_goal,
    untouched_mismatch,
)
from lean_env.repl.server import ProcessSpec, ReplServer, spec_for
from lean_env.repl.setup import find_setup, not_set_up
from lean_env.repl.verify import BACKEND, judge, proof_problems, script_refusals
from lean_env.safety import request_error

log = logging.getLogger(__name__)
DEFAULT_MEMORY_MB = 16384  # RLIMIT_AS of the REPL: Mathlib's mapped .olean files count against it
DEFAULT_HEARTBEATS = 100_000  # per tactic, in Lean's unit (thousands); half of Lean's default per declaration
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
    goals: tuple[str, ...]  # every goal of the REPL state, as Lean listed them
    visible: int  # the first `visible` of them are the contract state's goals
    name: str  # the theorem's name
    repl_id: int  # proof state id in the process of `generation`
    generation: int

    @property
    def total(self) -> int:
        return len(self.goals)


@dataclass
class _Process:
    """One REPL process and what it holds: the environments of the headers it elaborated (plain,
    for `verify`; with the budget tactic, for search) and how much it has been used."""

    server: ReplServer
    generation: int
    headers: dict[str, int] = field(default_factory=dict)
    search: dict[str, int | None] = field(default_factory=dict)  # None: the budget tactic is unavailable
    states: int = 0
    requests: int = 0


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
        heartbeats: int | None = DEFAULT_HEARTBEATS,
        standby: bool = True,
        soft_memory: float = 0.8,
        memory_check_every: int = 16,
        restart_states: int = 20_000,
        restart_requests: int = 100_000,
        max_replay: int = 64,
        max_states: int = 1_000_000,
    ) -> None:
        """`heartbeats`: Lean's budget per tactic (None: none but the wall clock); `standby`: keep
        a second process warm; `soft_memory`: restart when the address space passes this share of
        the cap (`spec.memory_mb`), checked every `memory_check_every` contract calls;
        `restart_states`/`restart_requests`: restart a process after that many proof states /
        requests; `max_replay`: the longest path replayed to rebuild a lost state; `max_states`:
        contract states remembered (beyond it the oldest handles are forgotten)."""
        if heartbeats is not None and heartbeats <= 0:
            raise ValueError(f"heartbeats must be positive (or None for none), got {heartbeats}")
        self.spec = spec
        self.default_header = default_header
        self.header_timeout = header_timeout
        self.heartbeats = heartbeats
        self.standby = standby
        self.soft_memory = soft_memory
        self.memory_check_every = memory_check_every
        self.restart_states = restart_states
        self.restart_requests = restart_requests
        self.max_replay = max_replay
        self.max_states = max_states
        self._counters = EnvCounters()
        self._generation = 0
        self._proc = _Process(ReplServer(spec), 0)
        self._spare: _Process | None = None
        self._warming: threading.Thread | None = None
        self._nodes: dict[int, _Node] = {}
        self._types: dict[tuple[str, str], str] = {}  # (header, statement) -> `#check @NAME` text
        self._next = 0
        self._calls = 0
        self._warm()

    @property
    def restarts(self) -> int:
        return self._counters.restarts

    def counters(self) -> EnvCounters:
        return self._counters

    def _count(self, **delta: int) -> None:
        self._counters = replace(self._counters, **{k: getattr(self._counters, k) + v for k, v in delta.items()})

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
        self._maintain()
        try:
            response = self._retrying(lambda: self._send(Command(cmd=command, env=self._search_env(header)), timeout))
        except _Timeout:
            raise StatementError(f"Lean did not elaborate the statement within {timeout} s", source=statement) from None
        except (_Crash, _Lost) as e:
            raise StatementError(str(e), source=statement) from None
        proof_state, goal = read_root(response, statement)
        self._proc.states += 1
        node = _Node(None, command, header, timeout, (goal,), 1, decl.name, proof_state, self._generation)
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
            text = focused(tactic.strip(), goal, with_goals, node.total, self._budget(node.header))
        except ValueError as e:
            return TacticError(str(e))
        if mentions_name(tactic, node.name):
            return TacticError(f"refused: the tactic names the theorem being proved ('{node.name}')")
        self._maintain()
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
                if outcome.heartbeats:
                    self._count(heartbeat_stops=1)
                    return TacticTimeout(timeout, elapsed)
                return TacticError(outcome.message, elapsed)
            self._proc.states += 1
            why = untouched_mismatch(node.goals, goal, len(with_goals), outcome.goals)
            visible = addressed(len(outcome.goals), node.total, len(with_goals))
            if why is not None or visible < 0:
                return TacticError(why or "the tactic changed goals it was not applied to", elapsed)
            child = _Node(
                state.handle, text, node.header, timeout, outcome.goals, visible, node.name,
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
        self._maintain()

        def check() -> Verification:
            response = self._send(Command(cmd=decl.proof_command(proof), env=self._header_env(header)), timeout)
            if isinstance(response, LeanError):
                return Verification(False, (response.message,), BACKEND)
            if proof_problems(response.messages, response.sorries):
                return judge(response.messages, response.sorries, None)  # no need to ask for the axioms
            axioms = self._send(Command(cmd=decl.axioms_command(), env=response.env), timeout)
            verdict = judge(response.messages, response.sorries, _messages(axioms))
            if not verdict.ok:
                return verdict
            asked = self._statement_type(decl, header, timeout)
            proved = _check_text(self._send(Command(cmd=decl.check_command(), env=response.env), timeout))
            if asked is None or proved is None or asked != proved:
                why = (
                    f"the theorem proved is not the one asked: Lean elaborated `{proved}`, the statement is `{asked}`"
                    if asked and proved else "the type of the theorem proved could not be compared with the statement"
                )
                return Verification(False, (why,), BACKEND)
            return verdict

        try:
            return self._retrying(check)
        except _Timeout:
            return Verification(False, (f"verification timed out after {timeout} s",), BACKEND)
        except (_Crash, _Lost) as e:
            return Verification(False, (str(e),), BACKEND)

    def _statement_type(self, decl: Declaration, header: str, timeout: float) -> str | None:
        """`#check @NAME` of the statement alone (its `sorry` start command), once per statement."""
        key = (header, decl.text)
        if key not in self._types:
            started = self._send(Command(cmd=decl.start_command(), env=self._header_env(header)), timeout)
            if isinstance(started, LeanError) or any(m.severity == "error" for m in started.messages):
                return None
            text = _check_text(self._send(Command(cmd=decl.check_command(), env=started.env), timeout))
            if text is None:
                return None
            self._types[key] = text
        return self._types[key]

    def close(self) -> None:
        if self._warming is not None:
            self._warming.join(timeout=0)  # a warming thread ends when its process is killed
        for proc in (self._proc, self._spare):
            if proc is not None:
                proc.server.kill()
        self._spare = None
        self._nodes.clear()

    def __enter__(self) -> ReplEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ the process

    @property
    def pid(self) -> int | None:
        """The REPL process (for tests and tools)."""
        return self._proc.server.pid

    @property
    def standby_pid(self) -> int | None:
        """The warm standby process, if one is running."""
        return self._spare.server.pid if self._spare is not None else None

    def _send(self, request: Command | ProofStep, timeout: float):  # -> CommandResponse | ProofStepResponse | LeanError
        self._ensure_server()
        server = self._proc.server
        self._proc.requests += 1
        self._count(requests=1)
        try:
            return server.run(request, timeout=timeout)
        except TimeoutError:  # lean-interact has given up on the answer
            server.kill()
            self._count(kills=1)
            raise _Timeout from None
        except (OSError, ValueError, AssertionError) as e:  # closed pipes, dead process, bad JSON
            tail = server.stderr_tail()
            server.kill()
            self._count(crashes=1)
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
        if not self._proc.server.is_alive():
            self._restart()

    def _maintain(self) -> None:
        """Before a contract call (never in the middle of a replay): replace the process when it
        has held `restart_states` proof states or served `restart_requests` requests, or when its
        address space nears the cap; lost states come back by replay."""
        self._calls += 1
        proc = self._proc
        if not proc.server.is_alive():
            return  # `_send` restarts it
        if proc.states >= self.restart_states or proc.requests >= self.restart_requests:
            log.info("Lean REPL served %d requests, %d proof states: replacing it", proc.requests, proc.states)
            self._count(scheduled_restarts=1)
            self._restart()
            return
        if not self.spec.memory_mb or self._calls % self.memory_check_every:
            return
        used = address_space_mb(proc.server.pid)
        if used > self.soft_memory * self.spec.memory_mb:
            log.info("Lean REPL maps %.0f MB (cap %d MB): replacing it", used, self.spec.memory_mb)
            self._count(memory_restarts=1)
            self._restart()

    def _restart(self) -> None:
        """Put a fresh process in place of the current one: the warm standby when there is one
        (waiting for its headers if it is still elaborating them), else a new process."""
        self._proc.server.kill()
        self._generation += 1
        self._count(restarts=1)
        spare, self._spare = self._spare, None
        if spare is not None and self._warming is not None:
            self._warming.join()
        if spare is not None and spare.server.is_alive():
            spare.generation = self._generation
            self._proc = spare
            self._count(standby_swaps=1)
        else:
            if spare is not None:
                spare.server.kill()
            self._proc = _Process(ReplServer(self.spec), self._generation)
        self._warm()

    def _warm(self) -> None:
        """Start the standby process (here: the parent-death signal is armed for this thread) and
        elaborate the current process's headers in it on a background thread."""
        if not self.standby:
            return
        try:
            spare = _Process(ReplServer(self.spec), -1)
        except (OSError, ValueError, ChildProcessError) as e:
            log.warning("no standby Lean REPL: %s", e)
            return
        self._spare = spare
        self._warming = None
        self._warm_more(list(self._proc.headers))

    def _warm_more(self, headers: list[str]) -> None:
        """Elaborate `headers` in the standby too, after what it is already elaborating."""
        spare, previous = self._spare, self._warming
        if spare is None or not headers:
            return

        def warm() -> None:
            if previous is not None:
                previous.join()
            _elaborate(spare, headers, self)

        self._warming = threading.Thread(target=warm, daemon=True)
        self._warming.start()

    def _header_env(self, header: str) -> int | None:
        """The environment of `header` in the current process (None: Lean's prelude)."""
        self._ensure_server()  # a restart forgets the header environments
        if not header.strip():
            return None
        env = self._proc.headers.get(header)
        if env is None:
            try:
                response = self._send(Command(cmd=header), self.header_timeout)
            except _Timeout:
                raise _Lost(f"the header did not elaborate within {self.header_timeout} s") from None
            why = _header_problem(response)
            if why is not None:
                raise _Lost(why)
            env = self._proc.headers[header] = response.env
            self._warm_more([header])  # so that a swap finds it elaborated
        return env

    def _search_env(self, header: str) -> int | None:
        """The header's environment with the budget tactic defined (the header's own when the
        budget is off or Lean refuses its definition: then only the wall clock bounds a tactic)."""
        base = self._header_env(header)
        if self.heartbeats is None:
            return base
        if header not in self._proc.search:
            response = self._send(Command(cmd=BUDGET_COMMAND, env=base), self.header_timeout)
            why = _header_problem(response)
            if why is not None:
                log.warning("no heartbeat budget tactic (%s): tactics are bounded by the wall clock only", why)
            self._proc.search[header] = None if why is not None else response.env
        env = self._proc.search[header]
        return base if env is None else env

    def _budget(self, header: str) -> int | None:
        """The heartbeat budget for a tactic under `header` (None when the tactic is unavailable)."""
        if self.heartbeats is None or self._proc.search.get(header, 0) is None:
            return None
        return self.heartbeats

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
        if len(chain) > self.max_replay:
            raise _Lost(f"its path from the root has {len(chain)} steps, more than max_replay={self.max_replay}")
        for node in reversed(chain):
            self._rebuild(node)
        return self._nodes[handle].repl_id

    def _rebuild(self, node: _Node) -> None:
        timeout = node.timeout * REPLAY_SLACK
        if node.parent is None:
            response = self._send(Command(cmd=node.command, env=self._search_env(node.header)), timeout)
            try:
                repl_id, goal = read_root(response)
            except StatementError as e:
                raise _Lost(f"the statement no longer elaborates: {e}") from None
            goals: tuple[str, ...] = (goal,)
        else:
            parent = self._nodes[node.parent]
            self._count(replayed_steps=1)
            outcome = read_step(self._send(ProofStep(proof_state=parent.repl_id, tactic=node.command), timeout))
            if isinstance(outcome, StepFailed):
                raise _Lost(f"replaying `{node.command}` failed: {outcome.message}")
            repl_id, goals = outcome.proof_state, outcome.goals
        if len(goals) != node.total or not all(same_goal(a, b) for a, b in zip(goals, node.goals, strict=True)):
            raise _Lost(f"replaying `{node.command}` gave goals other than the recorded ones")
        self._proc.states += 1
        node.repl_id, node.generation = repl_id, self._generation
        log.debug("rebuilt proof state %d in REPL generation %d", repl_id, self._generation)


def _elaborate(spare: _Process, headers: list[str], env: ReplEnv) -> None:
    """On the warming thread: elaborate `headers` (and the budget tactic) in the standby process.
    Failures leave the header out; the process elaborates it on first use like any other."""
    for header in headers:
        try:
            response = spare.server.run(Command(cmd=header), timeout=env.header_timeout)
            if not isinstance(response, CommandResponse) or _header_problem(response) is not None:
                continue
            spare.headers[header] = response.env
            if env.heartbeats is not None:
                budget = spare.server.run(Command(cmd=BUDGET_COMMAND, env=response.env), timeout=env.header_timeout)
                ok = isinstance(budget, CommandResponse) and _header_problem(budget) is None
                spare.search[header] = budget.env if ok and isinstance(budget, CommandResponse) else None
        except Exception as e:  # the process died or was killed (e.g. `close`): nothing to warm
            log.debug("standby REPL warming stopped: %s", e)
            return


def _header_problem(response: CommandResponse | LeanError) -> str | None:
    if isinstance(response, LeanError):
        return f"the header does not elaborate: {response.message}"
    errors = [m.data for m in response.messages if m.severity == "error"]
    return "the header does not elaborate: " + "\n".join(errors) if errors else None


def _check_text(response: CommandResponse | LeanError) -> str | None:
    """The answer to `#check @NAME`: its info message, whitespace normalised."""
    if isinstance(response, LeanError) or any(m.severity == "error" for m in response.messages):
        return None
    infos = [m.data for m in response.messages if m.severity == "info"]
    return " ".join(infos[0].split()) if len(infos) == 1 else None


def address_space_mb(pid: int | None) -> float:
    """The virtual size of a process (what `RLIMIT_AS` caps), in MB; 0 when it is gone."""
    if pid is None:
        return 0.0
    try:
        return psutil.Process(pid).memory_info().vms / 2**20
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0


def _messages(response: CommandResponse | LeanError) -> list[Message]:
    if isinstance(response, LeanError):
        return [
            Message.model_validate({"pos": {"line": 0, "column": 0}, "severity": "error", "data": response.message})
        ]
    return list(response.messages)
