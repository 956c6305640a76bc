"""The `ProofEnv` contract: what every backend (`mini`, `repl`, `dojo`) offers the layers above.

Search, the network and self-play see only this module. A backend turns theorem text into a
root `ProofState`, applies one tactic to one goal of a state, prints goals as Lean prints them
(a goal's transposition key is `GoalView.canonical`), and verifies complete proofs from scratch.
What a backend is (kernel-checked or not, metavariables, a fragment) is data: `Capabilities`.
Every call that can run long takes a timeout.
Results are frozen values; backends never raise out of `apply` (errors and timeouts are
results), only `start` raises `StatementError` for a statement it cannot read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Protocol, runtime_checkable

DEFAULT_TIMEOUT = 10.0  # seconds per tactic call when the caller does not say


@dataclass(frozen=True, slots=True)
class GoalView:
    """One goal as Lean prints it.

    `text` is Lean's own rendering, case tag included (`case succ\\nn : ℕ\\n⊢ ...`);
    `canonical` is hypotheses + target without the case tag: the key under which a goal
    proved once counts as proved everywhere it recurs. `mvars` names the metavariables the
    goal is (`?w` for the goal tagged `w`) or mentions (`?m.12`): goals of one state that
    share one are not independent (solving `?w` changes `⊢ P ?w`), so the search keeps
    them together and applies tactics to them with `with_goals`.
    """

    text: str
    canonical: str
    case: str | None = None
    mvars: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class ProofState:
    """A backend proof state: an opaque handle plus the goals it holds (empty = solved)."""

    handle: int
    goals: tuple[GoalView, ...]

    @property
    def solved(self) -> bool:
        return not self.goals


@dataclass(frozen=True, slots=True)
class TacticSuccess:
    """The tactic ran: `state` holds the goals it left for the goal it was applied to."""

    state: ProofState
    elapsed: float = 0.0

    @property
    def goals(self) -> tuple[GoalView, ...]:
        return self.state.goals


@dataclass(frozen=True, slots=True)
class TacticError:
    """Lean (or the safety filter) rejected the tactic; `message` reads like Lean's error."""

    message: str
    elapsed: float = 0.0


@dataclass(frozen=True, slots=True)
class TacticTimeout:
    """The tactic ran past its per-call timeout and was abandoned."""

    timeout: float
    elapsed: float = 0.0


TacticResult = TacticSuccess | TacticError | TacticTimeout


@dataclass(frozen=True, slots=True)
class Verification:
    """The verdict on a complete proof checked from scratch.

    `fault` is set when the backend caught itself accepting what it must not (mini: a
    replayed proof of a statement with a counterexample, or a tactic that produced an
    ill-formed goal): an internal soundness fault, never a proof. Self-play and evaluation
    count these (the expected figure is 0)."""

    ok: bool
    messages: tuple[str, ...] = ()
    backend: str = ""
    fault: str | None = None


@dataclass(frozen=True, slots=True)
class EnvCounters:
    """What a backend's processes went through, summed since it opened: the evaluation summary
    and self-play metrics report these so that a live run shows its Lean costs.

    `kills`: processes killed at a wall-clock timeout (the last resort); `crashes`: processes that
    died on their own; `restarts`: fresh processes taken into use after the first (for any
    reason); `memory_restarts` and `scheduled_restarts` (after N proof states or M requests):
    planned replacements among those; `standby_swaps`: restarts served by a warm standby
    process; `replayed_steps`: tactics re-sent to rebuild lost states; `requests`: requests sent;
    `heartbeat_stops`: tactics Lean itself stopped at their heartbeat budget (no kill needed)."""

    kills: int = 0
    crashes: int = 0
    restarts: int = 0
    memory_restarts: int = 0
    scheduled_restarts: int = 0
    standby_swaps: int = 0
    replayed_steps: int = 0
    requests: int = 0
    heartbeat_stops: int = 0

    def __add__(self, other: EnvCounters) -> EnvCounters:
        return EnvCounters(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def __sub__(self, other: EnvCounters) -> EnvCounters:
        return EnvCounters(*(a - b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> EnvCounters:
        """From `as_dict` output; unknown keys (a newer writer) are ignored, missing ones are 0."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in d.items() if k in names})  # type: ignore[call-overload]


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend is and offers, as data: the layers above read these, never a backend's
    name. `capabilities(name)` below gives them without opening the backend."""

    name: str
    kernel_checked: bool  # a verified proof was checked by Lean's kernel (False: an embedded prover)
    metavariables: bool  # goals can share metavariables (`GoalView.mvars`)
    fragment: bool  # reads only a fragment of Lean: `outside_fragment` says what it cannot judge
    cheap_start: bool  # `start` runs no Lean process, so statements can be screened with it
    any_statement: bool  # starts any statement (not only theorems of a traced repository)

    @property
    def label(self) -> str:
        """How results of this backend are named for people."""
        return f"{self.name} (Lean)" if self.kernel_checked else f"{self.name} (embedded fragment prover, not Lean)"

    @property
    def verified_by(self) -> str:
        return f"verified by {self.label}"


BACKENDS = ("mini", "repl", "dojo")
_CAPABILITIES = {
    "mini": Capabilities("mini", kernel_checked=False, metavariables=False, fragment=True, cheap_start=True,
                         any_statement=True),
    "repl": Capabilities("repl", kernel_checked=True, metavariables=True, fragment=False, cheap_start=False,
                         any_statement=True),
    "dojo": Capabilities("dojo", kernel_checked=True, metavariables=True, fragment=False, cheap_start=False,
                         any_statement=False),
}


def capabilities(backend: str) -> Capabilities:
    """What backend `backend` is and offers, without opening it; unknown names raise ValueError."""
    if backend not in _CAPABILITIES:
        raise ValueError(f"unknown backend '{backend}'; choose one of {', '.join(BACKENDS)}")
    return _CAPABILITIES[backend]


@dataclass
class StatementError(Exception):
    """A statement the backend cannot read; `line`/`col` are 1-based within the statement.

    Not frozen: Python sets `__traceback__` on an exception as it propagates (a frozen dataclass
    would refuse that, e.g. leaving a `with` block); `args` are set so it pickles (Ray)."""

    message: str
    line: int = 0
    col: int = 0
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message, self.line, self.col, self.source)

    def __str__(self) -> str:
        where = f"{self.line}:{self.col}: " if self.line else ""
        return f"{where}{self.message}"


@runtime_checkable
class ProofEnv(Protocol):
    """A Lean-like proof environment. One instance owns one backend process (or none, for mini)."""

    name: str
    capabilities: Capabilities

    def start(self, statement: str, *, header: str = "", timeout: float = DEFAULT_TIMEOUT) -> ProofState:
        """Elaborate `theorem NAME BINDERS : PROP [:= ...]` and return its root state."""
        ...

    def apply(
        self,
        state: ProofState,
        tactic: str,
        *,
        goal: int = 0,
        timeout: float = DEFAULT_TIMEOUT,
        with_goals: Sequence[int] = (),
    ) -> TacticResult:
        """Run one tactic on goal number `goal` of `state`; never raises for a bad tactic.

        The resulting state holds the goals the tactic left for goal `goal`, followed by those
        of the goals numbered `with_goals` (in that order) still open afterwards, as they
        stand then: the tactic may have assigned metavariables they are or mention. Other
        goals of `state` are left out.
        """
        ...

    def outside_fragment(self, state: ProofState) -> str:
        """Why the backend cannot judge the goals of `state` ('' when it can: always, for a
        backend without `capabilities.fragment`)."""
        ...

    def verify(
        self, statement: str, proof: str, *, header: str = "", timeout: float = DEFAULT_TIMEOUT
    ) -> Verification:
        """Check `statement := by <proof>` from scratch, independently of any search state."""
        ...

    def counters(self) -> EnvCounters:
        """What its processes went through since it opened (all zero for a backend without any)."""
        ...

    def close(self) -> None:
        """Release the backend's processes and memory."""
        ...
