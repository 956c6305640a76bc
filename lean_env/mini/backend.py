"""`MiniEnv`: the embedded backend behind the `ProofEnv` contract.

No process to own: states live in a table keyed by handle. Every call runs under a
`Deadline`; tactic errors, refused tactics and timeouts come back as results, never as
exceptions. `verify` re-parses the statement and replays the whole script from scratch,
so a proof reported by the search is checked independently of the search's states.
Results are `mini` results: a sound prover for a fragment, not Lean.

The trusted core (README, "mini's trusted core"): every goal a tactic leaves passes the
transition checker (`elaborate_check.check_goal`; a failure is an internal fault, counted in
`faults` and logged, never a state), and before `verify` reports a proof the statement is
searched for a counterexample (`crosscheck.py`); one found is a soundness fault, never a proof.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

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
from lean_env.mini import crosscheck
from lean_env.mini.elaborate import check_goal, parse_statement
from lean_env.mini.errors import Deadline, DeadlineExceeded, ParseError, TacticFailure
from lean_env.mini.header import check_header
from lean_env.mini.printer import pp_goal
from lean_env.mini.tactic_parser import parse_script
from lean_env.mini.tactics import Engine, TransitionFault
from lean_env.mini.terms import Goal, fragment_blocker
from lean_env.safety import request_error, script_refusals

log = logging.getLogger(__name__)
NAME = "mini"
OUTSIDE_TARGET = ("the goal lies outside mini's arithmetic fragment ({}: real functions, big operators, "
                  "sets or λ): only structural tactics act on it")


def view(goal: Goal) -> GoalView:
    canonical = pp_goal(Goal(goal.locals, goal.target, None)) if goal.case else pp_goal(goal)
    text = f"case {goal.case}\n{canonical}" if goal.case else canonical  # pp_goal's own layout
    return GoalView(text=text, canonical=canonical, case=goal.case)


class MiniEnv:
    """The embedded fragment prover. Cheap to create; one per worker or test is fine."""

    name = NAME
    capabilities = capabilities(NAME)

    def __init__(self, *, max_states: int = 50_000) -> None:
        # Proof states in two generations, so that memory stays bounded in a long self-play
        # run: when the young one holds max_states / 2, it becomes the old one and the old one
        # is dropped. A state used from the old generation moves back to the young one, so a
        # search in progress keeps its states; a handle unused for a whole generation is
        # forgotten ("Unknown proof state", as Lean's REPL says after a restart).
        self._states: dict[int, tuple[Goal, ...]] = {}
        self._old: dict[int, tuple[Goal, ...]] = {}
        self._next = 0
        self.max_states = max(2, max_states)
        self.faults = 0  # internal faults caught (transition check, cross-check); expected 0
        self.crosscheck_seconds = 0.0  # time spent in the cross-check of `verify`, in all

    # ------------------------------------------------------------ contract

    def start(self, statement: str, *, header: str = "", timeout: float = DEFAULT_TIMEOUT) -> ProofState:
        return self._register((self._root(statement, header),))

    def _root(self, statement: str, header: str) -> Goal:
        """The statement's goal, checked; a header mini cannot interpret is refused."""
        try:
            check_header(header)
            _, goal = parse_statement(statement)
        except ParseError as e:
            raise StatementError(e.message, e.line, e.col, statement) from None
        except RecursionError:
            raise StatementError("statement nested too deeply", 0, 0, statement) from None
        try:
            check_goal(goal)
        except TypeError as e:
            self._fault(f"the elaborator produced an ill-formed goal ({e})")
            raise StatementError(f"mini internal fault: the statement elaborated to an ill-formed goal ({e})",
                                 0, 0, statement) from None
        return goal

    def apply(
        self,
        state: ProofState,
        tactic: str,
        *,
        goal: int = 0,
        timeout: float = DEFAULT_TIMEOUT,
        with_goals: Sequence[int] = (),
    ) -> TacticResult:
        """mini has no metavariables: goals in `with_goals` come along unchanged."""
        t0 = time.perf_counter()
        goals = self._lookup(state.handle)
        why = request_error(tactic, None if goals is None else len(goals), goal, with_goals)
        if why is not None:
            return TacticError(f"{why}: {state.handle}" if goals is None else why, 0.0)
        assert goals is not None
        engine = Engine(Deadline(timeout))
        try:
            new = engine.run_text(goals[goal], tactic)
        except TacticFailure as e:
            return TacticError(e.message, time.perf_counter() - t0)
        except DeadlineExceeded:
            return TacticTimeout(timeout, time.perf_counter() - t0)
        except TransitionFault as e:  # logged where it was caught
            self.faults += 1
            return TacticError(e.message, time.perf_counter() - t0)
        except RecursionError:
            return TacticError("maximum recursion depth has been reached", time.perf_counter() - t0)
        except Exception as e:  # a bug in mini must not take the search down; it is logged
            log.exception("mini internal error on tactic %r", tactic)
            return TacticError(f"mini internal error: {type(e).__name__}: {e}", time.perf_counter() - t0)
        elapsed = time.perf_counter() - t0
        if elapsed > timeout:
            return TacticTimeout(timeout, elapsed)
        return TacticSuccess(self._register((*new, *(goals[j] for j in with_goals))), elapsed)

    def outside_fragment(self, state: ProofState) -> str:
        """Goals whose target lies outside the arithmetic fragment: only structural tactics act
        on them, so mini cannot judge them (evaluation counts them `outside-fragment`)."""
        goals = self._lookup(state.handle)
        for g in goals or ():
            blocker = fragment_blocker(g.target)
            if blocker is not None:
                return OUTSIDE_TARGET.format(blocker)
        return ""

    def verify(self, statement: str, proof: str, *, header: str = "", timeout: float = DEFAULT_TIMEOUT) -> Verification:
        """Replay `proof` (the text after `by`) on a freshly parsed statement; then look for a
        counterexample to the statement, so that a hole in a tactic never becomes a proof."""
        try:
            goal = self._root(statement, header)
        except StatementError as e:
            where = f"{e.line}:{e.col}: " if e.line else ""
            return Verification(False, (f"{where}{e.message}",), NAME)
        try:
            block = parse_script(proof)
        except ParseError as e:
            return Verification(False, (f"proof {e.line}:{e.col}: {e.message}",), NAME)
        refused = script_refusals(proof)
        if refused:
            return Verification(False, tuple(refused), NAME)
        engine = Engine(Deadline(timeout))
        try:
            rest = engine.run_script([goal], block)
        except TacticFailure as e:
            return Verification(False, (e.message,), NAME)
        except DeadlineExceeded:
            return Verification(False, (f"verification timed out after {timeout} s",), NAME)
        except TransitionFault as e:
            self.faults += 1
            return Verification(False, (e.message,), NAME, fault=e.message)
        except Exception as e:
            log.exception("mini internal error while verifying")
            return Verification(False, (f"mini internal error: {type(e).__name__}: {e}",), NAME)
        if rest:
            return Verification(False, ("unsolved goals\n" + "\n\n".join(pp_goal(g) for g in rest),), NAME)
        t0 = time.perf_counter()
        cex = crosscheck.counterexample(goal)
        self.crosscheck_seconds += time.perf_counter() - t0
        if cex is not None:
            values = ", ".join(f"{k} = {v}" for k, v in cex.items()) or "(no variables)"
            message = (f"mini internal soundness fault: the script replays, but the statement has a "
                       f"counterexample ({values})\nstatement: {statement}\nscript:\n{proof}")
            self._fault(message)
            return Verification(False, (message,), NAME, fault=message)
        return Verification(True, (), NAME)

    def _fault(self, message: str) -> None:
        self.faults += 1
        log.error("%s", message)

    def counters(self) -> EnvCounters:
        return EnvCounters()  # no process: nothing to kill or restart

    def close(self) -> None:
        self._states.clear()
        self._old.clear()

    # ------------------------------------------------------------ helpers

    def goals_of(self, state: ProofState) -> tuple[Goal, ...]:
        """The internal goals of a state (for tests and tools inside `mini`)."""
        goals = self._lookup(state.handle)
        if goals is None:
            raise KeyError(state.handle)
        return goals

    def _lookup(self, handle: int) -> tuple[Goal, ...] | None:
        goals = self._states.get(handle)
        if goals is None and (goals := self._old.get(handle)) is not None:
            self._states[handle] = goals  # in use: young again
        return goals

    def _register(self, goals: tuple[Goal, ...]) -> ProofState:
        if len(self._states) >= self.max_states // 2:
            self._old, self._states = self._states, {}
        handle = self._next
        self._next += 1
        self._states[handle] = goals
        return ProofState(handle, tuple(view(g) for g in goals))

    def __enter__(self) -> MiniEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
