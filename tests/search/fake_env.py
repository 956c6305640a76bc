"""A small deterministic `ProofEnv` for search tests, built by hand from a dict or a function.

`rules[goal_text][tactic]` (or `rules(goal_text, tactic)`) is the list of goals the tactic
leaves (empty = closed), "error" or "timeout"; a missing tactic (or None) is an error. A goal
text may start with a `case tag` line; the canonical key is the text without it, and a goal
without rules of its own follows those of its canonical text (a case tag changes no tactic).

Metavariables, as Lean has them: the goal tagged `w` is the metavariable `?w`, and a goal
text may mention `?w`. An entry `"?w := t"` in a tactic's list is no goal but an assignment:
`?w` is replaced by `t` in every goal still open, and the goal `?w` itself disappears.
`apply(..., with_goals=...)` brings those goals along, as the contract says.

`verify` replays a script the way Lean would: plain lines act on the first goal, a `· ` block
must close the first goal alone; assignments made anywhere reach every goal.
Imported relatively (`from .fake_env import ...`): pytest runs in importlib mode.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence

from lean_env.contract import (
    Capabilities,
    EnvCounters,
    GoalView,
    ProofState,
    StatementError,
    TacticError,
    TacticResult,
    TacticSuccess,
    TacticTimeout,
    Verification,
)
from search.evaluator import EvalRequest, EvalResult

Outcome = Sequence[str] | str  # subgoals (and assignments), "error" or "timeout"
Rules = Mapping[str, Mapping[str, Outcome]] | Callable[[str, str], Outcome | None]

_MVAR = re.compile(r"\?[\w.]+")


def view(text: str, mentioned: frozenset[str] = frozenset()) -> GoalView:
    """A goal's view; `mentioned`: the metavariables its state's goals mention, so that the
    goal tagged `w` counts as `?w` where another goal refers to it."""
    lines = text.splitlines()
    case = lines[0][5:] if lines and lines[0].startswith("case ") else None
    canonical = "\n".join(lines[1:]) if case is not None else text
    own = {f"?{case}"} & mentioned if case is not None else set()
    return GoalView(text, canonical, case, frozenset(_MVAR.findall(canonical)) | own)


def _assignment(entry: str) -> tuple[str, str] | None:
    name, sep, value = entry.partition(" := ")
    return (name, value) if sep and name.startswith("?") else None


def _instantiate(goal: str, assigned: Mapping[str, str]) -> str | None:
    """`goal` with assigned metavariables replaced; None when the goal itself was assigned."""
    case = view(goal).case
    if case is not None and f"?{case}" in assigned:
        return None
    for _ in range(len(assigned)):  # assignments may mention later-assigned metavariables
        new = _MVAR.sub(lambda m: _atom(assigned.get(m.group(), m.group())), goal)
        if new == goal:
            break
        goal = new
    return goal


def _atom(term: str) -> str:
    """Parenthesised where Lean would print it so as an argument."""
    return f"({term})" if " " in term else term


class FakeEnv:
    name = "fake"
    capabilities = Capabilities("fake", kernel_checked=True, metavariables=False, fragment=False, cheap_start=True,
                                any_statement=True)

    def counters(self) -> EnvCounters:

        return EnvCounters()


    def outside_fragment(self, state: ProofState) -> str:
        return ""

    def __init__(self, root: str | Sequence[str], rules: Rules, *, sleep: float = 0.0) -> None:
        self.root = [root] if isinstance(root, str) else list(root)
        self.rules = rules
        self.sleep = sleep
        self.calls: list[tuple[str, str]] = []  # (goal text, tactic) per `apply`
        self.timeouts: list[float] = []  # the timeout of each `apply`
        self.verified: list[str] = []
        self.accept: bool | None = None  # force the verdict of `verify` when set
        self._handles = 0

    @property
    def env_calls(self) -> int:
        return len(self.calls)

    def outcome(self, goal: str, tactic: str) -> Outcome:
        """By the goal's text, else by its canonical text: a case tag changes no tactic."""
        if callable(self.rules):
            out = self.rules(goal, tactic)
            return "error" if out is None else out
        rules = self.rules.get(goal) or self.rules.get(view(goal).canonical, {})
        return rules.get(tactic, "error")

    def start(self, statement: str, *, header: str = "", timeout: float = 10.0) -> ProofState:
        if statement == "bad":
            raise StatementError("unexpected token", 1, 5)
        return self._state(self.root)

    def apply(
        self, state: ProofState, tactic: str, *, goal: int = 0, timeout: float = 10.0, with_goals: Sequence[int] = ()
    ) -> TacticResult:
        text = state.goals[goal].text
        self.calls.append((text, tactic))
        self.timeouts.append(timeout)
        if self.sleep:
            time.sleep(self.sleep)
        out = self.outcome(text, tactic)
        if out == "error":
            return TacticError(f"tactic '{tactic}' failed")
        if out == "timeout":
            return TacticTimeout(timeout)
        goals, assigned = _split(out)
        others = [_instantiate(state.goals[j].text, assigned) for j in with_goals]
        return TacticSuccess(self._state(goals + [g for g in others if g is not None]))

    def verify(self, statement: str, proof: str, *, header: str = "", timeout: float = 10.0) -> Verification:
        self.verified.append(proof)
        try:
            rest = self._run(_blocks(proof.splitlines()), list(self.root), {})
        except ValueError as e:
            return Verification(False, (str(e),), self.name)
        ok = not rest if self.accept is None else self.accept
        return Verification(ok, () if ok else ("unsolved goals",), self.name)

    def close(self) -> None:
        pass

    def _state(self, goals: list[str]) -> ProofState:
        self._handles += 1
        mentioned = frozenset(m for g in goals for m in _MVAR.findall(g))
        return ProofState(self._handles, tuple(view(g, mentioned) for g in goals))

    def _run(self, items: list[str | list], goals: list[str], assigned: dict[str, str]) -> list[str]:
        """Run `items` on `goals`; assignments go into `assigned`, which reaches all goals."""
        for item in items:
            goals = [g for g in (_instantiate(g, assigned) for g in goals) if g is not None]
            if not goals:
                raise ValueError("no goals")
            if isinstance(item, list):  # a `·` block: close the first goal on its own
                if self._run(item, goals[:1], assigned):
                    raise ValueError("unsolved goals in a focused block")
                goals = goals[1:]
                continue
            out = self.outcome(goals[0], item)
            if isinstance(out, str):
                raise ValueError(f"'{item}' failed: {out}")
            new, assignments = _split(out)
            assigned.update(assignments)
            goals = new + goals[1:]
        return [g for g in (_instantiate(g, assigned) for g in goals) if g is not None]


def _split(out: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """A tactic's list into the goals it leaves and the metavariables it assigns; the
    assignments already apply to the goals it leaves."""
    pairs = [_assignment(e) for e in out]
    assigned = {p[0]: p[1] for p in pairs if p}
    goals = [_instantiate(e, assigned) for e, p in zip(out, pairs) if not p]
    return [g for g in goals if g is not None], assigned


def _blocks(lines: list[str]) -> list[str | list]:
    """Lines into tactics and nested `·` blocks (a block's later lines are indented by 2)."""
    items: list[str | list] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("· "):
            inner = [line[2:]]
            i += 1
            while i < len(lines) and lines[i].startswith("  "):
                inner.append(lines[i][2:])
                i += 1
            items.append(_blocks(inner))
        else:
            if line.startswith(" "):
                raise ValueError(f"unexpected indentation: {line!r}")
            items.append(line)
            i += 1
    return items


def all_of(*tactics: str) -> Callable[[GoalView], list[str]]:
    return lambda goal: list(tactics)


def tactics_from(rules: Rules) -> Callable[[GoalView], list[str]]:
    """Candidates = the tactics the rules list for the goal, in the dict's order."""
    return lambda goal: list(rules.get(goal.text, {}))


def table_evaluator(
    priors: Mapping[str, Mapping[str, float]], values: Mapping[str, float], *, default_value: float = 0.5
) -> Callable[[Sequence[EvalRequest]], list[EvalResult]]:
    """Fixed priors (unnormalised weights, default 1) and values per canonical goal text;
    records every batch it sees in `.batches`."""
    batches: list[list[EvalRequest]] = []

    def evaluate(requests: Sequence[EvalRequest]) -> list[EvalResult]:
        batches.append(list(requests))
        out = []
        for r in requests:
            weights = [priors.get(r.goal, {}).get(t, 1.0) for t in r.tactics]
            total = sum(weights)
            out.append(EvalResult(tuple(w / total for w in weights), values.get(r.goal, default_value)))
        return out

    evaluate.batches = batches  # type: ignore[attr-defined]
    return evaluate
