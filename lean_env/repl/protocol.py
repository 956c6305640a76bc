"""The `repl` backend's request/response layer: what to send the Lean REPL, and what its answers mean.

Pure functions over lean-interact's typed models, no process: the transcript tests drive them
with the REPL's recorded answers. The mapping, per answer kind:

- a command with one `sorry` and no error: the root of a proof (`read_root`), its goal the
  sorry's goal; errors, no sorry or several sorries: a `StatementError`;
- a tactic answer (`read_step`): success with the goals Lean lists, unless the answer carries an
  error message (Lean recovered from an error, e.g. an unknown identifier, by closing the goal
  with `sorry`), a new `sorry`, a `proofStatus` starting with `Error` (the kernel rejected the
  finished proof), or no goals with a status other than `Completed` (the proof term still has
  metavariables or sorries);
- `{"message": "Lean error:\\n..."}`: the tactic failed (parse error, tactic exception);
  `{"message": "Unknown proof state..."}`: the REPL no longer has the state (`lost`).

Goals become `GoalView`s (`goal_views`): `canonical` drops the `case tag` line; `mvars` holds
the `?name`s a goal mentions, and `?tag` for a goal tagged `tag` that another goal mentions.
Tactics address one goal: `focused` brings that goal (and its `with_goals`, a contiguous run
right after it) to the front with core Lean's `rotate_left`, runs the tactic under `focus`
(inside `leanzero_budget N in`, the heartbeat budget, when the backend has one), and drops
assigned goals with `all_goals skip`, always, even with one goal; the goals the tactic did not
address stay at the end of the REPL's list, outside the contract's state (`addressed` counts the
others), and must come back with the text they had (`untouched_mismatch`, `?m.N` numbering aside).

Heartbeats: Lean stops a computation at `maxHeartbeats` by reading `Core.Context.maxHeartbeats`,
which tactic-mode `set_option maxHeartbeats N in` does not change (it sets the option only; core
`MonadWithOptions CoreM` updates `maxRecDepth` but not the heartbeat field, cf. lean4#8646, and
the REPL's proof states keep the context they were created with, repl#69). So the backend defines,
once per header environment, the tactic `leanzero_budget N in t` (`BUDGET_COMMAND`), which sets
that field and restarts the count (`withCurrHeartbeats`) around `t`; a step that runs out answers
Lean's "(deterministic) timeout ... maximum number of heartbeats" error (`StepFailed.heartbeats`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lean_interact.interface import CommandResponse, LeanError, ProofStepResponse

from lean_env.contract import StatementError
from lean_env.text.goals import goal_views, metavariables, split_case
from lean_env.text.lexical import balanced, without_comments
from lean_env.text.statement import strip_proof, theorem_name, with_proof

__all__ = [
    "BUDGET_COMMAND", "BUDGET_TACTIC", "COMPLETED", "EXAMPLE_NAME", "Declaration", "StepFailed", "StepOk",
    "addressed", "balanced", "declaration", "focused", "goal_views", "mentioned_mvars", "mentions_name", "read_root",
    "read_step", "same_goal", "split_case", "strip_proof", "untouched_mismatch",
]
mentioned_mvars = metavariables

COMPLETED = "Completed"
UNKNOWN_PROOF_STATE = "Unknown proof state"
LEAN_ERROR = "Lean error:"
EXAMPLE_NAME = "leanzero_example"

_EXAMPLE = re.compile(r"\bexample\b")
_MVAR_NUMBER = re.compile(r"\?(m|_uniq)\.\d+")
HEARTBEATS = "maximum number of heartbeats"

# The per-tactic heartbeat budget (see the module docstring). Sent by the backend as a command in
# the header's environment; the safety filter refuses the name in tactics, so only the backend
# writes it, after the filter has passed the tactic inside.
BUDGET_TACTIC = "leanzero_budget"
BUDGET_COMMAND = f"""open Lean Elab Tactic in
elab "{BUDGET_TACTIC} " n:num " in " t:tactic : tactic =>
  withCurrHeartbeats <|
    withTheReader Core.Context (fun ctx => {{ ctx with maxHeartbeats := n.getNat * 1000 }}) <|
      evalTactic t"""


# ------------------------------------------------------------------ statements and commands


@dataclass(frozen=True, slots=True)
class Declaration:
    """A statement as the REPL gets it: `theorem NAME BINDERS : PROP`, with no proof."""

    text: str
    name: str

    def start_command(self) -> str:
        """The command whose `sorry` proof state is the root of the proof."""
        return f"{self.text} := by sorry"

    def proof_command(self, proof: str) -> str:
        """The complete theorem with a tactic script, as a file would hold it."""
        return with_proof(self.text, proof)

    def axioms_command(self) -> str:
        return f"#print axioms {self.name}"

    def check_command(self) -> str:
        """Lean's printing of the declared type (`@` keeps implicit binders explicit): compared
        between the statement alone and the proved theorem."""
        return f"#check @{self.name}"


def declaration(statement: str) -> Declaration:
    """Read `theorem NAME ... : P [:= ...]` (or `lemma`, or `example`, which gets a name so that
    `#print axioms` can name it); raises `StatementError` for anything else."""
    text = strip_proof(statement).strip()
    name = theorem_name(text)
    if name:
        return Declaration(text, name)
    code = without_comments(text)  # same offsets, no words of comments
    if m := _EXAMPLE.search(code):
        return Declaration(f"{text[: m.start()]}theorem {EXAMPLE_NAME}{text[m.end():]}", EXAMPLE_NAME)
    raise StatementError("expected a statement `theorem NAME BINDERS : PROP`", 1, 1, statement)


def mentions_name(tactic: str, name: str) -> bool:
    """Whether `tactic` names the theorem being proved (by its full name, or by its last part,
    which its own namespace resolves): its proof state has the theorem (with `sorry`) in scope,
    and a proof through it fails the kernel check only at the end."""
    names = {name, name.rsplit(".", 1)[-1]}
    return any(re.search(rf"(?<![\w'.]){re.escape(n)}(?![\w'])", tactic) for n in names)


# ------------------------------------------------------------------ goals
# Goal texts become `GoalView`s through the toolkit's `goal_views` (`lean_env.text.goals`).


def focused(tactic: str, goal: int, with_goals: Sequence[int], total: int, heartbeats: int | None = None) -> str:
    """The tactic text that runs `tactic` on goal `goal` of a REPL state of `total` goals, with
    `with_goals` (which must be `goal+1, goal+2, ...`) following it, within `heartbeats` (Lean's
    unit: thousands) when given.

    `rotate_left`, `focus` and `all_goals` are core Lean (no Mathlib needed). The REPL parses a
    request as one tactic (`t1; t2` alone fails with "expected end of input"), hence the
    parentheses. The form is the same for one goal as for many, so that every step's answer is
    read (and replayed) one way.
    """
    if list(with_goals) != list(range(goal + 1, goal + 1 + len(with_goals))):
        raise ValueError(f"with_goals {tuple(with_goals)} must follow goal {goal} contiguously")
    if goal < 0 or goal + len(with_goals) >= total:
        raise ValueError(f"goal {goal} with {tuple(with_goals)} is not in a state of {total} goals")
    if not balanced(tactic):
        raise ValueError("refused: unbalanced brackets (the tactic could reach past its goal)")
    body = f"{BUDGET_TACTIC} {heartbeats} in ({tactic})" if heartbeats else tactic
    rotate = f"rotate_left {goal}; " if goal else ""
    return f"({rotate}(focus ({body})); all_goals skip)"


def same_goal(a: str, b: str) -> bool:
    """Whether two printings are one goal: equal up to the numbering of anonymous metavariables
    (`?m.12`, `?_uniq.7`), which Lean renumbers as it elaborates."""
    return _MVAR_NUMBER.sub(r"?\1", a.strip()) == _MVAR_NUMBER.sub(r"?\1", b.strip())


def untouched_mismatch(before: Sequence[str], goal: int, with_goals: int, after: Sequence[str]) -> str | None:
    """Why a step's answer breaks the bookkeeping, or None: the goals of the parent REPL state
    (`before`) that the step did not address (all but `goal` and the `with_goals` after it) must
    end the new list (`after`) unchanged, in `rotate_left goal` order. A tactic that assigned one
    of them, or closed it, or changed a metavariable it mentions, would otherwise shift the
    goals silently onto the wrong owners."""
    rotated = list(before[goal:]) + list(before[:goal])
    untouched = rotated[1 + with_goals:]
    if len(after) < len(untouched):
        return f"the tactic closed {len(untouched) - len(after)} goal(s) it was not applied to"
    tail = list(after[len(after) - len(untouched):]) if untouched else []
    for old, new in zip(untouched, tail, strict=True):
        if not same_goal(old, new):
            return (f"the tactic changed a goal it was not applied to (a metavariable they share?):"
                    f" {old.strip().splitlines()[-1]!r} became {new.strip().splitlines()[-1]!r}")
    return None


# ------------------------------------------------------------------ answers


@dataclass(frozen=True, slots=True)
class StepOk:
    """The tactic ran: the REPL's new state and all its goals (addressed ones first)."""

    proof_state: int
    goals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StepFailed:
    message: str
    lost: bool = False  # the REPL does not know the proof state (after a restart)
    heartbeats: bool = False  # Lean stopped the tactic at its heartbeat budget (a deterministic timeout)


def read_step(response: ProofStepResponse | LeanError) -> StepOk | StepFailed:
    """What a tactic answer means for the contract (see the module docstring)."""
    if isinstance(response, LeanError):
        message = response.message.strip()
        if message.startswith(UNKNOWN_PROOF_STATE):
            return StepFailed(message, lost=True)
        message = message.removeprefix(LEAN_ERROR).strip() or "Lean error"
        return StepFailed(message, heartbeats=HEARTBEATS in message)
    errors = [m.data for m in response.messages if m.severity == "error"]
    if errors:
        return StepFailed("\n".join(errors), heartbeats=any(HEARTBEATS in e for e in errors))
    if response.sorries:
        return StepFailed("the tactic left a `sorry`")
    status = response.proof_status
    if status.startswith("Error"):
        return StepFailed(status.removeprefix("Error:").strip())
    if not response.goals and status != COMPLETED:
        return StepFailed(f"no goals left but the proof is not complete ({status})")
    return StepOk(response.proof_state, tuple(response.goals))


def addressed(goals_after: int, total_before: int, with_goals: int) -> int:
    """How many of the goals after a `focused` step are the contract's: all but the goals the
    step did not address (every goal before it except the chosen one and its `with_goals`),
    which stay unchanged at the end. Negative when the tactic reached goals outside its group."""
    return goals_after - (total_before - 1 - with_goals)


def read_root(response: CommandResponse | LeanError, statement: str = "") -> tuple[int, str]:
    """(proof state, goal) of a start command's `sorry`; a `StatementError` when there is none."""
    if isinstance(response, LeanError):
        raise StatementError(response.message.removeprefix(LEAN_ERROR).strip() or "Lean error", source=statement)
    errors = [m for m in response.messages if m.severity == "error"]
    if errors:
        first = errors[0]
        raise StatementError(first.data, first.start_pos.line, first.start_pos.column + 1, statement)
    states = [s for s in response.sorries if s.proof_state is not None]
    if len(response.sorries) != 1 or not states:
        why = "no proof state for the statement" if not response.sorries else "the statement itself uses `sorry`"
        raise StatementError(why, source=statement)
    assert states[0].proof_state is not None
    return states[0].proof_state, states[0].goal

