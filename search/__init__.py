"""Proof search over a `ProofEnv`: backend-agnostic, and free of torch."""

from search.bestfirst import (
    SearchConfig,
    SearchProgress,
    SearchResult,
    StopReason,
    best_first_search,
    uniform_scorer,
)
from search.driver import DriveReport, mcts_search, run_searches
from search.evaluator import (
    Candidates,
    EvalRequest,
    EvalResult,
    Evaluator,
    constant_evaluator,
    uniform_evaluator,
)
from search.extract import goal_script, proof_script
from search.mcts import MCTSConfig, MCTSResult, MCTSSearch, action_probabilities
from search.targets import TrainingRecord, training_records
from search.tree import Status, Tree

__all__ = [
    "Candidates",
    "DriveReport",
    "EvalRequest",
    "EvalResult",
    "Evaluator",
    "MCTSConfig",
    "MCTSResult",
    "MCTSSearch",
    "SearchConfig",
    "SearchProgress",
    "SearchResult",
    "Status",
    "StopReason",
    "TrainingRecord",
    "Tree",
    "action_probabilities",
    "best_first_search",
    "constant_evaluator",
    "goal_script",
    "mcts_search",
    "proof_script",
    "run_searches",
    "training_records",
    "uniform_evaluator",
    "uniform_scorer",
]
