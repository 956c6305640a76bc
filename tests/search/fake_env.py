"""A small deterministic `ProofEnv` for search tests, built by hand from a dict.

`rules[goal_text][tactic]` is the list of goals the tactic leaves (empty = closed), "error" or
"timeout"; a tactic missing from the dict is an error. A goal text may start with a
`case tag` line; the canonical key is the text without it, and a goal without rules of its
own follows those of its canonical text (a case tag changes no tactic). `verify` replays a
script the way Lean would: plain lines act on the first goal, a `· ` block must close the
first goal alone.
Imported relatively (`from .fake_env import ...`): pytest runs in importlib mode.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from lean_env.contract import (
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

Outcome = Sequence[str] | str  # subgoals, "error" or "timeout"
Rules = Mapping[str, Mapping[str, Outcome]]


def view(text: str) -> GoalView:
    lines = text.splitlines()
    if lines and lines[0].startswith("case "):
        return GoalView(text, "\n".join(lines[1:]), lines[0][5:])
    return GoalView(text, text)


class FakeEnv:
    name = "fake"

    def __init__(self, root: str | Sequence[str], rules: Rules, *, sleep: float = 0.0) -> None:
        self.root = [root] if isinstance(root, str) else list(root)
        self.rules = rules
        self.sleep = sleep
        self.calls: list[tuple[str, str]] = []  # (goal text, tactic) per `apply`
        self.verified: list[str] = []
        self.accept: bool | None = None  # force the verdict of `verify` when set
        self._handles = 0

    @property
    def env_calls(self) -> int:
        return len(self.calls)

    def outcome(self, goal: str, tactic: str) -> Outcome:
        """By the goal's text, else by its canonical text: a case tag changes no tactic."""
        rules = self.rules.get(goal) or self.rules.get(view(goal).canonical, {})
        return rules.get(tactic, "error")

    def start(self, statement: str, *, header: str = "", timeout: float = 10.0) -> ProofState:
        if statement == "bad":
            raise StatementError("unexpected token", 1, 5)
        return self._state(self.root)

    def apply(self, state: ProofState, tactic: str, *, goal: int = 0, timeout: float = 10.0) -> TacticResult:
        text = state.goals[goal].text
        self.calls.append((text, tactic))
        if self.sleep:
            time.sleep(self.sleep)
        out = self.outcome(text, tactic)
        if out == "error":
            return TacticError(f"tactic '{tactic}' failed")
        if out == "timeout":
            return TacticTimeout(timeout)
        return TacticSuccess(self._state(list(out)))

    def canonical(self, goal: GoalView) -> str:
        return goal.canonical

    def verify(self, statement: str, proof: str, *, header: str = "", timeout: float = 10.0) -> Verification:
        self.verified.append(proof)
        try:
            rest = self._run(_blocks(proof.splitlines()), list(self.root))
        except ValueError as e:
            return Verification(False, (str(e),), self.name)
        ok = not rest if self.accept is None else self.accept
        return Verification(ok, () if ok else ("unsolved goals",), self.name)

    def close(self) -> None:
        pass

    def _state(self, goals: list[str]) -> ProofState:
        self._handles += 1
        return ProofState(self._handles, tuple(view(g) for g in goals))

    def _run(self, items: list[str | list], goals: list[str]) -> list[str]:
        for item in items:
            if not goals:
                raise ValueError("no goals")
            if isinstance(item, list):  # a `·` block: close the first goal on its own
                if self._run(item, goals[:1]):
                    raise ValueError("unsolved goals in a focused block")
                goals = goals[1:]
                continue
            out = self.outcome(goals[0], item)
            if isinstance(out, str):
                raise ValueError(f"'{item}' failed: {out}")
            goals = list(out) + goals[1:]
        return goals


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
