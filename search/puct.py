"""PUCT, the definition: how MCTS chooses a tactic at a goal, from explicit per-tactic arrays.

In mctx's style: small functions over plain arrays, named sentinels, the settings as keyword
arguments with AlphaZero's defaults. `MCTSSearch` computes the same choices incrementally
(`_pick` scores only the applied edges and finds the best untried tactic in prior order);
`tests/search/test_perf_paths.py` checks it against these functions, choice for choice.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Final

from search.evaluator import normalized

C_PUCT: Final = 1.25  # AlphaZero's c_init (mctx's default); values here lie in [0, 1]
VIRTUAL_LOSS: Final = 1.0  # per simulation in flight: one visit of value -VIRTUAL_LOSS
MAX_CHILDREN: Final = 32  # tactics kept per goal
DIRICHLET_ALPHA: Final = 0.3  # AlphaZero's chess noise on the root priors ...
NOISE_FRACTION: Final = 0.25  # ... mixed in at this weight (ε)

NO_ACTION: Final = None  # `puct_select` when no tactic is usable


def puct_scores(
    priors: Sequence[float],
    visit_counts: Sequence[int],
    value_sums: Sequence[float],
    in_flight: Sequence[int] | None = None,
    *,
    parent_visits: int,
    parent_value: float = 0.0,
    c_puct: float = C_PUCT,
    virtual_loss: float = VIRTUAL_LOSS,
    first_play_value: float | None = None,
) -> list[float]:
    """Q(a) + c_puct * P(a) * sqrt(N) / (1 + N(a)) for every tactic a of one goal.

    N is `parent_visits`: the goal's visits plus the simulations in flight through it. Each
    simulation in flight through a counts as a visit of value -`virtual_loss`, so that the
    simulations of one round spread out: N(a) = visits + in flight, Q(a) = (W(a) - virtual_loss
    * in flight) / N(a). A tactic with N(a) = 0 has Q = `first_play_value`, or when that is
    None the goal's own value `parent_value`. (inf * 0 is NaN: an infinite virtual loss
    leaves every visited tactic a NaN score, which is never chosen.)
    """
    fpu = parent_value if first_play_value is None else first_play_value
    explore = c_puct * math.sqrt(parent_visits)
    flying = [0] * len(priors) if in_flight is None else in_flight
    scores = []
    for prior, visits, w, f in zip(priors, visit_counts, value_sums, flying, strict=True):
        n = visits + f
        q = (w - virtual_loss * f) / n if n else fpu
        scores.append(q + explore * prior / (1 + n))
    return scores


def puct_select(
    priors: Sequence[float],
    visit_counts: Sequence[int],
    value_sums: Sequence[float],
    in_flight: Sequence[int] | None = None,
    *,
    usable: Sequence[bool] | None = None,
    parent_visits: int,
    parent_value: float = 0.0,
    c_puct: float = C_PUCT,
    virtual_loss: float = VIRTUAL_LOSS,
    first_play_value: float | None = None,
) -> int | None:
    """The usable tactic (all when `usable` is None) of highest `puct_scores`, the first on
    ties; `NO_ACTION` when none scores above -inf (a NaN score never wins)."""
    scores = puct_scores(
        priors, visit_counts, value_sums, in_flight, parent_visits=parent_visits, parent_value=parent_value,
        c_puct=c_puct, virtual_loss=virtual_loss, first_play_value=first_play_value,
    )
    best, best_score = NO_ACTION, -math.inf
    for a, score in enumerate(scores):
        if score > best_score and (usable is None or usable[a]):
            best, best_score = a, score
    return best


def kept_priors(priors: Sequence[float], *, max_children: int = MAX_CHILDREN) -> tuple[list[int], list[float]]:
    """The tactics a goal keeps and their priors: the evaluator's priors `normalized`, the
    `max_children` highest (equal priors in tactic order), renormalised. Fewer children keep
    the branching, and so the env calls per goal, bounded."""
    p = normalized(priors)
    keep = sorted(range(len(p)), key=lambda a: -p[a])[:max_children]
    return keep, normalized([p[a] for a in keep])


def dirichlet(rng: random.Random, k: int, *, alpha: float = DIRICHLET_ALPHA) -> list[float]:
    """A sample of the symmetric Dirichlet(alpha) distribution over `k` tactics."""
    return normalized([rng.gammavariate(alpha, 1.0) for _ in range(k)])


def with_noise(priors: Sequence[float], noise: Sequence[float], *, fraction: float = NOISE_FRACTION) -> list[float]:
    """AlphaZero's root exploration: (1 - ε) P + ε η, so that self-play tries tactics the
    network rates low."""
    return [(1 - fraction) * p + fraction * z for p, z in zip(priors, noise, strict=True)]
