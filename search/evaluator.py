"""What MCTS asks of a network: for a batch of goals with their candidate tactics, a prior over
the tactics and the probability that the goal can be proved.

The search knows nothing of the model behind it: an `Evaluator` is any callable from a batch of
requests to one result per request, called ONCE per batch so a GPU model sees full batches.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lean_env.contract import GoalView


@dataclass(frozen=True, slots=True)
class EvalRequest:
    """A goal (its canonical text) and the candidate tactics to put a prior on."""

    goal: str
    tactics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvalResult:
    """`priors` (one per requested tactic, then one per `extra` tactic, summing to 1) and
    `value` in [0, 1]: the estimated probability that the goal is provable. `extra`: tactics
    the evaluator proposes itself (a generative policy's samples), none of them requested."""

    priors: tuple[float, ...]
    value: float
    extra: tuple[str, ...] = ()


Evaluator = Callable[[Sequence[EvalRequest]], Sequence[EvalResult]]
"""One call per batch, one result per request, in order."""

Candidates = Callable[[GoalView], Sequence[str]]
"""`goal -> tactics` worth trying on it (as in best-first search)."""


def uniform_evaluator(requests: Sequence[EvalRequest]) -> list[EvalResult]:
    """No knowledge: uniform priors, every goal a coin flip."""
    return list(constant_evaluator(0.5)(requests))


def constant_evaluator(value: float) -> Evaluator:
    """Uniform priors and the same `value` for every goal."""
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"value {value} outside [0, 1]")

    def evaluate(requests: Sequence[EvalRequest]) -> list[EvalResult]:
        return [EvalResult(_uniform(len(r.tactics)), value) for r in requests]

    return evaluate


def _uniform(k: int) -> tuple[float, ...]:
    return (1.0 / k,) * k if k else ()


def normalized(priors: Sequence[float]) -> list[float]:
    """Priors clipped at 0 and rescaled to sum 1; uniform when nothing positive is left."""
    k = len(priors)
    if isinstance(priors, (list, tuple)) and k and priors[0] > 0.0 and priors.count(priors[0]) == k:
        return [priors[0] / sum(priors)] * k  # all equal and positive (uniform): the same, faster
    clipped = [p if p > 0.0 else 0.0 for p in priors]
    total = sum(clipped)
    if total <= 0.0 or total != total:  # also catches NaN
        return list(_uniform(len(priors)))
    return [p / total for p in clipped]
