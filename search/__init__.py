"""Proof search over a `ProofEnv`: backend-agnostic, and free of torch."""

from search.bestfirst import (
    SearchConfig,
    SearchProgress,
    SearchResult,
    StopReason,
    best_first_search,
    uniform_scorer,
)

__all__ = [
    "SearchConfig",
    "SearchProgress",
    "SearchResult",
    "StopReason",
    "best_first_search",
    "uniform_scorer",
]
